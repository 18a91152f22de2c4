package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/leakstop/leakstop/rules"
)

// app holds what every command of one process shares: standard input, the environment, and
// the redactor that keeps secrets out of every message printed (it learns each secret as
// the scan finds it, and Main redacts the final error with it too).
type app struct {
	stdin       io.Reader
	getenv      func(string) string
	redactor    rules.Redactor
	showSecrets bool
	// con is standard error as every line written there passes it (logs.go).
	con     *console
	conOnce sync.Once
}

func (a *app) redact(s string) string {
	if a.showSecrets {
		return s
	}
	return a.redactor.Redact(s)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// runFunc is a command's run function bound to its options.
type runFunc func(ctx context.Context, stdout, stderr io.Writer) error

// runE adapts a run function to cobra: the streams are the command's own.
func runE(run runFunc) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		return run(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr())
	}
}

func (a *app) rootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "leakstop",
		Short: "Find leaked API keys, check whether they are live, revoke them, and track each leak",
		Long: `leakstop finds leaked credentials in git history, working trees, staged changes and
client-side JavaScript bundles; asks each provider whether a key is live; revokes live
keys through the provider's API; and opens a GitHub issue for every leak.

Exit status: 0 no leak, 1 (or --exit-code) leaks found, 3 a secret verified live is still
active, 2 error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetVersionTemplate("leakstop {{.Version}}\n") // as `leakstop version` says it
	root.SetIn(a.stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%v", err).withHint("see '%s --help'", c.CommandPath())
	})
	// The commands, listed by hand: each lives in its own file.
	root.AddCommand(
		a.dirCommand(),
		a.urlCommand(),
		a.gitCommand(), a.hookCommand(),
		a.ciCommand(),
		a.orgCommand(), a.mergeCommand(),
		a.revokeCommand(),
		a.rulesCommand(), a.providersCommand(),
		versionCommand(),
	)
	return root
}

// rulesOptions are the flags of `leakstop rules`.
type rulesOptions struct {
	Config string
}

func (a *app) rulesCommand() *cobra.Command {
	o := &rulesOptions{}
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rules, one a line: id, provider, description",
		Args:  cobra.NoArgs,
		RunE: runE(func(ctx context.Context, stdout, stderr io.Writer) error {
			return runRules(ctx, o, stdout, stderr)
		}),
	}
	cmd.Flags().StringVarP(&o.Config, "config", "c", "", "also list the rules of this config `FILE`")
	return cmd
}

func runRules(_ context.Context, o *rulesOptions, stdout, _ io.Writer) error {
	loaded, err := loadRules(o.Config, workRoot())
	if err != nil {
		return err
	}
	// Columns as wide as the longest id and provider: ids grow with the providers.
	w := tabwriter.NewWriter(stdout, 0, 0, 1, ' ', 0)
	for _, r := range loaded.set.Rules {
		provider := r.Provider
		if provider == "" {
			provider = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", r.ID, provider, r.Description)
	}
	return w.Flush()
}
