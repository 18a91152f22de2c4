package git

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/scanner"
)

// repoWithHiddenSecrets: keys committed encoded or split, and commits that bring back the
// lines that hold them, alone or in new company, so that the line cache meets each line in
// more than one state. Every way of reading must find the same.
func repoWithHiddenSecrets(t testing.TB) history {
	f := newFixture(t)
	gh := f.gen.GitHubToken("ghp_")
	split := f.key()
	shell := f.key()
	hook := "https://hooks.slack.com/services/T" + f.gen.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) +
		"/B" + f.gen.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/" + f.gen.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 24)
	keys := []string{gh, split, shell, hook}
	// The OpenAI keys are cut inside their marker, so that no line holds a keyword as
	// written: only joined do they.
	cut := func(k string) int { return strings.Index(k, "T3Blbk") + 3 }

	secretLine := "  token: " + base64.StdEncoding.EncodeToString([]byte(gh))
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n" + secretLine + "\n"
	c1 := f.commit("Add the secret", map[string]string{"k8s/secret.yaml": secret})
	c2 := f.commit("Label it", map[string]string{"k8s/secret.yaml": strings.Replace(secret, "  name: app\n", "  name: app\n  labels:\n    tier: web\n", 1)})

	first := `const key = "` + split[:cut(split)] + `" +`
	// The first half alone, then joined to nothing: the line is met, and matches nothing.
	f.commit("Start the client", map[string]string{"src/key.js": first + "\n  \"\";\nexport default key;\n", "deploy.sh": "#!/bin/sh\nP1=" + shell[:cut(shell)] + "\n"})
	c3 := f.commit("Finish the client", map[string]string{"src/key.js": first + "\n  \"" + split[cut(split):] + "\";\nexport default key;\n"})
	deploy := "#!/bin/sh\nP1=" + shell[:cut(shell)] + "\nP2=" + shell[cut(shell):] + "\nexport OPENAI_API_KEY=\"${P1}${P2}\"\n"
	c4 := f.commit("Deploy", map[string]string{"deploy.sh": deploy})
	logLine := "GET /callback?hook=" + url.QueryEscape(hook) + " 200"
	c5 := f.commit("Keep a log", map[string]string{"logs/access.log": "GET / 200\n" + logLine + "\n"})
	// The base64 line again, in a file of its own, and the joined lines kept apart.
	c6 := f.commit("Copy the secret", map[string]string{
		"k8s/other.yaml": "data:\n" + secretLine + "\n",
		"src/key.js":     first + "\n// a comment between\n  \"" + split[cut(split):] + "\";\n",
	})
	// A table whose cells are secrets by their column's name, lines above: the second row
	// comes in a commit of its own, under a header the cache has met.
	alnum := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	tok1, tok2 := f.gen.Chars(alnum, 31)+"7", f.gen.Chars(alnum, 35)+"7"
	keys = append(keys, tok1, tok2)
	table := "id,service,api_token,created\n1,billing," + tok1 + ",2026-01-02\n"
	c7 := f.commit("Export the tokens", map[string]string{"exports/tokens.csv": table})
	c8 := f.commit("Export one more", map[string]string{"exports/tokens.csv": table + "2,search," + tok2 + ",2026-01-03\n"})
	return history{dir: f.dir, keys: keys, want: []want{
		{4, "exports/tokens.csv", 2, 11, c7, 8},
		{4, "exports/tokens.csv", 2, 11, c8, 9}, // in the new blob too, under its old header
		{5, "exports/tokens.csv", 3, 10, c8, 9},
		{0, "k8s/secret.yaml", 6, 10, c1, 1},
		{0, "k8s/secret.yaml", 8, 10, c2, 2}, // moved down: a new blob
		{0, "k8s/other.yaml", 2, 10, c6, 7},
		{1, "src/key.js", 1, 14, c3, 4},
		{2, "deploy.sh", 2, 4, c4, 5},
		{3, "logs/access.log", 2, 20, c5, 6},
	}}
}

// TestHiddenSecretsHistory extends the equality of line selection and whole blobs to
// values written encoded and split: each found once, where it came in, in every way of
// reading.
func TestHiddenSecretsHistory(t *testing.T) {
	h := repoWithHiddenSecrets(t)
	var results []*scanner.Result
	for _, r := range readers {
		res := run(t, r.source(h.dir))
		gotWants := got(t, h.keys, res)
		if diff := cmp.Diff(sortedWants(h.want), sortedWants(gotWants), cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("reader %s: locations (-want +got):\n%s", r, diff)
		}
		for _, f := range res.Findings {
			for _, l := range f.Locations {
				if l.Encoding == "" && !strings.HasSuffix(l.Path, ".csv") {
					t.Errorf("reader %s: %s at %s:%d has no encoding", r, f.Rule, l.Path, l.Line)
				}
			}
		}
		results = append(results, res)
	}
	sameResults(t, results, false)
}

// sortedWants orders wants by key, then date, for comparing sets of locations.
func sortedWants(ws []want) []want {
	out := append([]want(nil), ws...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].key != out[j].key {
			return out[i].key < out[j].key
		}
		return out[i].tick < out[j].tick
	})
	return out
}
