package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/scanner/files"
	"github.com/leakstop/leakstop/scanner/web"
)

func (a *app) dirCommand() *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "dir PATH...",
		Short: "Scan files and folders, without history (\"-\" reads standard input)",
		Example: `  leakstop dir .
  leakstop dir dist/ --format sarif -o leakstop.sarif
  cat .env | leakstop dir -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			src := &files.Source{Paths: args, MaxFileSize: o.maxFileSize, Stdin: a.stdin, Expand: new(web.Expander).Expand}
			root, _ := os.Getwd() // SARIF URIs are relative to where the user stands
			return a.runScan(cmd.Context(), scanRun{opts: o, source: src, root: root})
		},
	}
	o.bind(cmd)
	return cmd
}
