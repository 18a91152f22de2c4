package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/scanner/report"
)

// hookMarker marks a pre-commit hook that leakstop wrote, so that install may replace it.
const hookMarker = "# installed by leakstop hook install"

// hookScript is the pre-commit hook. It prefers the leakstop on PATH and falls back to the
// binary that installed it.
const hookScript = `#!/bin/sh
` + hookMarker + `
# Blocks a commit whose staged changes hold a secret. "git commit --no-verify" skips it once.
if command -v leakstop >/dev/null 2>&1; then
	exec leakstop git --staged
fi
exec %s git --staged
`

// hookBackupSuffix names the copy of a hook that `hook install --force` replaced, beside it;
// `hook uninstall` puts it back.
const hookBackupSuffix = ".leakstop-backup"

func (a *app) hookCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook",
		Short: "Manage the git pre-commit hook",
		Args:  cobra.NoArgs,
	}
	o := &hookOptions{Dir: "."}
	install := &cobra.Command{
		Use:   "install",
		Short: "Write .git/hooks/pre-commit that runs `leakstop git --staged`",
		Long: `Write the repository's pre-commit hook (.git/hooks/pre-commit, or where core.hooksPath
points) so that every commit is checked with "leakstop git --staged". An existing hook that
leakstop did not write is kept unless --force is given; then it is moved aside to
pre-commit` + hookBackupSuffix + `, and "leakstop hook uninstall" puts it back.`,
		Args: cobra.NoArgs,
		RunE: runE(func(ctx context.Context, stdout, stderr io.Writer) error {
			return runHookInstall(ctx, o, stdout, stderr)
		}),
	}
	install.Flags().BoolVar(&o.Force, "force", false, "replace a pre-commit hook that leakstop did not write (it is kept as pre-commit"+hookBackupSuffix+")")
	uo := &hookOptions{Dir: "."}
	uninstall := &cobra.Command{
		Use:   "uninstall",
		Short: "Remove the pre-commit hook that leakstop wrote, putting back the one it replaced",
		Long: `Remove the repository's pre-commit hook if leakstop wrote it, and put back the hook that
"leakstop hook install --force" replaced, if any. A hook that leakstop did not write is kept
unless --force is given.`,
		Args: cobra.NoArgs,
		RunE: runE(func(ctx context.Context, stdout, stderr io.Writer) error {
			return runHookUninstall(ctx, uo, stdout, stderr)
		}),
	}
	uninstall.Flags().BoolVar(&uo.Force, "force", false, "remove a pre-commit hook that leakstop did not write")
	cmd.AddCommand(install, uninstall)
	return cmd
}

// hookOptions are the flags of `leakstop hook install` and `leakstop hook uninstall`.
type hookOptions struct {
	// Dir is a folder of the repository whose hook is written.
	Dir   string
	Force bool
}

// preCommitHook is a repository's pre-commit hook as leakstop finds it.
type preCommitHook struct {
	// path is where git runs the hook from (core.hooksPath included); backup is where
	// install --force keeps the hook it replaced.
	path, backup string
	// exists says there is a hook; ours that leakstop wrote it.
	exists, ours bool
}

// findHook finds the pre-commit hook of the repository holding dir; doing ("installing",
// "removing") starts its errors.
func findHook(ctx context.Context, dir, doing string) (*preCommitHook, error) {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--git-path", "hooks/pre-commit").Output()
	if err != nil {
		return nil, usageError("%s the hook: %s is not in a git repository", doing, dir).withHint("run it in a clone")
	}
	h := &preCommitHook{path: strings.TrimSpace(string(out))}
	if !filepath.IsAbs(h.path) {
		h.path = filepath.Join(dir, h.path)
	}
	h.backup = h.path + hookBackupSuffix
	old, err := os.ReadFile(h.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("%s the hook: %w", doing, err)
	default:
		h.exists, h.ours = true, bytes.Contains(old, []byte(hookMarker))
	}
	return h, nil
}

// hasBackup reports whether a hook that install --force replaced is kept beside the hook.
func (h *preCommitHook) hasBackup() bool {
	_, err := os.Lstat(h.backup)
	return err == nil
}

// runHookInstall writes the pre-commit hook of the repository holding o.Dir.
func runHookInstall(ctx context.Context, o *hookOptions, stdout, _ io.Writer) error {
	h, err := findHook(ctx, o.Dir, "installing")
	if err != nil {
		return err
	}
	path, backup := h.path, h.backup
	replace := h.exists && !h.ours
	if replace {
		if !o.Force {
			return usageError("installing the hook: %s exists and was not written by leakstop", path).
				withHint("add `leakstop git --staged` to it by hand, or replace it with --force (it is kept as %s)", filepath.Base(backup))
		}
		if h.hasBackup() {
			return usageError("installing the hook: %s already holds an earlier hook; it would be lost", backup).
				withHint("move it away first, or put it back with: leakstop hook uninstall --force")
		}
	}
	self, err := os.Executable()
	if err != nil {
		self = "leakstop"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("installing the hook: %w", err)
	}
	if replace {
		if err := os.Rename(path, backup); err != nil {
			return fmt.Errorf("installing the hook: keeping the old one: %w", err)
		}
		fmt.Fprintf(stdout, "leakstop: the existing hook was moved to %s (leakstop hook uninstall puts it back)\n", report.Printable(backup))
	}
	// Written beside the hook and renamed over it, so that a commit never runs half a hook.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pre-commit-leakstop-*")
	if err != nil {
		return fmt.Errorf("installing the hook: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = fmt.Fprintf(tmp, hookScript, shellQuote(self))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o755)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("installing the hook: %w", err)
	}
	fmt.Fprintf(stdout, "leakstop: pre-commit hook written to %s\n", report.Printable(path))
	return nil
}

// runHookUninstall removes the pre-commit hook leakstop wrote in the repository holding
// o.Dir, and puts back the hook that install --force moved aside.
func runHookUninstall(ctx context.Context, o *hookOptions, stdout, _ io.Writer) error {
	h, err := findHook(ctx, o.Dir, "removing")
	if err != nil {
		return err
	}
	path, backup, hasBackup := h.path, h.backup, h.hasBackup()
	switch {
	case h.exists && !h.ours && !o.Force:
		e := usageError("removing the hook: %s was not written by leakstop; it is kept", path)
		if hasBackup {
			e.withHint("remove it with --force, which also puts back %s", filepath.Base(backup))
		} else {
			e.withHint("take leakstop out of it by hand, or remove it with --force")
		}
		return e
	case h.exists:
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("removing the hook: %w", err)
		}
		fmt.Fprintf(stdout, "leakstop: pre-commit hook %s removed\n", report.Printable(path))
	case !hasBackup:
		fmt.Fprintf(stdout, "leakstop: no pre-commit hook in %s; nothing to remove\n", report.Printable(filepath.Dir(path)))
		return nil
	}
	if hasBackup {
		if err := os.Rename(backup, path); err != nil {
			return fmt.Errorf("removing the hook: putting back the earlier one: %w", err)
		}
		fmt.Fprintf(stdout, "leakstop: the earlier hook is back in %s\n", report.Printable(path))
	}
	return nil
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
