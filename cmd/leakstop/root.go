package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/leakstop/leakstop/rules"
)

// app holds what every command shares: the standard streams, the environment, and the
// redactor that keeps secrets out of every message printed.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	redactor       rules.Redactor
	showSecrets    bool
	// logMu serialises log lines: verify, revoke and scan workers log at once, and stderr
	// may be a plain buffer (tests, or a caller embedding Main).
	logMu sync.Mutex
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

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "leakstop",
		Short: "Find leaked API keys, check whether they are live, revoke them, and track each leak",
		Long: `leakstop finds leaked credentials in git history, working trees, staged changes and
client-side JavaScript bundles; asks each provider whether a key is live; revokes live
keys through the provider's API; and opens a GitHub issue for every leak.

Exit status: 0 no leak, 1 (or --exit-code) leaks found, 2 error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%v (see '%s --help')", err, c.CommandPath())
	})
	// The commands, listed by hand: each lives in its own file.
	root.AddCommand(
		a.dirCommand(),
		a.urlCommand(),
		a.gitCommand(), a.hookCommand(),
		a.revokeCommand(),
		a.rulesCommand(),
		a.versionCommand(),
	)
	return root
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the leakstop version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.stdout, "leakstop %s\n", version)
			return nil
		},
	}
}

func (a *app) rulesCommand() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rules, one a line: id, provider, description",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, _, err := loadRules(configPath)
			if err != nil {
				return err
			}
			for _, r := range set.Rules {
				provider := r.Provider
				if provider == "" {
					provider = "-"
				}
				fmt.Fprintf(a.stdout, "%-32s %-13s %s\n", r.ID, provider, r.Description)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&configPath, "config", "c", "", "also list the rules of this config file")
	return cmd
}
