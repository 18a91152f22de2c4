package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/leakstop/leakstop/revoke"
)

// providersOptions are the flags of `leakstop providers`.
type providersOptions struct {
	Format string
}

func (a *app) providersCommand() *cobra.Command {
	o := &providersOptions{}
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "List the providers: id, name, rules, whether leakstop verifies and revokes, the variables it reads",
		Long: `List every provider leakstop knows, one a line: its id, its name, how many rules find its
secrets, whether leakstop verifies them (--verify) and revokes them (--revoke), and the
environment variables it reads for it (its base URL, and the operator credentials it uses).
Providers of the "generic" category are kinds of credential no one issued (private keys,
JWTs, passwords in URLs, the generic rule). --format json writes the same, and more (the
calls, the rotation page, the documentation), for scripts.`,
		Args: cobra.NoArgs,
		RunE: runE(func(ctx context.Context, stdout, stderr io.Writer) error {
			return runProviders(ctx, o, stdout, stderr)
		}),
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "text", "output format: text|json")
	return cmd
}

// providerJSON is one provider in `leakstop providers --format json`.
type providerJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Category    string   `json:"category"`
	Rules       int      `json:"rules"`
	RuleIDs     []string `json:"rule_ids"`
	Verifies    bool     `json:"verifies"`
	Revokes     bool     `json:"revokes"`
	Verify      string   `json:"verify,omitempty"`
	Revoke      string   `json:"revoke,omitempty"`
	Variables   []string `json:"variables"`
	Credentials []string `json:"credentials"`
	URLEnv      string   `json:"url_env,omitempty"`
	Rotate      string   `json:"rotate,omitempty"`
	Docs        []string `json:"docs"`
}

func runProviders(_ context.Context, o *providersOptions, stdout, _ io.Writer) error {
	if o.Format != "text" && o.Format != "json" {
		return usageError("--format %q is not text or json", o.Format)
	}
	// Which providers verify and revoke is the registry's; no variable is read for it.
	reg, err := revoke.Builtin(revoke.Config{})
	if err != nil {
		return failure(err)
	}
	infos := reg.Providers()
	if o.Format == "json" {
		out := struct {
			Providers []providerJSON `json:"providers"`
		}{Providers: []providerJSON{}}
		for _, p := range infos {
			out.Providers = append(out.Providers, providerJSON{
				ID: p.ID, Name: p.Name, Category: p.Category, Rules: len(p.Rules), RuleIDs: p.Rules,
				Verifies: p.Verifies, Revokes: p.Revokes, Verify: p.Calls.Verify, Revoke: p.Calls.Revoke,
				Variables: nonNil(p.Variables()), Credentials: nonNil(p.Credentials), URLEnv: p.URLEnv,
				Rotate: p.Rotate, Docs: nonNil(p.Docs),
			})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tRULES\tVERIFY\tREVOKE\tVARIABLES")
	for _, p := range infos {
		vars := strings.Join(p.Variables(), " ")
		if vars == "" {
			vars = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, strconv.Itoa(len(p.Rules)), yesNo(p.Verifies), yesNo(p.Revokes), vars)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
