package git

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

const permalinkCommit = "0123456789abcdef0123456789abcdef01234567"

// TestPermalink: a remote in any of git's forms, on a known forge, links a line of a file at
// a commit the way that forge does, without the remote's credentials; a remote on no known
// forge, or not a repository's, links nothing.
func TestPermalink(t *testing.T) {
	forges := KnownForges("https://ghe.example.com:8443", "", "not a url")
	c := permalinkCommit
	for _, tc := range []struct {
		remote, path string
		line         int
		want         string
	}{
		{"https://github.com/acme/app.git", "src/a.go", 3, "https://github.com/acme/app/blob/" + c + "/src/a.go#L3"},
		{"https://x-access-token:ghs_s3cret@github.com/acme/app", "a.go", 1, "https://github.com/acme/app/blob/" + c + "/a.go#L1"},
		{"git@github.com:acme/app.git", "a.go", 1, "https://github.com/acme/app/blob/" + c + "/a.go#L1"},
		{"ssh://git@github.com:22/acme/app.git/", "a.go", 0, "https://github.com/acme/app/blob/" + c + "/a.go"},
		{"git://GitHub.com/acme/app", "a.go", 2, "https://github.com/acme/app/blob/" + c + "/a.go#L2"},
		{"https://github.com/acme/app/extra", "a.go", 1, ""}, // not a repository's URL
		{"https://ghe.example.com:8443/corp/svc.git", "a.go", 9, "https://ghe.example.com:8443/corp/svc/blob/" + c + "/a.go#L9"},
		{"git@ghe.example.com:corp/svc.git", "a.go", 9, "https://ghe.example.com:8443/corp/svc/blob/" + c + "/a.go#L9"},
		{"https://gitlab.com/group/sub/app.git", "a b/c#d.txt", 4, "https://gitlab.com/group/sub/app/-/blob/" + c + "/a%20b/c%23d.txt#L4"},
		{"git@gitlab.com:group/app.git", "a.go", 4, "https://gitlab.com/group/app/-/blob/" + c + "/a.go#L4"},
		{"https://user:pw@bitbucket.org/team/repo.git", "x/y.py", 12, "https://bitbucket.org/team/repo/src/" + c + "/x/y.py#lines-12"},
		{"git@bitbucket.org:team/repo.git", "y.py", 1, "https://bitbucket.org/team/repo/src/" + c + "/y.py#lines-1"},
		{"https://example.com/acme/app.git", "a.go", 1, ""},
		{"/srv/git/app.git", "a.go", 1, ""},
		{"file:///srv/github.com/acme/app", "a.go", 1, ""},
		{"https://github.com/acme/..", "a.go", 1, ""},
		{"", "a.go", 1, ""},
		{"https://github.com/acme/app", "dir\x1b[31m/red\nline.env", 1, "https://github.com/acme/app/blob/" + c + "/dir%1B%5B31m/red%0Aline.env#L1"},
	} {
		got := forges.linker(tc.remote).permalink(c, tc.path, tc.line)
		if got != tc.want {
			t.Errorf("remote %q, %s:%d: %q, want %q", tc.remote, tc.path, tc.line, got, tc.want)
		}
	}
	if got := forges.linker("https://github.com/acme/app").permalink("main", "a.go", 1); got != "" {
		t.Errorf("a link to a branch, not a commit: %q", got)
	}
	if got := (Forges{}).linker("https://github.com/acme/app"); got != nil {
		t.Errorf("no forges, a linker: %+v", got)
	}
}

// TestPermalinksFilled: a scan of a repository whose origin is on GitHub fills each place's
// URL, with every reader; one whose origin is elsewhere, or that is not asked to, leaves it
// out.
func TestPermalinksFilled(t *testing.T) {
	h := repoWithDeletedSecret(t)
	runGit(t, h.dir, 0, "remote", "add", "origin", "https://oauth2:glpat-s3cret@github.com/acme/app.git")
	want := "https://github.com/acme/app/blob/" + h.want[0].commit + "/config.env#L2"
	for _, r := range readers {
		src := r.source(h.dir)
		src.Forges = KnownForges()
		if got := run(t, src).Findings[0].First().URL; got != want {
			t.Errorf("reader %s: URL %q, want %q", r, got, want)
		}
		if got := run(t, r.source(h.dir)).Findings[0].First().URL; got != "" {
			t.Errorf("reader %s: URL %q without Forges", r, got)
		}
	}
	runGit(t, h.dir, 0, "remote", "set-url", "origin", "https://git.example.com/acme/app.git")
	src := readers[0].source(h.dir)
	src.Forges = KnownForges()
	if got := run(t, src).Findings[0].First().URL; got != "" {
		t.Errorf("origin on no known forge: URL %q", got)
	}
}

// FuzzPermalink checks the remote parser and the links: a link is made only for a known
// forge, starts with that forge's base, holds no user information (the remote's user and
// password stay out), no control character and no space, and parses as a URL whose path
// ends in the file's and whose fragment names the line.
func FuzzPermalink(f *testing.F) {
	for _, s := range []string{
		"https://github.com/acme/app.git", "git@github.com:acme/app.git", "ssh://git@github.com:22/acme/app",
		"https://u:pw@gitlab.com/a/b/c.git", "git@bitbucket.org:t/r.git", "https://ghe.example.com/o/r",
		"https://[::1]/o/r", "github.com:o/r", "https://github.com/o/r/../x",
	} {
		f.Add(s, "src/a.go", 3)
	}
	forges := KnownForges("https://ghe.example.com")
	f.Fuzz(func(t *testing.T, remote, path string, line int) {
		host, repoPath, ok := parseRemote(remote)
		if ok && (host == "" || repoPath == "" || strings.HasPrefix(repoPath, "/") || strings.HasSuffix(repoPath, "/")) {
			t.Fatalf("parseRemote(%q) = %q, %q", remote, host, repoPath)
		}
		l := forges.linker(remote)
		link := l.permalink(permalinkCommit, path, line)
		if link == "" {
			return
		}
		forge, known := forges[host]
		if !ok || !known || !strings.HasPrefix(link, forge.Base+"/") {
			t.Fatalf("link %q for remote %q (host %q)", link, remote, host)
		}
		if strings.ContainsFunc(link, unicode.IsControl) || strings.ContainsRune(link, ' ') {
			t.Fatalf("link %q holds a control character or a space", link)
		}
		u, err := url.Parse(link)
		if err != nil || u.User != nil || u.Host != strings.TrimPrefix(strings.TrimPrefix(forge.Base, "https://"), "http://") {
			t.Fatalf("link %q: %v, user %v", link, err, u.User)
		}
		if !strings.Contains(u.Path, "/"+permalinkCommit+"/") || !strings.HasSuffix(u.Path, path) {
			t.Fatalf("link %q: path %q does not end in %q", link, u.Path, path)
		}
		if line > 0 && !strings.HasSuffix(link, strconv.Itoa(line)) || line <= 0 && u.Fragment != "" {
			t.Fatalf("link %q for line %d", link, line)
		}
	})
}
