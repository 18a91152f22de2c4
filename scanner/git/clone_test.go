package git

import (
	"context"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// smartHTTP serves the repositories under root over git's smart HTTP protocol, with the
// real git http-backend behind net/http/cgi.
func smartHTTP(t *testing.T, root string) *httptest.Server {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	h := &cgi.Handler{
		Path: backend,
		Env: []string{
			"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1",
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		},
	}
	srv := httptest.NewServer(http.StripPrefix("/git", h))
	t.Cleanup(srv.Close)
	return srv
}

// TestClone clones histories over smart HTTP and finds what a scan of the original finds:
// the branch-only key and the key behind a tag come along.
func TestClone(t *testing.T) {
	for _, build := range []func(testing.TB) history{repoWithBranchOnlySecret, repoWithTaggedSecret, repoWithDeletedSecret} {
		h := build(t)
		root := t.TempDir()
		runGit(t, h.dir, 0, "clone", "-q", "--bare", "--mirror", h.dir, filepath.Join(root, "app.git"))
		srv := smartHTTP(t, root)
		dir := t.TempDir()
		if err := Clone(context.Background(), srv.URL+"/git/app.git", dir); err != nil {
			t.Fatal(err)
		}
		for _, r := range readers {
			res := run(t, r.source(dir))
			if diff := cmp.Diff(h.want, got(t, h.keys, res), cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("reader %s: locations in the clone (-want +got):\n%s", r, diff)
			}
		}
	}
}

// TestCloneError: a URL that serves no repository is a clear error without credentials.
func TestCloneError(t *testing.T) {
	needGit(t)
	srv := smartHTTP(t, t.TempDir())
	u := strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1) + "/git/none.git"
	err := Clone(context.Background(), u, t.TempDir())
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error holds the password: %v", err)
	}
	if !strings.Contains(err.Error(), "cloning") {
		t.Errorf("error %v", err)
	}
}

func TestIsURL(t *testing.T) {
	for in, want := range map[string]bool{
		"https://github.com/o/r.git": true, "git@github.com:o/r.git": true, "ssh://git@host/r": true,
		".": false, "/tmp/repo": false, "repo": false, "C:/repo": false, "./a@b:c": false,
	} {
		if got := IsURL(in); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", in, got, want)
		}
	}
}
