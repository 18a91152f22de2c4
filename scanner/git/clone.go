package git

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	gogit "github.com/go-git/go-git/v5"
)

// scpLike matches git's short ssh form, user@host:path.
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/]`)

// IsURL reports whether repo names a remote repository rather than a folder.
func IsURL(repo string) bool {
	return strings.Contains(repo, "://") || scpLike.MatchString(repo)
}

// Clone makes a bare clone of url in dir (which must be empty) with every branch and tag,
// for a scan of its history.
func Clone(ctx context.Context, url, dir string) error {
	_, err := gogit.PlainCloneContext(ctx, dir, true, &gogit.CloneOptions{
		URL:    url,
		Mirror: true,
		Tags:   gogit.AllTags,
	})
	if err != nil {
		return fmt.Errorf("cloning %s: %w (check the URL and that the repository is readable)", redactURL(url), err)
	}
	return nil
}

// redactURL drops a password or token from a URL's user information.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	at := strings.IndexByte(rest, '@')
	slash := strings.IndexByte(rest, '/')
	if at < 0 || (slash >= 0 && at > slash) {
		return u
	}
	user, _, _ := strings.Cut(rest[:at], ":")
	return scheme + "://" + user + ":***" + rest[at:]
}
