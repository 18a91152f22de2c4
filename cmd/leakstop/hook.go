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
leakstop did not write is kept unless --force is given.`,
		Args: cobra.NoArgs,
		RunE: runE(func(ctx context.Context, stdout, stderr io.Writer) error {
			return runHookInstall(ctx, o, stdout, stderr)
		}),
	}
	install.Flags().BoolVar(&o.Force, "force", false, "replace a pre-commit hook that leakstop did not write")
	cmd.AddCommand(install)
	return cmd
}

// hookOptions are the flags of `leakstop hook install`.
type hookOptions struct {
	// Dir is a folder of the repository whose hook is written.
	Dir   string
	Force bool
}

// runHookInstall writes the pre-commit hook of the repository holding o.Dir.
func runHookInstall(ctx context.Context, o *hookOptions, stdout, _ io.Writer) error {
	dir, force := o.Dir, o.Force
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--git-path", "hooks/pre-commit").Output()
	if err != nil {
		return usageError("installing the hook: %s is not in a git repository", dir).withHint("run it in a clone")
	}
	path := strings.TrimSpace(string(out))
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	old, err := os.ReadFile(path)
	switch {
	case err == nil && !bytes.Contains(old, []byte(hookMarker)) && !force:
		return usageError("installing the hook: %s exists and was not written by leakstop", path).
			withHint("add `leakstop git --staged` to it by hand, or replace it with --force")
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("installing the hook: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		self = "leakstop"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("installing the hook: %w", err)
	}
	script := fmt.Sprintf(hookScript, shellQuote(self))
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		return fmt.Errorf("installing the hook: %w", err)
	}
	if err := os.Chmod(path, 0o755); err != nil {
		return fmt.Errorf("installing the hook: %w", err)
	}
	fmt.Fprintf(stdout, "leakstop: pre-commit hook written to %s\n", path)
	return nil
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
