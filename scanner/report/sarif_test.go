package report

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/scanner"
)

// validateSARIF checks what the SARIF 2.1.0 schema and GitHub code scanning require of a
// log, over the JSON as written (not through this package's own structs): the required
// properties are there and not empty, references resolve, URIs and regions are valid.
func validateSARIF(data []byte) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	var log map[string]any
	if err := json.Unmarshal(data, &log); err != nil {
		return []error{err}
	}
	str := func(m map[string]any, key string) string {
		s, _ := m[key].(string)
		return s
	}
	obj := func(m map[string]any, key string) map[string]any {
		o, _ := m[key].(map[string]any)
		return o
	}
	arr := func(m map[string]any, key string) []any {
		a, _ := m[key].([]any)
		return a
	}
	if str(log, "version") != "2.1.0" {
		bad("version = %v, want 2.1.0", log["version"])
	}
	if u, err := url.Parse(str(log, "$schema")); err != nil || !u.IsAbs() {
		bad("$schema %q is not an absolute URI", str(log, "$schema"))
	}
	runs, ok := log["runs"].([]any)
	if !ok || len(runs) != 1 {
		bad("runs: want one run, got %v", log["runs"])
		return errs
	}
	run := runs[0].(map[string]any)
	driver := obj(obj(run, "tool"), "driver")
	if driver == nil || str(driver, "name") == "" {
		bad("run.tool.driver.name is missing")
	}
	if u, err := url.Parse(str(driver, "informationUri")); err != nil || !u.IsAbs() {
		bad("driver.informationUri %q is not an absolute URI", str(driver, "informationUri"))
	}
	switch str(run, "columnKind") {
	case "utf16CodeUnits", "unicodeCodePoints":
	default:
		bad("columnKind %q", str(run, "columnKind"))
	}
	ruleIDs := map[string]int{}
	rules, ok := driver["rules"].([]any)
	if !ok {
		bad("driver.rules is missing")
	}
	for i, r := range rules {
		rule := r.(map[string]any)
		id := str(rule, "id")
		if id == "" {
			bad("rule %d has no id", i)
		}
		if _, dup := ruleIDs[id]; dup {
			bad("rule %s listed twice", id)
		}
		ruleIDs[id] = i
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			if t := str(obj(rule, k), "text"); t == "" || len(t) > 1024 && k != "help" {
				bad("rule %s: %s.text is empty or too long", id, k)
			}
		}
		if n := str(rule, "name"); n == "" || len(n) > 255 {
			bad("rule %s: name %q", id, n)
		}
		props := obj(rule, "properties")
		score, err := strconv.ParseFloat(str(props, "security-severity"), 64)
		if err != nil || score <= 0 || score > 10 {
			bad("rule %s: security-severity %q is not in (0, 10]", id, str(props, "security-severity"))
		}
		if !contains(arr(props, "tags"), "security") {
			bad("rule %s: no security tag", id)
		}
		switch str(obj(rule, "defaultConfiguration"), "level") {
		case "none", "note", "warning", "error":
		default:
			bad("rule %s: defaultConfiguration.level", id)
		}
	}
	results, ok := run["results"].([]any)
	if !ok {
		bad("run.results is missing (an empty run needs [])")
	}
	lineHashes := map[string]bool{}
	for i, r := range results {
		res := r.(map[string]any)
		id := str(res, "ruleId")
		idx, known := ruleIDs[id]
		if !known {
			bad("result %d: ruleId %q is not a driver rule", i, id)
		}
		if got, ok := res["ruleIndex"].(float64); !ok || int(got) != idx {
			bad("result %d: ruleIndex %v, want %d", i, res["ruleIndex"], idx)
		}
		if l := str(res, "level"); l != "error" && l != "warning" && l != "note" {
			bad("result %d: level %q", i, str(res, "level"))
		}
		if str(obj(res, "message"), "text") == "" {
			bad("result %d: message.text is empty", i)
		}
		locs := arr(res, "locations")
		if len(locs) != 1 {
			bad("result %d: %d locations, want 1", i, len(locs))
		}
		for _, l := range append(locs, arr(res, "relatedLocations")...) {
			errs = append(errs, validateLocation(i, l.(map[string]any))...)
		}
		pf := obj(res, "partialFingerprints")
		h := str(pf, "primaryLocationLineHash")
		if !regexp.MustCompile(`^[0-9a-f]{16}:[1-9][0-9]*$`).MatchString(h) {
			bad("result %d: primaryLocationLineHash %q", i, h)
		}
		if lineHashes[h] {
			bad("result %d: primaryLocationLineHash %q used twice", i, h)
		}
		lineHashes[h] = true
	}
	for _, inv := range arr(run, "invocations") {
		if _, ok := inv.(map[string]any)["executionSuccessful"].(bool); !ok {
			bad("invocation without executionSuccessful")
		}
		for _, n := range arr(inv.(map[string]any), "toolExecutionNotifications") {
			if str(obj(n.(map[string]any), "message"), "text") == "" {
				bad("notification without message text")
			}
		}
	}
	return errs
}

