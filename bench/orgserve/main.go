// Command orgserve generates a GitHub organisation of bare repositories on disk and serves
// it on loopback, with the fake REST API and smart-HTTP git server the tests use
// (scanner/org/orgtest), for bench/org.sh to time `leakstop org` against.
//
//	orgserve generate -root DIR -repos 200   make DIR/srv/acme/repo-NNN.git: varied sizes
//	                                         (a few commits to a few hundred), a secret in
//	                                         every twentieth repository
//	orgserve serve -root DIR -repos N        serve the first N of them until killed, and
//	                                         write GITHUB_API_URL and GITHUB_TOKEN to
//	                                         DIR/env (sh syntax)
//	orgserve touch -root DIR -n 5            one new commit in each of the first n
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/org/orgtest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: orgserve generate|serve|touch -root DIR ...")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	root := fs.String("root", "", "folder of the organisation")
	repos := fs.Int("repos", 200, "repositories")
	n := fs.Int("n", 5, "repositories to add a commit to (touch)")
	fs.Parse(os.Args[2:])
	if *root == "" {
		fmt.Fprintln(os.Stderr, "orgserve: -root is required")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "generate":
		err = generate(*root, *repos)
	case "serve":
		err = serve(*root, *repos)
	case "touch":
		err = touch(*root, *n)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "orgserve:", err)
		os.Exit(1)
	}
}

func repoName(i int) string { return fmt.Sprintf("repo-%03d", i) }

func bare(root string, i int) string {
	return filepath.Join(root, "srv", "acme", repoName(i)+".git")
}

func git(dir string, stdin *os.File, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C")
	if stdin != nil {
		cmd.Stdin = stdin
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// generate makes the repositories with git fast-import: repository i has a size drawn from
// a long-tailed spread (most small, a few large), files edited over and over, and every
// twentieth a secret in one commit, deleted again later.
func generate(root string, n int) error {
	rnd := rand.New(rand.NewPCG(7, 11))
	keys := rules.NewGenerator(7)
	for i := range n {
		dir := bare(root, i)
		if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := git(dir, nil, "init", "-q", "--bare", "-b", "main"); err != nil {
			return err
		}
		commits := 5 + int(rnd.ExpFloat64()*60)
		if i%50 == 7 {
			commits = 1500 // a few large ones
		}
		files := 5 + rnd.IntN(40)
		stream, err := os.CreateTemp("", "orgserve-*.fi")
		if err != nil {
			return err
		}
		w := bufio.NewWriter(stream)
		secretAt := -1
		if i%20 == 3 {
			secretAt = commits / 2
		}
		for c := range commits {
			fmt.Fprintf(w, "commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\n", 1700000000+c*3600)
			msg := fmt.Sprintf("change %d", c)
			fmt.Fprintf(w, "data %d\n%s\n", len(msg), msg)
			for e := 0; e < 1+rnd.IntN(3); e++ {
				f := rnd.IntN(files)
				var b strings.Builder
				lines := 20 + rnd.IntN(200)
				for l := range lines {
					fmt.Fprintf(&b, "line %d of file %d: %s\n", l, f, keys.Chars("abcdefghijklmnopqrstuvwxyz ", 40))
				}
				if c == secretAt && e == 0 {
					b.WriteString("OPENAI_API_KEY=" + keys.OpenAIKey("sk-proj-", 74) + "\n")
				}
				fmt.Fprintf(w, "M 644 inline src/file-%03d.txt\ndata %d\n%s\n", f, b.Len(), b.String())
			}
		}
		w.Flush()
		stream.Seek(0, 0)
		err = git(dir, stream, "fast-import", "--quiet")
		stream.Close()
		os.Remove(stream.Name())
		if err != nil {
			return err
		}
		if err := git(dir, nil, "gc", "-q"); err != nil {
			return err
		}
	}
	return nil
}

// touch adds one commit with a new file to each of the first n repositories.
func touch(root string, n int) error {
	keys := rules.NewGenerator(uint64(os.Getpid()))
	for i := range n {
		stream, err := os.CreateTemp("", "orgserve-*.fi")
		if err != nil {
			return err
		}
		content := "new " + keys.Chars("abcdefghijklmnopqrstuvwxyz", 32) + "\n"
		fmt.Fprintf(stream, "commit refs/heads/main\ncommitter Bench <bench@example.com> 1800000000 +0000\ndata 5\ntouch\nfrom refs/heads/main^0\nM 644 inline touched-%s.txt\ndata %d\n%s\n",
			keys.Chars("abcdef", 8), len(content), content)
		stream.Seek(0, 0)
		err = git(bare(root, i), stream, "fast-import", "--quiet")
		stream.Close()
		os.Remove(stream.Name())
		if err != nil {
			return err
		}
	}
	return nil
}

// serve serves the first n repositories until a signal comes.
func serve(root string, n int) error {
	tb := &programTB{}
	defer tb.cleanup()
	f := orgtest.NewIn(tb, root)
	for i := range n {
		if _, err := os.Stat(bare(root, i)); err != nil {
			return fmt.Errorf("no repository %d under %s: run orgserve generate first", i, root)
		}
		f.AddExisting("acme", repoName(i))
	}
	env := fmt.Sprintf("GITHUB_API_URL=%s\nGITHUB_TOKEN=%s\nexport GITHUB_API_URL GITHUB_TOKEN\n", f.APIURL, orgtest.PAT)
	if err := os.WriteFile(filepath.Join(root, "env"), []byte(env), 0o600); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

// programTB is orgtest's TB for a program: failures end it, and cleanups run at its end.
type programTB struct{ cleanups []func() }

func (t *programTB) Helper() {}
func (t *programTB) Fatal(args ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"orgserve:"}, args...)...)
	t.cleanup()
	os.Exit(1)
}
func (t *programTB) Fatalf(format string, args ...any) { t.Fatal(fmt.Sprintf(format, args...)) }
func (t *programTB) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "orgserve: "+format+"\n", args...)
}
func (t *programTB) Skip(args ...any) { t.Fatal(args...) }
func (t *programTB) TempDir() string {
	d, err := os.MkdirTemp("", "orgserve-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
func (t *programTB) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *programTB) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	t.cleanups = nil
}
