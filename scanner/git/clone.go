package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// scpLike matches git's short ssh form, user@host:path (the path relative to the user's
// home, or absolute).
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:([^/]|/[^/])`)

// IsURL reports whether repo names a remote repository rather than a folder.
func IsURL(repo string) bool {
	return strings.Contains(repo, "://") || scpLike.MatchString(repo)
}

// isSSH reports whether url is cloned over ssh: an ssh:// URL (or git+ssh://, ssh+git://)
// or the scp-like user@host:path.
func isSSH(u string) bool {
	if scheme, _, ok := strings.Cut(u, "://"); ok {
		switch strings.ToLower(scheme) {
		case "ssh", "git+ssh", "ssh+git":
			return true
		}
		return false
	}
	return scpLike.MatchString(u)
}

// lookGit finds the system git; a variable so that tests can take it away.
var lookGit = func() bool {
	_, err := exec.LookPath("git")
	return err == nil
}

// CloneError is the error of a clone that failed. It names the URL without its
// credentials, and says nothing that the URL's password or token could be read in.
type CloneError struct {
	url string // redacted
	ssh bool
	err error
}

func (e *CloneError) Error() string { return "cloning " + e.url + ": " + e.err.Error() }

// Unwrap returns what went wrong, its credentials taken out.
func (e *CloneError) Unwrap() error { return e.err }

// Hint says what to check.
func (e *CloneError) Hint() string {
	if e.ssh {
		return "check the URL, that the host can be reached, and that your ssh key is loaded (ssh-add -l) and allowed to read the repository"
	}
	return "check the URL, that the host can be reached, and that the repository is readable (a private one wants a token)"
}

// Clone makes a bare mirror clone of url in dir (which must be empty) with every branch and
// tag, for a scan of its history. An ssh URL (ssh://, or the scp-like user@host:path) is
// cloned by the system git when there is one, so that the user's keys, agent, ~/.ssh/config
// and GIT_SSH_COMMAND apply; others, and every URL when there is no git, by go-git. The
// error is a *CloneError, which never holds the URL's password or token.
func Clone(ctx context.Context, url, dir string) error {
	ssh := isSSH(url)
	var err error
	if ssh && lookGit() {
		err = cloneWithGit(ctx, url, dir)
	} else {
		// Credentials in an http URL go as the request's basic auth, never into the clone's
		// config on disk, where a killed run would leave them.
		plain, auth := splitCredentials(url)
		_, err = gogit.PlainCloneContext(ctx, dir, true, &gogit.CloneOptions{
			URL:    plain,
			Auth:   auth,
			Mirror: true,
			Tags:   gogit.AllTags,
		})
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &CloneError{url: redactURL(url), ssh: ssh, err: errors.New(scrub(err.Error(), url))}
}

// splitCredentials takes the user and password out of an http or https URL, for go-git's
// basic auth: the URL it returns holds none.
func splitCredentials(raw string) (string, transport.AuthMethod) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return raw, nil
	}
	pass, _ := u.User.Password()
	auth := &githttp.BasicAuth{Username: u.User.Username(), Password: pass}
	u.User = nil
	return u.String(), auth
}

// maxCloneStderr bounds what is kept of git clone's standard error.
const maxCloneStderr = 64 << 10

// cloneWithGit clones url into dir with `git clone --mirror`, in the user's environment
// (GIT_SSH_COMMAND, SSH_AUTH_SOCK and ~/.ssh apply) without prompts for a password.
func cloneWithGit(ctx context.Context, url, dir string) error {
	// Transports that run commands (ext::, fd::) are refused whatever the configuration.
	cmd := exec.CommandContext(ctx, "git", "-c", "protocol.ext.allow=never", "-c", "protocol.fd.allow=never",
		"clone", "--mirror", "--quiet", "--", url, dir)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	cmd.WaitDelay = 5 * time.Second // ssh, a child of git, may hold the pipe after git is killed
	stderr := &capped{max: maxCloneStderr}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		// git says what failed first ("ssh: connect to host …"), then "fatal: Could not
		// read from remote repository." and advice.
		for _, line := range strings.Split(msg, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				return errors.New("git clone: " + line)
			}
		}
		return fmt.Errorf("git clone: %w", err)
	}
	return nil
}

// capped keeps the first max bytes written to it.
type capped struct {
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) String() string { return c.buf.String() }

// redactURL names a clone URL for people without its credentials: an http(s) URL's user
// information (a token is often the user name) becomes ***; an ssh URL keeps its user, not a
// secret, and loses a password.
func redactURL(u string) string {
	scheme, userinfo, rest, ok := splitUserinfo(u)
	if !ok {
		return u // no user information; scp-like user@host:path holds no password
	}
	user, _, hasPassword := strings.Cut(userinfo, ":")
	switch strings.ToLower(scheme) {
	case "ssh", "git+ssh", "ssh+git":
		if !hasPassword {
			return u
		}
		return scheme + "://" + user + ":***@" + rest
	}
	return scheme + "://***@" + rest
}

// splitUserinfo cuts a URL "SCHEME://USERINFO@REST" at its user information: the last @
// before the path.
func splitUserinfo(u string) (scheme, userinfo, rest string, ok bool) {
	scheme, after, ok := strings.Cut(u, "://")
	if !ok {
		return "", "", "", false
	}
	authority := after
	if i := strings.IndexAny(after, "/?#"); i >= 0 {
		authority = after[:i]
	}
	at := strings.LastIndexByte(authority, '@')
	if at < 0 {
		return "", "", "", false
	}
	return scheme, after[:at], after[at+1:], true
}

// scrub takes the credentials of clone URL u out of msg: the URL itself (as a library
// may quote it), its password, and for http(s) its user name, which may be a token, in
// the forms they may be written in.
func scrub(msg, u string) string {
	msg = strings.ReplaceAll(msg, u, redactURL(u))
	scheme, userinfo, _, ok := splitUserinfo(u)
	if !ok {
		return msg
	}
	msg = strings.ReplaceAll(msg, userinfo+"@", "***@")
	user, password, _ := strings.Cut(userinfo, ":")
	secrets := []string{password}
	switch strings.ToLower(scheme) {
	case "ssh", "git+ssh", "ssh+git":
	default:
		secrets = append(secrets, user)
	}
	for _, s := range secrets {
		forms := []string{s}
		if d, err := url.PathUnescape(s); err == nil {
			forms = append(forms, d, url.QueryEscape(d), url.PathEscape(d))
		}
		for _, f := range forms {
			// Short values (a user named "git") are not secrets and would garble the text.
			if len(f) >= 4 {
				msg = strings.ReplaceAll(msg, f, "***")
			}
		}
	}
	return msg
}
