package org

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// gitEnv is the environment of a git command that fetches from rawURL with token: the
// process's own (which holds no credential: leakstop takes them out of it at start), no
// prompts, English messages, and the token as an http.<origin>.extraHeader setting given
// the way git reads settings from its environment (GIT_CONFIG_COUNT, GIT_CONFIG_KEY_n,
// GIT_CONFIG_VALUE_n, after any the environment already has), so that it is on no command
// line and in no file. The header is for the repository's origin only; redirects are not
// followed (the API names each repository's current URL), and the user's credential
// helpers are not asked.
func gitEnv(base []string, rawURL, token string) []string {
	env := make([]string, 0, len(base)+12)
	n := 0
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "GIT_CONFIG_COUNT":
			if c, err := strconv.Atoi(v); err == nil && c > 0 {
				n = c
			}
			continue
		case "GIT_TERMINAL_PROMPT", "GIT_ASKPASS", "SSH_ASKPASS", "LC_ALL":
			continue
		}
		env = append(env, kv)
	}
	set := func(k, v string) {
		i := strconv.Itoa(n)
		env = append(env, "GIT_CONFIG_KEY_"+i+"="+k, "GIT_CONFIG_VALUE_"+i+"="+v)
		n++
	}
	set("credential.helper", "")
	set("http.followRedirects", "false")
	// A server that stops sending (under a kilobyte a second for a minute) ends the fetch
	// rather than holding a worker for ever.
	set("http.lowSpeedLimit", "1000")
	set("http.lowSpeedTime", "60")
	set("protocol.ext.allow", "never")
	set("protocol.fd.allow", "never")
	set("protocol.file.allow", "never")
	if token != "" {
		set("http."+origin(rawURL)+".extraHeader", "Authorization: Basic "+basicAuth(token))
	}
	env = append(env, "GIT_CONFIG_COUNT="+strconv.Itoa(n), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	return env
}

// basicAuth is the value of a Basic Authorization header with token as the password, as
// GitHub takes installation and personal access tokens over git.
func basicAuth(token string) string {
	return base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
}

// origin is the scheme, host and port of rawURL with a final slash, for an http.<url>.*
// setting that applies to the whole server; rawURL itself when it does not parse.
func origin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return rawURL
	}
	return u.Scheme + "://" + u.Host + "/"
}

// mirrors is the cache folder of bare mirrors, one per repository, by the repository's id
// (which stays when the repository is renamed), under a folder per GitHub host.
type mirrors struct {
	dir   string
	token func(ctx context.Context) (string, error)
	// env is the process's environment (os.Environ); tests set it.
	env []string
}

// path is where the mirror of r is kept.
func (m *mirrors) path(host string, id int64) string {
	return filepath.Join(m.dir, safeName(host), strconv.FormatInt(id, 10)+".git")
}

// safeName makes a host ("127.0.0.1:8080") a folder name.
func safeName(host string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, host)
}

// maxGitStderr bounds what is kept of a git command's standard error.
const maxGitStderr = 64 << 10

// gitRun runs git with args (which hold no credential) in the environment that carries the
// token for rawURL. The error is git's own first lines, the token taken out of them.
func (m *mirrors) gitRun(ctx context.Context, rawURL string, args ...string) error {
	tok := ""
	if m.token != nil {
		var err error
		if tok, err = m.token(ctx); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	env := m.env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = gitEnv(env, rawURL, tok)
	cmd.WaitDelay = 5 * time.Second
	var stderr limitedBuffer
	stderr.max = maxGitStderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := gitMessage(stderr.String(), tok)
		if msg == "" {
			msg = err.Error()
		}
		return &fetchError{msg: "git " + args[0] + ": " + msg}
	}
	return nil
}

