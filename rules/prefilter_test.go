package rules

import (
	"testing"
)

// TestPrefiltersAreLooser checks, on every keyword hit of varied text, that a rule's
// prefilter never turns down a hit where the rule's regex and checks would find a secret:
// a prefilter may only save time.
func TestPrefiltersAreLooser(t *testing.T) {
	set := builtinSet(t)
	g := NewGenerator(30)
	texts := [][]byte{sourceLike(1 << 19), minifiedLike(1<<19, 1<<17)}
	for _, r := range set.Rules {
		for _, seed := range exampleSeeds {
			g := NewGenerator(seed)
			for _, tmpl := range append(append([]string(nil), r.Examples.True...), r.Examples.False...) {
				texts = append(texts, []byte(expand(t, g, tmpl)))
			}
		}
	}
	tricky := []string{
		`token_for_the_very_long_service_name_in_production = "` + g.Chars(setAlnum, 30) + `"`,
		`password:` + g.Chars(setAlnum, 12),
		`"secret"   :   "` + g.Chars(setAlnum, 16) + `"`,
		`auth => '` + g.Chars(setAlnum, 16) + `'`,
		`TOKEN ?= ` + g.Chars(setAlnum, 16),
		`token := "Bearer ` + g.Chars(setAlnum, 16) + `"`,
		`Authorization: Basic ` + g.Chars(setB64, 24) + "=\r\n",
		`{\"api_key\":\"` + g.Chars(setAlnum, 20) + `\"}`,
		`x = "token=` + g.Chars(setAlnum, 20) + `\n"`,
		`token=` + g.Chars(setAlnum, 20),
		`redis://:` + g.Chars(setAlnum, 20) + `@cache`,
		`https://user:` + g.Chars(setAlnum, 12) + `:` + g.Chars(setAlnum, 4) + `@host/x`,
	}
	for _, s := range tricky {
		texts = append(texts, []byte(s))
	}
	alone := prefilteredAlone(t, set)
	checked := 0
	for _, data := range texts {
		checked += checkPrefilters(t, alone, data)
	}
	if checked < 20 {
		t.Errorf("only %d findings checked", checked)
	}
}

// FuzzPrefilters checks on arbitrary text that no prefilter turns down a keyword hit where
// its rule's regex and checks would find a secret.
func FuzzPrefilters(f *testing.F) {
	set := builtinSet(f)
	g := NewGenerator(35)
	for _, s := range []string{
		`password = "` + g.Chars(setAlnum, 16) + `"`,
		`$config['db_password'] = '` + g.Chars(setAlnum, 16) + `';`,
		`<add key="ApiKey" value="` + g.Chars(setAlnum, 20) + `" />`,
		`<password>` + g.Chars(setAlnum, 16) + `</password>`,
		`{\"token\": \"Bearer ` + g.Chars(setAlnum, 20) + `\"}`,
		`postgres://app:` + g.Chars(setAlnum, 16) + `@db:5432/app`,
	} {
		f.Add([]byte(s))
	}
	alone := prefilteredAlone(f, set)
	f.Fuzz(func(t *testing.T, data []byte) { checkPrefilters(t, alone, data) })
}

// prefilteredAlone returns a set for each prefiltered rule of set, holding that rule alone
// (so that no other rule shadows its findings).
func prefilteredAlone(t testing.TB, set *Set) []*Set {
	t.Helper()
	var out []*Set
	for _, r := range set.Rules {
		if r.Prefilter == "" {
			continue
		}
		one, err := NewSet([]*Rule{r}, Allowlist{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, one)
	}
	return out
}

// checkPrefilters tries the rule of each set at each of its keyword hits in data: where the
// rule finds a secret, its prefilter must pass the hit. It returns how many findings it
// checked.
func checkPrefilters(t *testing.T, alone []*Set, data []byte) int {
	t.Helper()
	checked := 0
	for _, one := range alone {
		r := one.Rules[0]
		pre := prefilters[r.Prefilter]
		one.kw.walk(data, func(stop int, w int32) {
			at := stop - len(one.keywords[w])
			if len(one.matchAnchored(nil, r, data, at, "")) > 0 {
				checked++
				if !pre(data, at, stop) {
					t.Errorf("rule %s: prefilter %s turns down a finding at %d in %q", r.ID, r.Prefilter, at, data[max(at-20, 0):min(at+80, len(data))])
				}
			}
		})
	}
	return checked
}
