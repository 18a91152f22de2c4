package git

import (
	"context"
	"errors"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
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

// TestCloneError: a URL that serves no repository, or a host that cannot be reached, is a
// clear error that names the URL without its credentials.
func TestCloneError(t *testing.T) {
	needGit(t)
	srv := smartHTTP(t, t.TempDir())
	for _, u := range []string{
		strings.Replace(srv.URL, "http://", "http://user:s3cretpw@", 1) + "/git/none.git",
		strings.Replace(srv.URL, "http://", "http://s3cretpw@", 1) + "/git/none.git", // a token as the user
		"http://user:s3cretpw@127.0.0.1:1/app.git",
	} {
		err := Clone(context.Background(), u, t.TempDir())
		var ce *CloneError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: error %v, want a CloneError", redactURL(u), err)
		}
		if strings.Contains(err.Error(), "s3cretpw") || strings.Contains(ce.Hint(), "s3cretpw") {
			t.Errorf("error holds the password: %v", err)
		}
		if !strings.Contains(err.Error(), "cloning http://***@") || !strings.Contains(ce.Hint(), "check the URL") {
			t.Errorf("error %v, hint %q", err, ce.Hint())
		}
	}
}

// fakeSSH writes an ssh stand-in that git runs as GIT_SSH_COMMAND: it runs the command git
// asks the remote to run (git-upload-pack 'PATH') here. With fail set, it fails as ssh does
// when the host cannot be reached, repeating what it was given (a password included, had
// git passed one) on its standard error.
func fakeSSH(t *testing.T, fail bool) {
	t.Helper()
	script := "#!/bin/sh\nfor last; do :; done\nexec sh -c \"$last\"\n"
	if fail {
		script = "#!/bin/sh\necho \"ssh: connect to host example.invalid port 22: Connection refused ($*)\" >&2\nexit 255\n"
	}
	p := filepath.Join(t.TempDir(), "fake-ssh")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_SSH_COMMAND", p)
	t.Setenv("GIT_SSH_VARIANT", "ssh")
}

// TestCloneSSH: ssh URLs, in both forms, go through the system git, which runs the user's
// GIT_SSH_COMMAND; the clone holds every branch and tag.
func TestCloneSSH(t *testing.T) {
	needGit(t)
	fakeSSH(t, false)
	h := repoWithTaggedSecret(t)
	for _, u := range []string{"ssh://git@example.invalid" + h.dir, "git@example.invalid:" + h.dir} {
		dir := t.TempDir()
		if err := Clone(context.Background(), u, dir); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		res := run(t, config{readerGit, true}.source(dir))
		if diff := cmp.Diff(h.want, got(t, h.keys, res), cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("%s: locations in the clone (-want +got):\n%s", u, diff)
		}
	}
}

// TestCloneSSHError: an ssh host that cannot be reached is git's own first word on it, the
// URL's password left out; without a system git, go-git tries and fails as clearly.
func TestCloneSSHError(t *testing.T) {
	needGit(t)
	fakeSSH(t, true)
	u := "ssh://deploy:hunter2pw@example.invalid/srv/app.git"
	err := Clone(context.Background(), u, t.TempDir())
	var ce *CloneError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "cloning ssh://deploy:***@example.invalid/srv/app.git: git clone: ssh: connect to host example.invalid") {
		t.Errorf("error %v", err)
	}
	if strings.Contains(err.Error(), "hunter2pw") || !strings.Contains(ce.Hint(), "ssh key") {
		t.Errorf("error %v, hint %q", err, ce.Hint())
	}

	lookGit = func() bool { return false }
	t.Cleanup(func() {
		lookGit = func() bool { _, err := exec.LookPath("git"); return err == nil }
	})
	t.Setenv("SSH_AUTH_SOCK", "")
	err = Clone(context.Background(), "ssh://deploy:hunter2pw@127.0.0.1:1/srv/app.git", t.TempDir())
	if !errors.As(err, &ce) || strings.Contains(err.Error(), "hunter2pw") || !strings.Contains(err.Error(), "cloning ssh://deploy:***@127.0.0.1:1/srv/app.git") {
		t.Errorf("go-git: error %v", err)
	}
}

