package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leakstop/leakstop/scanner"
)

func init() {
	// The golden files hold the scan's times: fixed.
	gitlabClock = func() time.Time { return time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC) }
}

// validateGitLab checks a report against the required fields and value rules of GitLab's
// secret detection report schema (secret-detection-report-format.json, version 15): what
// GitLab refuses a report for.
func validateGitLab(data []byte) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	var rep map[string]any
	if err := json.Unmarshal(data, &rep); err != nil {
		return []error{err}
	}
	str := func(m map[string]any, key, where string) string {
		s, ok := m[key].(string)
		if !ok || s == "" {
			bad("%s: %s is required, a non-empty string", where, key)
		}
		return s
	}
	obj := func(m map[string]any, key, where string) map[string]any {
		o, ok := m[key].(map[string]any)
		if !ok {
			bad("%s: %s is required, an object", where, key)
			return map[string]any{}
		}
		return o
	}
	if v := str(rep, "version", "report"); !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(v) {
		bad("report: version %q is not MAJOR.MINOR.PATCH", v)
	}
	scan := obj(rep, "scan", "report")
	for _, key := range []string{"analyzer", "scanner"} {
		tool := obj(scan, key, "scan")
		for _, f := range []string{"id", "name", "version"} {
			str(tool, f, "scan."+key)
		}
		str(obj(tool, "vendor", "scan."+key), "name", "scan."+key+".vendor")
	}
	if typ := str(scan, "type", "scan"); typ != "secret_detection" {
		bad("scan.type %q, want secret_detection", typ)
	}
	timeRE := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)
	for _, key := range []string{"start_time", "end_time"} {
		if s := str(scan, key, "scan"); !timeRE.MatchString(s) {
			bad("scan.%s %q is not YYYY-MM-DDTHH:MM:SS", key, s)
		}
	}
	if s := str(scan, "status", "scan"); s != "success" && s != "failure" {
		bad("scan.status %q is not success or failure", s)
	}
	vulns, ok := rep["vulnerabilities"].([]any)
	if !ok {
		bad("report: vulnerabilities is required, an array")
	}
	ids := map[string]bool{}
	for i, x := range vulns {
		v, _ := x.(map[string]any)
		where := fmt.Sprintf("vulnerabilities[%d]", i)
		id := str(v, "id", where)
		if ids[id] {
			bad("%s: id %s is not unique", where, id)
		}
		ids[id] = true
		if name, _ := v["name"].(string); len(name) > 255 {
			bad("%s: name longer than 255", where)
		}
		if s, ok := v["severity"].(string); ok && !slices.Contains([]string{"Info", "Unknown", "Low", "Medium", "High", "Critical"}, s) {
			bad("%s: severity %q", where, s)
		}
		if s, ok := v["confidence"].(string); ok && !slices.Contains([]string{"Ignore", "Unknown", "Experimental", "Low", "Medium", "High", "Confirmed"}, s) {
			bad("%s: confidence %q", where, s)
		}
		idents, ok := v["identifiers"].([]any)
		if !ok || len(idents) == 0 {
			bad("%s: identifiers is required, at least one", where)
		}
		for j, y := range idents {
			ident, _ := y.(map[string]any)
			for _, f := range []string{"type", "name", "value"} {
				str(ident, f, fmt.Sprintf("%s.identifiers[%d]", where, j))
			}
		}
		loc := obj(v, "location", where)
		str(obj(loc, "commit", where+".location"), "sha", where+".location.commit")
		for _, key := range []string{"start_line", "end_line"} {
			if n, ok := loc[key]; ok {
				if f, ok := n.(float64); !ok || f != float64(int(f)) || f < 1 {
					bad("%s.location.%s %v is not a line number", where, key, n)
				}
			}
		}
	}
	return errs
}

// TestGitLabSchema: every report, with findings or none, problems or not, has what the
// schema requires; a broken report is caught by the check.
func TestGitLabSchema(t *testing.T) {
	fx := newFixture(t)
	for name, res := range map[string]*scanner.Result{"findings": fx.res, "empty": emptyResult()} {
		out := write(t, formatGitLab, res, fx.opts())
		for _, err := range validateGitLab(out) {
			t.Errorf("%s: %v", name, err)
		}
	}
	var rep map[string]any
	if err := json.Unmarshal(write(t, formatGitLab, fx.res, fx.opts()), &rep); err != nil {
		t.Fatal(err)
	}
	if got := len(rep["vulnerabilities"].([]any)); got != 9 {
		t.Errorf("%d vulnerabilities, want one per place (9)", got)
	}
	if got := rep["scan"].(map[string]any)["status"]; got != "failure" {
		t.Errorf("scan status %v with a place unread, want failure", got)
	}
	delete(rep["scan"].(map[string]any), "analyzer")
	rep["vulnerabilities"].([]any)[0].(map[string]any)["identifiers"] = []any{}
	broken, _ := json.Marshal(rep)
	errs := fmt.Sprint(validateGitLab(broken))
	for _, want := range []string{"scan: analyzer is required", "vulnerabilities[0]: identifiers is required"} {
		if !strings.Contains(errs, want) {
			t.Errorf("the check of a report without analyzer and identifiers found %s, not %q", errs, want)
		}
	}
}

// TestGitLabVulnerability: a live secret is critical and confirmed; a place out of git
// history gets the commit id GitLab's own analyzer writes; paths are relative to the root.
func TestGitLabVulnerability(t *testing.T) {
	fx := newFixture(t)
	var rep gitlabReport
	if err := json.Unmarshal(write(t, formatGitLab, fx.res, fx.opts()), &rep); err != nil {
		t.Fatal(err)
	}
	byFile := map[string]gitlabVulnerability{}
	for _, v := range rep.Vulnerabilities {
		byFile[v.Location.File] = v
	}
	if v := byFile["src/api.js"]; v.Severity != "Critical" || v.Confidence != "Confirmed" || v.Location.Commit.SHA != commitA || v.Location.StartLine != 3 {
		t.Errorf("the live OpenAI key's vulnerability: %+v", v)
	}
	if v, ok := byFile["deploy/my scripts/ci.sh"]; !ok || v.Location.Commit.SHA != gitlabNoCommit {
		t.Errorf("a file found outside history: %+v (files %v)", v, keys(byFile))
	}
	if rep.Vulnerabilities[0].ID == rep.Vulnerabilities[1].ID {
		t.Errorf("two places share an id")
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