func validateLocation(i int, l map[string]any) []error {
	var errs []error
	pl, _ := l["physicalLocation"].(map[string]any)
	al, _ := pl["artifactLocation"].(map[string]any)
	uri, _ := al["uri"].(string)
	u, err := url.Parse(uri)
	switch {
	case uri == "" || err != nil:
		errs = append(errs, fmt.Errorf("result %d: uri %q is not a URI reference", i, uri))
	case u.IsAbs() && al["uriBaseId"] != nil:
		errs = append(errs, fmt.Errorf("result %d: absolute uri %q with a uriBaseId", i, uri))
	case !u.IsAbs() && al["uriBaseId"] != "%SRCROOT%":
		errs = append(errs, fmt.Errorf("result %d: relative uri %q without uriBaseId %%SRCROOT%%", i, uri))
	case !u.IsAbs() && (strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "../")):
		errs = append(errs, fmt.Errorf("result %d: uri %q is not repository-relative", i, uri))
	}
	if reg, ok := pl["region"].(map[string]any); ok {
		num := func(k string) (int, bool) {
			v, ok := reg[k].(float64)
			return int(v), ok
		}
		sl, ok := num("startLine")
		if !ok || sl < 1 {
			errs = append(errs, fmt.Errorf("result %d: region.startLine %v", i, reg["startLine"]))
		}
		if el, ok := num("endLine"); ok && el < sl {
			errs = append(errs, fmt.Errorf("result %d: endLine %d before startLine %d", i, el, sl))
		}
		sc, hasStart := num("startColumn")
		if hasStart && sc < 1 {
			errs = append(errs, fmt.Errorf("result %d: startColumn %d", i, sc))
		}
		if ec, ok := num("endColumn"); ok && (!hasStart || ec <= sc) {
			errs = append(errs, fmt.Errorf("result %d: endColumn %d not after startColumn %d", i, ec, sc))
		}
	}
	return errs
}

