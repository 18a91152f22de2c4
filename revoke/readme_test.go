package revoke_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/revoke"
	"github.com/leakstop/leakstop/rules"
)

var update = flag.Bool("update", false, "rewrite the generated provider tables of README.md and docs/providers.md")

// The generated tables sit between these lines.
const (
	tableBegin = "<!-- leakstop:providers:begin (generated from rules/builtin/ and the revoke registry by `go test ./revoke -run TestProviderTables -update`; do not edit) -->"
	tableEnd   = "<!-- leakstop:providers:end -->"
)

// TestProviderTables: the provider tables of README.md (what each provider gets) and
// docs/providers.md (the calls, the pages) are what the provider files and the registry say;
// -update rewrites them.
func TestProviderTables(t *testing.T) {
	reg, err := revoke.Builtin(revoke.Config{})
	if err != nil {
		t.Fatal(err)
	}
	infos := reg.Providers()
	for _, f := range []struct {
		path  string
		table string
	}{
		{filepath.Join("..", "README.md"), readmeTable(infos)},
		{filepath.Join("..", "docs", "providers.md"), callsTable(infos)},
	} {
		data, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		i, j := strings.Index(text, tableBegin), strings.Index(text, tableEnd)
		if i < 0 || j < i {
			t.Errorf("%s: no generated table (the lines %q and %q)", f.path, tableBegin, tableEnd)
			continue
		}
		got := text[i+len(tableBegin) : j]
		if got == f.table {
			continue
		}
		if *update {
			if err := os.WriteFile(f.path, []byte(text[:i+len(tableBegin)]+f.table+text[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s: the provider table is not what rules/builtin/ and the registry say; run go test ./revoke -run TestProviderTables -update", f.path)
	}
}

// byCategory groups infos by category, in the order of rules.Categories, each sorted by
// display name.
func byCategory(infos []revoke.ProviderInfo) [][]revoke.ProviderInfo {
	var out [][]revoke.ProviderInfo
	for _, c := range rules.Categories {
		var group []revoke.ProviderInfo
		for _, p := range infos {
			if p.Category == c {
				group = append(group, p)
			}
		}
		sortByName(group)
		if len(group) > 0 {
			out = append(out, group)
		}
	}
	return out
}

func sortByName(ps []revoke.ProviderInfo) {
	slices.SortStableFunc(ps, func(a, b revoke.ProviderInfo) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "—"
}

func codes(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return "`" + strings.Join(vs, "`, `") + "`"
}

// summary counts what the tables show.
func summary(infos []revoke.ProviderInfo) string {
	var provs, ruleCount, verify, revokes int
	for _, p := range infos {
		ruleCount += len(p.Rules)
		if p.Generic() {
			continue
		}
		provs++
		if p.Verifies {
			verify++
		}
		if p.Revokes {
			revokes++
		}
	}
	return fmt.Sprintf("%d providers and %d rules; %d providers verify, %d revoke.", provs, ruleCount, verify, revokes)
}

// readmeTable is README.md's table: per category, each provider's rules, whether it
// verifies and revokes, and the variables leakstop reads for it.
func readmeTable(infos []revoke.ProviderInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s The calls each makes, and the pages they follow: [docs/providers.md](docs/providers.md).\n", summary(infos))
	for _, group := range byCategory(infos) {
		fmt.Fprintf(&b, "\n**%s**\n\n| Provider | Rules | Verify | Revoke | Variables |\n|---|---|---|---|---|\n", rules.CategoryTitle(group[0].Category))
		for _, p := range group {
			fmt.Fprintf(&b, "| %s (`%s`) | %d | %s | %s | %s |\n", cell(p.Name), p.ID, len(p.Rules), yesNo(p.Verifies), yesNo(p.Revokes), codes(p.Variables()))
		}
	}
	b.WriteString("\n")
	return b.String()
}

// callsTable is docs/providers.md's table: per category, the calls each provider makes,
// where a person rotates its secrets, and its documentation.
func callsTable(infos []revoke.ProviderInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n", summary(infos))
	for _, group := range byCategory(infos) {
		fmt.Fprintf(&b, "\n## %s\n\n| Provider | Rules | Verify | Revoke | By hand | Documentation |\n|---|---|---|---|---|---|\n", rules.CategoryTitle(group[0].Category))
		for _, p := range group {
			verify, revokeCall := p.Calls.Verify, p.Calls.Revoke
			if !p.Verifies {
				verify = "—"
			}
			if !p.Revokes {
				revokeCall = "—"
			}
			byHand := "—"
			if p.Rotate != "" {
				byHand = "[rotate](" + p.Rotate + ")"
			}
			var docs []string
			for i, d := range p.Docs {
				docs = append(docs, fmt.Sprintf("[%d](%s)", i+1, d))
			}
			fmt.Fprintf(&b, "| %s (`%s`) | %s | %s | %s | %s | %s |\n", cell(p.Name), p.ID, codes(p.Rules), cell(verify), cell(revokeCall), byHand, strings.Join(docs, " "))
		}
	}
	b.WriteString("\n")
	return b.String()
}
