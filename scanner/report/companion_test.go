package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/scanner"
)

// TestCompanion: the JSON formats carry a finding's companion (an AWS secret access key) in
// full only with ShowSecrets, and Read gives it back so that leakstop revoke can verify the
// key later; without ShowSecrets it is left out. Text and SARIF never hold it.
func TestCompanion(t *testing.T) {
	fx := newFixture(t)
	var aws *scanner.Finding
	for _, f := range fx.res.Findings {
		if f.Companion != "" {
			aws = f
		}
	}
	if aws == nil {
		t.Fatal("the fixture has no finding with a companion")
	}
	for _, show := range []bool{true, false} {
		o := fx.opts()
		o.ShowSecrets = show
		for _, format := range Formats() {
			out := write(t, format, fx.res, o)
			inJSON := format == formatJSON || format == formatJSONL
			if got := bytes.Contains(out, []byte(aws.Companion)); got != (show && inJSON) {
				t.Errorf("%s (show %v) holds the companion in full: %v", format, show, got)
			}
			if !inJSON {
				continue
			}
			if got := bytes.Contains(out, []byte(`"companion"`)); got != show {
				t.Errorf("%s (show %v) writes a companion field: %v", format, show, got)
			}
			rep, err := Read(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("Read %s: %v", format, err)
			}
			var back *scanner.Finding
			for _, f := range rep.Findings {
				if f.Fingerprint == aws.Fingerprint {
					back = f
				}
			}
			switch {
			case back == nil:
				t.Fatalf("%s: the AWS finding was not read back", format)
			case show && (back.Secret != aws.Secret || back.Companion != aws.Companion):
				t.Errorf("%s with ShowSecrets read back secret %v, companion %v; want both in full", format, back.Secret == aws.Secret, back.Companion == aws.Companion)
			case !show && (back.Secret != "" || back.Companion != ""):
				t.Errorf("%s without ShowSecrets read back secret %q, companion %q; want both unknown", format, back.Secret, back.Companion)
			}
		}
	}
	// A report whose secret was redacted by hand, but whose companion was left: the pair
	// is not whole, so neither counts.
	o := fx.opts()
	o.ShowSecrets = true
	out := string(write(t, formatJSON, fx.res, o))
	out = strings.Replace(out, `"secret": "`+aws.Secret+`"`, `"secret": "AKIA…"`, 1)
	rep, err := Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Fingerprint == aws.Fingerprint && f.Companion != "" {
			t.Error("a companion beside a redacted secret was kept")
		}
	}
}

// TestGoldenShown: the JSON report with the secrets shown, its companion field included.
// The golden file holds placeholders where the secrets are, so that the repository holds no
// key that looks real.
func TestGoldenShown(t *testing.T) {
	fx := newFixture(t)
	o := fx.opts()
	o.ShowSecrets = true
	out := string(write(t, formatJSON, fx.res, o))
	for i, s := range fx.secrets {
		out = strings.ReplaceAll(out, s, fmt.Sprintf("<secret %d>", i+1))
	}
	golden(t, "findings.shown.json", []byte(out))
}
