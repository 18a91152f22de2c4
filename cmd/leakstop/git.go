package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/scanner"
	gitsrc "github.com/leakstop/leakstop/scanner/git"
)

// gitOptions are the flags of `leakstop git`.
type gitOptions struct {
	scanOptions
	Since      []string
	Range      string
	Staged     bool
	Reader     string
	WholeBlobs bool
}

func (a *app) gitCommand() *cobra.Command {
	o := &gitOptions{}
	cmd := &cobra.Command{
		Use:   "git [REPO]",
		Short: "Scan every commit reachable from every ref of a repository (a path or a clone URL; default .)",
		Long: `Scan the history of a git repository: every blob reachable from every ref (branches,
tags, remote-tracking refs, notes, stash) is read and matched once, however many commits
hold it; each finding is placed at the commit that introduced it, with its author and date.

REPO is a working tree, a bare repository, or a clone URL (cloned, bare, into a temporary
folder first).`,
		Example: `  leakstop git
  leakstop git --since origin/main
  leakstop git --range "$BEFORE..$AFTER" --format sarif -o leakstop.sarif
  leakstop git https://github.com/OWNER/REPO.git
  leakstop git --staged          # what a pre-commit hook runs`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			repo := "."
			if len(args) == 1 {
				repo = args[0]
			}
			return a.runGit(cmd, o, repo)
		},
	}
	o.bind(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&o.Since, "since", nil, "only what is not reachable from `REV` (repeatable)")
	f.StringVar(&o.Range, "range", "", "only the commits of `A..B`, as git says it (a push or a pull request)")
	f.BoolVar(&o.Staged, "staged", false, "only the staged changes (what a pre-commit hook checks)")
	f.StringVar(&o.Reader, "reader", "", "how objects are read: git|go-git (default: git when installed; also $"+gitsrc.ReaderEnv+")")
	f.MarkHidden("reader")
	f.BoolVar(&o.WholeBlobs, "whole-blobs", false, "match every blob in full (slower; the findings are the same)")
	f.MarkHidden("whole-blobs")
	return cmd
}

func (a *app) runGit(cmd *cobra.Command, o *gitOptions, repo string) error {
	ctx := cmd.Context()
	readerName := o.Reader
	if readerName == "" {
		readerName = a.getenv(gitsrc.ReaderEnv)
	}
	reader, err := gitsrc.ParseReader(readerName)
	if err != nil {
		return usageError("%v", err)
	}
	if o.Staged {
		if len(o.Since) > 0 || o.Range != "" {
			return usageError("--staged goes without --since and --range")
		}
		src := &gitsrc.Staged{Dir: repo, MaxFileSize: o.maxFileSize}
		err := a.runScan(ctx, scanRun{opts: &o.scanOptions, source: src, root: repo})
		var leaks *leaksFound
		if errors.As(err, &leaks) {
			fmt.Fprintf(a.stderr, `
leakstop: commit blocked: the staged changes hold %d %s (shown above, redacted).
  Take the secret out of the file and stage it again; if it was ever pushed, revoke it.
  A false positive: add "leakstop:allow" in a comment on its line, or an allowlist entry
  in .leakstop.toml; "git commit --no-verify" skips this check once.
`, leaks.count, plural(leaks.count, "secret", "secrets"))
		}
		return err
	}
	if o.Range != "" && len(o.Since) > 0 {
		return usageError("--range and --since do not go together; give one")
	}
	dir := repo
	if gitsrc.IsURL(repo) {
		tmp, err := os.MkdirTemp("", "leakstop-clone-")
		if err != nil {
			return fmt.Errorf("cloning: %w", err)
		}
		defer os.RemoveAll(tmp)
		if err := gitsrc.Clone(ctx, repo, tmp); err != nil {
			return &statusError{code: exitError, msg: err.Error()}
		}
		dir = tmp
	}
	src := &gitsrc.Source{
		Dir: dir, Since: o.Since, Range: o.Range, MaxFileSize: o.maxFileSize,
		Reader: reader, Readers: o.Jobs, Logger: a.logger(&o.scanOptions),
	}
	if !o.WholeBlobs {
		// Only the lines that can hold a secret go to the matcher; the findings are the
		// same (--whole-blobs, hidden, matches every blob in full to compare).
		set, _, err := loadRules(o.Config)
		if err != nil {
			return err
		}
		src.Anchors = gitsrc.NewAnchors(set)
	}
	if isTerminal(a.stderr) {
		bar := &lazyBar{out: a.stderr, start: time.Now()}
		src.Progress = bar.progress
		defer bar.finish()
	}
	return a.runScan(ctx, scanRun{opts: &o.scanOptions, source: src, root: repoRoot(dir)})
}

// repoRoot is the folder SARIF paths are relative to.
func repoRoot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// lazyBar shows a progress bar on a terminal once a scan has taken more than a moment, so
// quick scans print nothing extra.
type lazyBar struct {
	mu    sync.Mutex
	out   io.Writer
	start time.Time
	total int64
	done  int64
	bar   *progressbar.ProgressBar
}

func (b *lazyBar) progress(n int64, add bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !add {
		b.total = n
		return
	}
	b.done += n
	if b.bar == nil {
		if time.Since(b.start) < time.Second || b.total == 0 {
			return
		}
		b.bar = progressbar.NewOptions64(b.total,
			progressbar.OptionSetWriter(b.out),
			progressbar.OptionSetDescription("reading history"),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30),
		)
		b.bar.Add64(b.done)
		return
	}
	b.bar.Add64(n)
}

func (b *lazyBar) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar != nil {
		b.bar.Finish()
	}
}

// gitSource is what runScan is handed for `leakstop git`; the assertion keeps the source's
// optional capabilities in sight.
var (
	_ scanner.Resolver = (*gitsrc.Source)(nil)
	_ scanner.Counter  = (*gitsrc.Source)(nil)
)
