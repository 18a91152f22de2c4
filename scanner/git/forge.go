package git

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// ForgeKind names a forge's way of linking to a line of a file at a commit.
type ForgeKind int

// The forges whose permalinks the source writes.
const (
	// GitHub (github.com and GitHub Enterprise Server): /OWNER/REPO/blob/COMMIT/PATH#LN.
	GitHub ForgeKind = iota + 1
	// GitLab: /GROUP/.../REPO/-/blob/COMMIT/PATH#LN.
	GitLab
	// Bitbucket Cloud: /OWNER/REPO/src/COMMIT/PATH#lines-N.
	Bitbucket
)

// Forge is a forge's web address: the kind of links it takes and the base URL of its pages
// ("https://github.com").
type Forge struct {
	Kind ForgeKind
	Base string
}

// Forges maps a host name, in lower case and without a port, to the forge it serves.
type Forges map[string]Forge

// KnownForges returns github.com, gitlab.com and bitbucket.org, and a GitHub Enterprise
// Server for each of githubServers that is an http or https URL (as GitHub Actions' own
// GITHUB_SERVER_URL says it; an empty one is left out).
func KnownForges(githubServers ...string) Forges {
	f := Forges{
		"github.com":    {GitHub, "https://github.com"},
		"gitlab.com":    {GitLab, "https://gitlab.com"},
		"bitbucket.org": {Bitbucket, "https://bitbucket.org"},
	}
	for _, s := range githubServers {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
			continue
		}
		f[strings.ToLower(u.Hostname())] = Forge{GitHub, u.Scheme + "://" + u.Host}
	}
	return f
}

// linker writes the permalinks of one repository on a forge.
type linker struct {
	kind ForgeKind
	// base is the repository's page: "https://github.com/OWNER/REPO".
	base string
}

// linker returns the permalinks of the repository that remote (a clone URL as git takes
// it: https, ssh, git, or the scp-like user@host:path) names, or nil when the remote is on
// none of f. What the URL carries besides the host and path (a user, a password or a
// token, a port for ssh) is left out of the links.
func (f Forges) linker(remote string) *linker {
	host, path, ok := parseRemote(remote)
	if !ok {
		return nil
	}
	forge, ok := f[host]
	if !ok {
		return nil
	}
	segs := strings.Split(path, "/")
	switch forge.Kind {
	case GitHub, Bitbucket:
		if len(segs) != 2 {
			return nil
		}
	case GitLab:
		if len(segs) < 2 {
			return nil
		}
	default:
		return nil
	}
	for i, s := range segs {
		if s == "" || s == "." || s == ".." || strings.ContainsFunc(s, unicode.IsControl) {
			return nil
		}
		segs[i] = url.PathEscape(s)
	}
	return &linker{kind: forge.Kind, base: strings.TrimRight(forge.Base, "/") + "/" + strings.Join(segs, "/")}
}

// parseRemote reads a remote URL as git takes it: the host (lower case, no port) and the
// repository's path (no leading or trailing slash, no ".git").
func parseRemote(remote string) (host, path string, ok bool) {
	remote = strings.TrimSpace(remote)
	if remote == "" || strings.ContainsFunc(remote, unicode.IsControl) {
		return "", "", false
	}
	if strings.Contains(remote, "://") {
		u, err := url.Parse(remote)
		if err != nil {
			return "", "", false
		}
		switch strings.ToLower(u.Scheme) {
		case "https", "http", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return "", "", false
		}
		host, path = u.Hostname(), u.Path
	} else {
		// scp-like: [user@]host:path, with no slash before the colon.
		before, after, found := strings.Cut(remote, ":")
		if !found || strings.Contains(before, "/") {
			return "", "", false
		}
		if i := strings.LastIndexByte(before, '@'); i >= 0 {
			before = before[i+1:]
		}
		host, path = before, after
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if len(host) < 2 || strings.ContainsAny(host, "/@ ") {
		return "", "", false
	}
	path = strings.Trim(path, "/")
	path = strings.TrimSuffix(path, ".git")
	path = strings.TrimRight(path, "/")
	if path == "" {
		return "", "", false
	}
	return host, path, true
}

// permalink links the line of path at commit; "" when the commit or path is not known.
func (l *linker) permalink(commit, path string, line int) string {
	if l == nil || !isOID([]byte(commit)) || path == "" {
		return ""
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	p := strings.Join(segs, "/")
	var b strings.Builder
	b.WriteString(l.base)
	switch l.kind {
	case GitHub:
		b.WriteString("/blob/" + commit + "/" + p)
		if line > 0 {
			b.WriteString("#L" + strconv.Itoa(line))
		}
	case GitLab:
		b.WriteString("/-/blob/" + commit + "/" + p)
		if line > 0 {
			b.WriteString("#L" + strconv.Itoa(line))
		}
	case Bitbucket:
		b.WriteString("/src/" + commit + "/" + p)
		if line > 0 {
			b.WriteString("#lines-" + strconv.Itoa(line))
		}
	}
	return b.String()
}

// linker returns the permalinks of the scanned repository, from its origin remote; nil when
// Forges is not set or origin is on none of them.
func (s *Source) linker(ctx context.Context, repo *repository) *linker {
	if len(s.Forges) == 0 {
		return nil
	}
	return s.Forges.linker(originURL(ctx, repo))
}

// originURL is the URL of the repository's origin remote, or "".
func originURL(ctx context.Context, repo *repository) string {
	if g := repo.gogit; g != nil {
		remote, err := g.r.Remote("origin")
		if err != nil || len(remote.Config().URLs) == 0 {
			return ""
		}
		return remote.Config().URLs[0]
	}
	out, err := gitOutput(ctx, repo.gitDir, "config", "--get", "remote.origin.url")
	if err != nil {
		return ""
	}
	return firstLine(strings.TrimSpace(out))
}