func contains(xs []any, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func TestSARIFValid(t *testing.T) {
	fx := newFixture(t)
	for _, c := range []struct {
		name string
		res  *scanner.Result
		opts Options
	}{
		{"findings", fx.res, fx.opts()},
		{"shown", fx.res, func() Options { o := fx.opts(); o.ShowSecrets = true; return o }()},
		{"empty", emptyResult(), fx.opts()},
		{"no rules, no root", fx.res, Options{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, err := range validateSARIF(write(t, formatSARIF, c.res, c.opts)) {
				t.Error(err)
			}
		})
	}
}

func TestSARIFResults(t *testing.T) {
	fx := newFixture(t)
	var log sarifLog
	if err := json.Unmarshal(write(t, formatSARIF, fx.res, fx.opts()), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if got := len(run.Tool.Driver.Rules); got != 4 {
		t.Errorf("%d rules, want every rule of the set (4)", got)
	}
	if run.Tool.Driver.SemanticVersion != "0.1.0" {
		t.Errorf("semanticVersion = %q", run.Tool.Driver.SemanticVersion)
	}
	type place struct {
		Rule, URI, Base string
		Region          sarifRegion
	}
	var got []place
	for _, r := range run.Results {
		pl := r.Locations[0].PhysicalLocation
		got = append(got, place{r.RuleID, pl.ArtifactLocation.URI, pl.ArtifactLocation.URIBaseID, *pl.Region})
	}
	n := func(i int) int { return len([]rune(fx.secrets[i])) }
	want := []place{
		{"aws-access-key", "config/prod.env", "%SRCROOT%", sarifRegion{StartLine: 7, StartColumn: 19, EndLine: 7, EndColumn: 19 + n(2)}},
		{"openai-project-key", "src/api.js", "%SRCROOT%", sarifRegion{StartLine: 3, StartColumn: 17, EndLine: 3, EndColumn: 17 + n(0)}},
		// A bundle is placed by its URL.
		{"openai-project-key", "https://shop.example.com/assets/index-4f2a.js?v=1&x=2", "", sarifRegion{StartLine: 1, StartColumn: 20345, EndLine: 1, EndColumn: 20345 + n(0)}},
		// Absolute paths under the root become repository-relative, escaped.
		{"github-pat", "deploy/my%20scripts/ci.sh", "%SRCROOT%", sarifRegion{StartLine: 10, StartColumn: 9, EndLine: 10, EndColumn: 9 + n(1)}},
		{"github-pat", "deploy/my%20scripts/ci.sh", "%SRCROOT%", sarifRegion{StartLine: 40, StartColumn: 13, EndLine: 40, EndColumn: 13 + n(1)}},
		// Outside the root: an absolute file URI.
		{"github-pat", "file:///elsewhere/notes.txt", "", sarifRegion{StartLine: 2, StartColumn: 1, EndLine: 2, EndColumn: 1 + n(1)}},
		// Written encoded: the region starts at the encoded text, whose end the secret's
		// length does not tell.
		{"github-pat", "k8s/secret.yaml", "%SRCROOT%", sarifRegion{StartLine: 6, StartColumn: 10, EndLine: 6}},
		{"github-pat", "src/token.go", "%SRCROOT%", sarifRegion{StartLine: 4, StartColumn: 14, EndLine: 4}},
		{"generic-password", "app/settings.py", "%SRCROOT%", sarifRegion{StartLine: 22, StartColumn: 13, EndLine: 22, EndColumn: 13 + n(4)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	// The two places in one file are two alerts of one family; the line hash does not
	// depend on the line.
	h3, h4 := run.Results[3].PartialFingerprints[lineHashKey], run.Results[4].PartialFingerprints[lineHashKey]
	if h3[:16] != h4[:16] || h3[16:] != ":1" || h4[16:] != ":2" {
		t.Errorf("line hashes of one secret in one file = %s, %s; want the same hash, :1 and :2", h3, h4)
	}
	moved := newFixture(t)
	moved.res.Findings[2].Locations[0].Line += 5
	var log2 sarifLog
	if err := json.Unmarshal(write(t, formatSARIF, moved.res, moved.opts()), &log2); err != nil {
		t.Fatal(err)
	}
	if a, b := run.Results[3].PartialFingerprints, log2.Runs[0].Results[3].PartialFingerprints; !cmp.Equal(a, b) {
		t.Errorf("fingerprints changed when lines above the secret were added: %v → %v", a, b)
	}
	bundle := run.Results[2]
	if len(bundle.RelatedLocations) != 1 || bundle.RelatedLocations[0].PhysicalLocation.ArtifactLocation.URI != "src/api.ts" {
		t.Errorf("bundle result lacks its source-map origin: %+v", bundle.RelatedLocations)
	}
	if !strings.Contains(bundle.Message.Text, "Exposed: public bundle, VITE_OPENAI_API_KEY.") {
		t.Errorf("bundle message = %q", bundle.Message.Text)
	}
	if run.OriginalURIBaseIDs[srcRoot].URI != "file:///work/repo/" || len(run.Invocations) != 1 {
		t.Errorf("originalUriBaseIds = %v, invocations = %v", run.OriginalURIBaseIDs, run.Invocations)
	}
}

func TestArtifact(t *testing.T) {
	root := filepath.FromSlash("/r")
	for _, c := range []struct {
		loc  scanner.Location
		want sarifArtifactLocation
	}{
		{scanner.Location{Path: "a/b.js"}, sarifArtifactLocation{URI: "a/b.js", URIBaseID: srcRoot}},
		{scanner.Location{Path: "./a/b.js"}, sarifArtifactLocation{URI: "a/b.js", URIBaseID: srcRoot}},
		{scanner.Location{Path: "a:b/c"}, sarifArtifactLocation{URI: "./a:b/c", URIBaseID: srcRoot}},
		{scanner.Location{Path: "100%#?.txt"}, sarifArtifactLocation{URI: "100%25%23%3F.txt", URIBaseID: srcRoot}},
		{scanner.Location{Path: filepath.FromSlash("/r/x/y.go")}, sarifArtifactLocation{URI: "x/y.go", URIBaseID: srcRoot}},
		{scanner.Location{Path: filepath.FromSlash("/rx/y.go")}, sarifArtifactLocation{URI: "file:///rx/y.go"}},
		// A git location's URL is a permalink; the path is what code scanning matches.
		{scanner.Location{Path: "p.env", Commit: commitA, URL: "https://github.com/o/r/blob/x/p.env"}, sarifArtifactLocation{URI: "p.env", URIBaseID: srcRoot}},
		{scanner.Location{URL: "https://h/app.js"}, sarifArtifactLocation{URI: "https://h/app.js"}},
		{scanner.Location{Path: "webpack://app/src/a.ts"}, sarifArtifactLocation{URI: "webpack://app/src/a.ts"}},
		{scanner.Location{Commit: commitA, Blob: commitB}, sarifArtifactLocation{URI: "3f1c2d4e5a6b", URIBaseID: srcRoot}},
	} {
		if got := artifact(c.loc, root); got != c.want {
			t.Errorf("artifact(%+v) = %+v, want %+v", c.loc, got, c.want)
		}
	}
}

func TestSemverAndNames(t *testing.T) {
	for in, want := range map[string]string{
		"0.1.0": "0.1.0", "v1.2.3": "1.2.3", "1.2.3-rc.1+abc": "1.2.3-rc.1+abc", "dev": "", "1.2": "", "01.2.3": "",
	} {
		if got := semver(in); got != want {
			t.Errorf("semver(%q) = %q, want %q", in, got, want)
		}
	}
	if got := pascal("openai-project-key"); got != "OpenaiProjectKey" {
		t.Errorf("pascal = %q", got)
	}
}

func TestPlacesToKeep(t *testing.T) {
	places := func(n int) *scanner.Finding { return &scanner.Finding{Locations: make([]scanner.Location, n)} }
	fs := []*scanner.Finding{places(100), places(1), places(3)}
	for _, c := range []struct {
		max, dropped int
		keep         []int
	}{
		{200, 0, []int{100, 1, 3}},
		{104, 0, []int{100, 1, 3}},
		{3, 101, []int{1, 1, 1}},
		{6, 98, []int{3, 1, 2}},
		{10, 94, []int{6, 1, 3}},
	} {
		keep, dropped := placesToKeep(fs, c.max)
		if !cmp.Equal(keep, c.keep) || dropped != c.dropped {
			t.Errorf("placesToKeep(max %d) = %v, %d; want %v, %d", c.max, keep, dropped, c.keep, c.dropped)
		}
	}
}
