package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dustin/go-humanize/english"
	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/scanner"
	gitsrc "github.com/leakstop/leakstop/scanner/git"
)

// gitOptions are the flags and argument of `leakstop git`.
type gitOptions struct {
	app *app
	scanOptions
	Since      []string
	Range      string
	Staged     bool
	Reader     string
	WholeBlobs bool
	// Repo is a path or a clone URL.
	Repo string
}

func (a *app) gitCommand() *cobra.Command {
	o := &gitOptions{app: a}
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
			o.Repo = "."
			if len(args) == 1 {
				o.Repo = args[0]
			}
			return runGit(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	o.bind(f)
	f.StringArrayVar(&o.Since, "since", nil, "only what is not reachable from `REV` (repeatable)")
	f.StringVar(&o.Range, "range", "", "only the commits of `A..B`, as git says it (a push or a pull request)")
	f.BoolVar(&o.Staged, "staged", false, "only the staged changes (what a pre-commit hook checks)")
	f.StringVar(&o.Reader, "reader", "", "how objects are read: git|cat-file|go-git (default: git when installed; also $"+gitsrc.ReaderEnv+")")
	f.MarkHidden("reader")
	f.BoolVar(&o.WholeBlobs, "whole-blobs", false, "match every blob in full (slower; the findings are the same)")
	f.MarkHidden("whole-blobs")
	return cmd
}

func (o *gitOptions) validate() error {
	if err := o.scanOptions.validate(); err != nil {
		return err
	}
	if o.Staged && (len(o.Since) > 0 || o.Range != "") {
		return usageError("--staged goes without --since and --range")
	}
	if o.Range != "" && len(o.Since) > 0 {
		return usageError("--range and --since do not go together; give one")
	}
	return nil
}

func runGit(ctx context.Context, o *gitOptions, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	a := o.app
	readerName := o.Reader
	if readerName == "" {
		readerName = a.getenv(gitsrc.ReaderEnv)
	}
	reader, err := gitsrc.ParseReader(readerName)
	if err != nil {
		return usageError("%v", err)
	}
	if o.Staged {
		loaded, log, err := a.start(&o.scanOptions, stderr, gitRoot(o.Repo))
		if err != nil {
			return err
		}
		src := &gitsrc.Staged{Dir: o.Repo, MaxFileSize: o.scan.maxFileSize}
		err = a.runScan(ctx, scanRun{opts: &o.scanOptions, rules: loaded, source: src, log: log, root: o.Repo}, stdout)
		var leaks *leaksFound
		if errors.As(err, &leaks) {
			fmt.Fprintf(stderr, `
leakstop: commit blocked: the staged changes hold %s (shown above, redacted).
  Take the secret out of the file and stage it again; if it was ever pushed, revoke it.
  A false positive: add "leakstop:allow" in a comment on its line, or an allowlist entry
  in .leakstop.toml; "git commit --no-verify" skips this check once.
`, english.Plural(leaks.count, "secret", ""))
		}
		return err
	}
	dir := o.Repo
	if gitsrc.IsURL(o.Repo) {
		if o.scan.Config != "" {
			// A bad --config is said before a long clone, not after it.
			if _, err := loadRules(o.scan.Config); err != nil {
				return err
			}
		}
		tmp, err := os.MkdirTemp("", "leakstop-clone-")
		if err != nil {
			return fmt.Errorf("cloning: %w", err)
		}
		defer os.RemoveAll(tmp)
		if err := gitsrc.Clone(ctx, o.Repo, tmp); err != nil {
			return failure(err)
		}
		dir = tmp
	}
	// The configuration is the repository's own (a clone's HEAD tree for a URL).
	loaded, log, err := a.start(&o.scanOptions, stderr, gitRoot(dir))
	if err != nil {
		return err
	}
	src := &gitsrc.Source{
		Dir: dir, Since: o.Since, Range: o.Range, MaxFileSize: o.scan.maxFileSize,
		Reader: reader, Readers: o.scan.Jobs, Logger: log,
		// Permalinks when origin is on a known forge; GitHub Actions names its GitHub
		// Enterprise server in GITHUB_SERVER_URL.
		Forges: gitsrc.KnownForges(a.getenv("GITHUB_SERVER_URL")),
	}
	if !o.WholeBlobs {
		// Only the lines that can hold a secret go to the matcher; the findings are the
		// same (--whole-blobs, hidden, matches every blob in full to compare).
		src.Lines = loaded.set.LineFilter()
	}
	if bar := a.progressBar(&o.log, stderr, "reading history"); bar != nil {
		src.Progress = bar.progress
		defer bar.finish()
	}
	return a.runScan(ctx, scanRun{opts: &o.scanOptions, rules: loaded, source: src, log: log, root: repoRoot(dir)}, stdout)
}

// repoRoot is the folder SARIF paths are relative to.
func repoRoot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// gitSource is what runScan is handed for `leakstop git`; the assertion keeps the source's
// optional capabilities in sight.
var (
	_ scanner.Resolver = (*gitsrc.Source)(nil)
	_ scanner.Counter  = (*gitsrc.Source)(nil)
)
