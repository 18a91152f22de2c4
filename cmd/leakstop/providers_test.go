package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/rules"
)

// TestProvidersListing: the text and the JSON of `leakstop providers` list every provider
// file once, in the same order, with its rules.
func TestProvidersListing(t *testing.T) {
	var text, js bytes.Buffer
	if err := runProviders(context.Background(), &providersOptions{Format: "text"}, &text, nil); err != nil {
		t.Fatal(err)
	}
	if err := runProviders(context.Background(), &providersOptions{Format: "json"}, &js, nil); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Providers []providerJSON `json:"providers"`
	}
	if err := json.Unmarshal(js.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(text.String()), "\n")[1:]
	files := rules.Providers()
	if len(out.Providers) != len(files) || len(lines) != len(files) {
		t.Fatalf("%d providers in JSON, %d lines of text, %d files", len(out.Providers), len(lines), len(files))
	}
	total := 0
	for i, p := range out.Providers {
		if p.ID != files[i].ID || !strings.HasPrefix(lines[i], p.ID+" ") || p.Rules != len(files[i].Rules) || len(p.RuleIDs) != p.Rules {
			t.Errorf("provider %d: JSON %s with %d rules, text %q, file %s", i, p.ID, p.Rules, lines[i], files[i].ID)
		}
		if len(p.Docs) == 0 {
			t.Errorf("%s: no docs in the JSON", p.ID)
		}
		total += p.Rules
	}
	if n := len(rules.Builtin()); total != n {
		t.Errorf("the providers hold %d rules, the built-in set %d", total, n)
	}
}
