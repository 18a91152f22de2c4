package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is leakstop's version, stamped from the build's module information: `leakstop
// version`, `--version`, every report, SARIF and the crawler's User-Agent carry it.
var version = buildVersion(debug.ReadBuildInfo())

// buildVersion says which leakstop this is, from what the Go toolchain recorded in the
// binary: the module version when it was installed as a module (`go install
// github.com/leakstop/leakstop/cmd/leakstop@v1.2.3`, or the pseudo-version Go 1.24 and
// later derive from a checkout's tag or commit); else the commit it was built from, with
// "-dirty" when the work tree had changes; else "devel" (built with -buildvcs=false, or
// outside a checkout).
func buildVersion(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// versionLine is what `leakstop version` and `leakstop --version` both print.
func versionLine() string { return "leakstop " + version + "\n" }

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the leakstop version",
		Args:  cobra.NoArgs,
		RunE: runE(func(_ context.Context, stdout, _ io.Writer) error {
			fmt.Fprint(stdout, versionLine())
			return nil
		}),
	}
}
