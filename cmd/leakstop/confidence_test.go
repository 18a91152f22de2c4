package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/rules"
)

// TestMinConfidence: --min-confidence keeps the findings at least as sure as it asks (a
// token with a checksum is high, one found only decoded is medium, a generic password low),
// the default keeps them all, and a level that does not exist is a usage error.
func TestMinConfidence(t *testing.T) {
	g := rules.NewGenerator(11)
	token := g.GitHubToken("ghp_")
	other := g.GitHubToken("ghp_")
	password := g.Chars("ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 22) + "7"
	dir := t.TempDir()
	for name, text := range map[string]string{
		"deploy.sh":       "export GITHUB_TOKEN=" + token + "\n",
		"k8s/secret.yaml": "apiVersion: v1\nkind: Secret\ndata:\n  token: " + base64.StdEncoding.EncodeToString([]byte(other)) + "\n",
		"config/app.ini":  "[database]\npassword = " + password + "\n",
		"docs/readme.txt": "nothing to see\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	scan := func(extra ...string) (int, []string, string) {
		var stdout, stderr bytes.Buffer
		args := append([]string{"dir", "-f", "json", "-c", os.DevNull}, extra...)
		code := Main(append(args, "."), nil, &stdout, &stderr, func(string) string { return "" })
		var rep struct {
			Findings []struct {
				Provider, Confidence string
				Locations            []struct{ Path, Encoding string }
			}
		}
		if code != exitError {
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("report is not JSON: %v\n%s", err, stdout.String())
			}
		}
		var got []string
		for _, f := range rep.Findings {
			for _, l := range f.Locations {
				got = append(got, strings.TrimSpace(f.Provider+" "+f.Confidence+" "+l.Path+" "+l.Encoding))
			}
		}
		sort.Strings(got)
		return code, got, stderr.String()
	}
	all := []string{"generic low config/app.ini", "github high deploy.sh", "github medium k8s/secret.yaml base64"}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, all},
		{[]string{"--min-confidence", "low"}, all},
		{[]string{"--min-confidence", "medium"}, all[1:]},
		{[]string{"--min-confidence=high"}, all[1:2]},
	} {
		code, got, stderr := scan(c.args...)
		if code != exitLeaks {
			t.Errorf("%v: exit status %d, want %d; stderr:\n%s", c.args, code, exitLeaks, stderr)
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%v: findings (-want +got):\n%s", c.args, diff)
		}
	}
	// Only a generic password in the folder: left out, the scan is clean.
	var stdout, stderr0 bytes.Buffer
	if code := Main([]string{"dir", "-c", os.DevNull, "--min-confidence", "medium", "config"}, nil, &stdout, &stderr0, func(string) string { return "" }); code != exitClean {
		t.Errorf("only a low finding, --min-confidence medium: exit status %d, want %d; stdout:\n%s", code, exitClean, stdout.String())
	}
	code, _, stderr := scan("--min-confidence", "certain")
	if code != exitError || !strings.Contains(stderr, "--min-confidence must be low, medium or high") {
		t.Errorf("--min-confidence certain: exit status %d, stderr:\n%s", code, stderr)
	}
}
