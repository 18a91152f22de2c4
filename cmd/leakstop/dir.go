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
	MaxDepth int
	Paths    []string
}

func (a *app) dirCommand() *cobra.Command {
	o := &dirOptions{app: a}
	cmd := &cobra.Command{
		Use:   "dir [PATH...]",
		Short: "Scan files and folders, without history (default .; \"-\" reads standard input)",
		Long: `Scan files and folders as they are, without history: the working directory when no
PATH is given, "-" for standard input. Folders are walked without following the symbolic
links inside them (a PATH that is a link is followed); .git folders, binary files, files
over --max-file-size, and named pipes, devices and sockets are passed over with a log line.`,
		Example: `  leakstop dir
  leakstop dir dist/ --format sarif -o leakstop.sarif
  cat .env | leakstop dir -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			if len(o.Paths) == 0 {
				o.Paths = []string{"."}
			}
			return runDir(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	o.bind(cmd.Flags())
	cmd.Flags().IntVar(&o.MaxDepth, "max-depth", files.DefaultMaxDepth, "walk at most `LEVELS` folders below each PATH")
	return cmd
}

func runDir(ctx context.Context, o *dirOptions, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.MaxDepth < 1 {
		return usageError("--max-depth must be at least 1")
	}
	a := o.app
	loaded, log, err := a.start(&o.scanOptions, stderr, dirRoot(o.Paths))
	if err != nil {
		return err
	}
	maps := &web.Expander{Roots: o.Paths, MaxFileSize: o.scan.maxFileSize}
	src := &files.Source{Paths: o.Paths, MaxFileSize: o.scan.maxFileSize, MaxDepth: o.MaxDepth, Stdin: a.stdin, Expand: maps.Expand, Logger: log}
	root, _ := os.Getwd() // SARIF URIs are relative to where the user stands
	return a.runScan(ctx, scanRun{opts: &o.scanOptions, rules: loaded, source: src, log: log, root: root}, stdout)
}