// gitMessage is what git said on standard error, fit for a log line: its first three
// lines, with the token (and the header made of it) taken out should git ever quote them.
func gitMessage(stderr, tok string) string {
	if tok != "" {
		stderr = strings.ReplaceAll(stderr, basicAuth(tok), "***")
		stderr = strings.ReplaceAll(stderr, tok, "***")
	}
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "hint:") {
			lines = append(lines, l)
		}
		if len(lines) == 3 {
			break
		}
	}
	return strings.Join(lines, "; ")
}

// fetchError is a clone or fetch that failed.
type fetchError struct{ msg string }

func (e *fetchError) Error() string { return e.msg }

// Hint says what to check.
func (e *fetchError) Hint() string {
	return "check that the token may read the repository's contents, and that GitHub can be reached; the next run tries again"
}

type limitedBuffer struct {
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string { return b.buf.String() }

// sync brings the mirror at dir up to date with rawURL: a whole clone when there is none yet
// (made beside it and moved into place, so that a run killed while cloning leaves no half
// mirror), else a fetch of every ref, pruning those the server no longer has; only the
// objects the mirror lacks cross the network. cloned tells which it was.
func (m *mirrors) sync(ctx context.Context, rawURL, dir string) (cloned bool, err error) {
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
		return false, m.gitRun(ctx, rawURL, "-C", dir, "fetch", "--prune", "--quiet", "--no-write-fetch-head", "--", rawURL, "+refs/*:refs/*")
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return false, fmt.Errorf("making the mirror folder: %w", err)
	}
	partial := dir + ".partial"
	if err := os.RemoveAll(partial); err != nil {
		return false, fmt.Errorf("removing a mirror left half made: %w", err)
	}
	if err := m.gitRun(ctx, rawURL, "clone", "--mirror", "--quiet", "--", rawURL, partial); err != nil {
		os.RemoveAll(partial)
		return false, err
	}
	os.RemoveAll(dir) // a folder without HEAD is no mirror
	if err := os.Rename(partial, dir); err != nil {
		return false, fmt.Errorf("moving the mirror into place: %w", err)
	}
	return true, nil
}

// localGit runs git on the mirror at dir (no network, no token) and returns its output.
func localGit(ctx context.Context, dir string, stdin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_CONFIG_NOSYSTEM=1")
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stderr limitedBuffer
	stderr.max = maxGitStderr
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if msg := gitMessage(stderr.String(), ""); msg != "" {
			return out, errors.New("git " + args[0] + ": " + msg)
		}
		return out, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}

// tips lists the refs of the mirror at dir and the commit each points at (a tag's commit
// for an annotated tag); refs at trees, blobs or tags of tags are left out, as they name
// no history to scan from.
func tips(ctx context.Context, dir string) (map[string]string, error) {
	out, err := localGit(ctx, dir, "", "for-each-ref", "--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)")
	if err != nil {
		return nil, fmt.Errorf("listing the mirror's refs: %w", err)
	}
	refs := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 5)
		if len(f) != 5 {
			continue
		}
		switch {
		case f[1] == "commit":
			refs[f[4]] = f[0]
		case f[1] == "tag" && f[3] == "commit":
			refs[f[4]] = f[2]
		}
	}
	return refs, sc.Err()
}

// present returns those of commits that the mirror at dir holds (as commits).
func present(ctx context.Context, dir string, commits []string) (map[string]bool, error) {
	have := map[string]bool{}
	if len(commits) == 0 {
		return have, nil
	}
	out, err := localGit(ctx, dir, strings.Join(commits, "\n")+"\n", "cat-file", "--batch-check=%(objectname) %(objecttype)")
	if err != nil {
		return nil, fmt.Errorf("checking the commits scanned before: %w", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if id, kind, ok := strings.Cut(line, " "); ok && kind == "commit" {
			have[id] = true
		}
	}
	return have, nil
}

// ancestor reports whether commit a is an ancestor of commit b (or b itself).
func ancestor(ctx context.Context, dir, a, b string) bool {
	_, err := localGit(ctx, dir, "", "merge-base", "--is-ancestor", a, b)
	return err == nil
}
