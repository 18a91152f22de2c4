package main

import (
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/scanner/files"
	"github.com/leakstop/leakstop/scanner/web"
)

// dirOptions are the flags and arguments of `leakstop dir`.
type dirOptions struct {
	app *app
	scanOptions
	Paths []string
}

func (a *app) dirCommand() *cobra.Command {
	o := &dirOptions{app: a}
	cmd := &cobra.Command{
		Use:   "dir PATH...",
		Short: "Scan files and folders, without history (\"-\" reads standard input)",
		Example: `  leakstop dir .
  leakstop dir dist/ --format sarif -o leakstop.sarif
  cat .env | leakstop dir -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return runDir(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	o.bind(cmd.Flags())
	return cmd
}

func runDir(ctx context.Context, o *dirOptions, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	a := o.app
	loaded, log, err := a.start(&o.scanOptions, stderr, dirRoot(o.Paths))
	if err != nil {
		return err
	}
	src := &files.Source{Paths: o.Paths, MaxFileSize: o.scan.maxFileSize, Stdin: a.stdin, Expand: new(web.Expander).Expand}
	root, _ := os.Getwd() // SARIF URIs are relative to where the user stands
	return a.runScan(ctx, scanRun{opts: &o.scanOptions, rules: loaded, source: src, log: log, root: root}, stdout)
}