func TestIsURL(t *testing.T) {
	for in, want := range map[string]bool{
		"https://github.com/o/r.git": true, "git@github.com:o/r.git": true, "ssh://git@host/r": true,
		"git@host:/srv/r.git": true,
		".":                   false, "/tmp/repo": false, "repo": false, "C:/repo": false, "./a@b:c": false,
	} {
		if got := IsURL(in); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestRedactURL: a URL for people keeps no password, and no http user name (a token is often
// given as one); scrub takes them out of any text in the forms a library may write them.
func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pa55word@github.com/o/r.git":    "https://***@github.com/o/r.git",
		"https://ghp_0123456789abcdef@github.com/o/r": "https://***@github.com/o/r",
		"https://github.com/o/r":                      "https://github.com/o/r",
		"ssh://git@host/r.git":                        "ssh://git@host/r.git",
		"ssh://git:pa55word@host/r.git":               "ssh://git:***@host/r.git",
		"git@github.com:o/r.git":                      "git@github.com:o/r.git",
		"https://host/a@b/r":                          "https://host/a@b/r",
		"https://u:p@ss@host/r":                       "https://***@host/r",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
	u := "https://x-access-token:p%40ss-w0rd@github.com/o/r.git"
	msg := `Get "` + u + `/info/refs": x-access-token:p%40ss-w0rd, p@ss-w0rd, p%40ss-w0rd`
	if got := scrub(msg, u); strings.Contains(got, "ss-w0rd") || strings.Contains(got, "x-access-token") {
		t.Errorf("scrub left a credential: %q", got)
	}
}

// FuzzRedactURL checks that a clone URL for people, and any message a clone failure quotes
// it in, keep no password and (for http) no user name: what is left of them is what the
// host, the path or the fixed words hold anyway.
func FuzzRedactURL(f *testing.F) {
	f.Add("https", "user", "pa55word", "github.com", "/o/r.git")
	f.Add("ssh", "git", "hunter2pw", "example.com:22", "/srv/app.git")
	f.Add("http", "ghp_0123456789", "", "127.0.0.1:1", "/app.git")
	f.Add("https", "a@b", "c:d@e", "host", "/p@q")
	f.Fuzz(func(t *testing.T, scheme, user, password, host, path string) {
		letters := func(s string) bool {
			return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return (r < 'a' || r > 'z') && r != '+' })
		}
		if !letters(scheme) || host == "" || strings.ContainsAny(host, "/@?#") ||
			strings.ContainsAny(user+password, "/?#") || strings.Contains(user, ":") || path != "" && path[0] != '/' {
			return
		}
		userinfo := user
		if password != "" {
			userinfo += ":" + password
		}
		u := scheme + "://" + userinfo + "@" + host + path
		red := redactURL(u)
		secrets := []string{password}
		if !isSSH(u) {
			secrets = append(secrets, user)
		}
		const words = "cloning failed: Get \"/info/refs\": refused ***"
		for _, s := range secrets {
			// What the host, the path, the user an ssh URL keeps, or the fixed words hold
			// may show.
			shown := scheme + "://***@" + host + path + " " + words
			if isSSH(u) {
				shown += " " + scheme + "://" + user + ":***@" + host + path + " " + user + "@"
			}
			if s == "" || strings.Contains(shown, s) {
				continue
			}
			if strings.Contains(red, s) {
				t.Fatalf("redactURL(%q) = %q holds %q", u, red, s)
			}
			msg := "cloning failed: Get \"" + u + "/info/refs\": " + s + " refused"
			if got := scrub(msg, u); len(s) >= 4 && strings.Contains(got, s) {
				t.Fatalf("scrub(%q) = %q holds %q", msg, got, s)
			}
		}
	})
}

// TestCloneCredentialsStayOffDisk: a token in an https clone URL reaches the server as
// basic auth and is written nowhere in the clone (go-git would put the URL in its config,
// where a run killed before cleaning up leaves it).
func TestCloneCredentialsStayOffDisk(t *testing.T) {
	h := repoWithDeletedSecret(t)
	root := t.TempDir()
	runGit(t, h.dir, 0, "clone", "-q", "--bare", "--mirror", h.dir, filepath.Join(root, "app.git"))
	const user, token = "x-access-token", "tok3n-0f-th3-t3st"
	git := smartHTTP(t, root)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		git.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	url := strings.Replace(srv.URL, "http://", "http://"+user+":"+token+"@", 1) + "/git/app.git"
	if err := Clone(context.Background(), url, dir); err != nil {
		t.Fatal(err)
	}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(data), token) {
			t.Errorf("%s holds the token", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if res := run(t, readers[0].source(dir)); len(res.Findings) == 0 {
		t.Error("the clone was not scanned: no finding")
	}
}
