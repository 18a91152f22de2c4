// Package report writes a scan's findings for people and for machines: text for a
// terminal, the JSON report (version 1, a contract other tools and leakstop's own revoke and
// baseline read back), JSON lines, and SARIF 2.1.0 for GitHub code scanning. Every writer
// shows secrets redacted unless asked not to, and never changes the findings it is handed.
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// toolName is the tool's name in every report.
const toolName = "leakstop"

// informationURI is where SARIF consumers send people who want to know about the tool.
const informationURI = "https://github.com/leakstop/leakstop"

// reportVersion is the version of the JSON report this package writes and reads.
const reportVersion = 1

// Options configure writers.
type Options struct {
	// ShowSecrets writes secrets in full; by default they are redacted (Finding.Shown).
	ShowSecrets bool
	// Rules gives rule metadata (descriptions, severity, remediation) to SARIF and text.
	// It may be nil.
	Rules *rules.Set
	// Color turns on ANSI colour in the text format. The caller decides (a terminal, and
	// NO_COLOR unset).
	Color bool
	// ToolVersion is leakstop's version ("0.1.0").
	ToolVersion string
	// Root is the repository root, so that SARIF URIs are repository-relative: absolute
	// paths under Root are written relative to it. Relative paths are taken as relative to
	// the root already (git paths are; for dir, scan from the root or pass absolute paths).
	Root string
}

// Format names.
const (
	formatText  = "text"
	formatJSON  = "json"
	formatJSONL = "jsonl"
	formatSARIF = "sarif"
	// formatGitLab is GitLab's secret detection report (gitlab.go).
	formatGitLab = "gitlab"
)

// Formats lists the format names Write knows, the default first.
func Formats() []string {
	return []string{formatText, formatJSON, formatJSONL, formatSARIF, formatGitLab}
}

// Write writes res in format to w.
func Write(w io.Writer, format string, res *scanner.Result, opts Options) error {
	if res == nil {
		res = &scanner.Result{}
	}
	fs, lens := sanitize(res.Findings, opts.ShowSecrets)
	switch format {
	case formatText:
		return writeText(w, fs, res, opts)
	case formatJSON:
		return writeJSON(w, fs, res.Stats, opts)
	case formatJSONL:
		return writeJSONL(w, fs)
	case formatSARIF:
		return writeSARIF(w, fs, lens, res, opts)
	case formatGitLab:
		return writeGitLab(w, fs, res, opts)
	}
	return fmt.Errorf("unknown report format %q (known: %s)", format, strings.Join(Formats(), ", "))
}

// Report is the JSON report, version 1, as DESIGN.md shows it.
type Report struct {
	Version  int                `json:"version"`
	Tool     Tool               `json:"tool"`
	Findings []*scanner.Finding `json:"findings"`
	Stats    scanner.Stats      `json:"stats"`
}

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

func writeJSON(w io.Writer, fs []*scanner.Finding, stats scanner.Stats, opts Options) error {
	rep := Report{
		Version:  reportVersion,
		Tool:     Tool{Name: toolName, Version: opts.ToolVersion},
		Findings: fs,
		Stats:    stats,
	}
	return encode(w, rep, "  ")
}

func writeJSONL(w io.Writer, fs []*scanner.Finding) error {
	for _, f := range fs {
		if err := encode(w, f, ""); err != nil {
			return err
		}
	}
	return nil
}

// encode writes v as JSON and a newline. HTML escaping is off: reports hold URLs with "&"
// and arrows, which people read. Characters that would act on a terminal showing the file
// are escaped (EscapeInvisible).
func encode(w io.Writer, v any, indent string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	_, err := w.Write(EscapeInvisible(buf.Bytes()))
	return err
}

// Read parses a JSON report written by Write, or the JSON lines of the jsonl format (the
// stats are then zero). A finding whose secret does not match its fingerprint was written
// redacted: Read moves that text to Redacted and leaves Secret and Companion empty, so that
// a caller that needs the secret itself (revoke) can tell it is missing.
func Read(r io.Reader) (*Report, error) {
	dec := json.NewDecoder(r)
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("reading report: the input is empty")
		}
		return nil, fmt.Errorf("reading report: not JSON: %w", err)
	}
	var probe struct {
		Version     *int   `json:"version"`
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal(first, &probe); err != nil {
		return nil, fmt.Errorf("reading report: not a leakstop report: %w", err)
	}
	var rep Report
	switch {
	case probe.Version != nil:
		if err := json.Unmarshal(first, &rep); err != nil {
			return nil, fmt.Errorf("reading report: not a leakstop report: %w", err)
		}
		if rep.Version != reportVersion {
			return nil, fmt.Errorf("reading report: version %d, want %d", rep.Version, reportVersion)
		}
		if dec.More() {
			return nil, errors.New("reading report: more than one JSON value (a jsonl file?)")
		}
	case probe.Fingerprint != "":
		rep = Report{Version: reportVersion, Tool: Tool{Name: toolName}}
		raw := first
		for n := 1; ; n++ {
			f := new(scanner.Finding)
			if err := json.Unmarshal(raw, f); err != nil {
				return nil, fmt.Errorf("reading report: line %d: %w", n, err)
			}
			rep.Findings = append(rep.Findings, f)
			raw = nil
			if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("reading report: after finding %d: %w", n, err)
			}
		}
	default:
		return nil, errors.New("reading report: no version and no findings: not a leakstop report")
	}
	if rep.Findings == nil {
		rep.Findings = []*scanner.Finding{}
	}
	for i, f := range rep.Findings {
		if f == nil || f.Rule == "" {
			return nil, fmt.Errorf("reading report: finding %d has no rule", i+1)
		}
		if !isFingerprint(f.Fingerprint) {
			return nil, fmt.Errorf("reading report: finding %d (%s) has no valid fingerprint", i+1, f.Rule)
		}
		if f.Secret != "" && scanner.Fingerprint(f.Rule, f.Secret) != f.Fingerprint {
			f.Redacted, f.Secret = f.Secret, ""
		}
		// The companion is written in full only beside a secret written in full.
		if f.Secret == "" {
			f.Companion = ""
		}
	}
	return &rep, nil
}

func isFingerprint(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// sanitize returns copies of the findings fit to be written: the secret redacted unless
// show, and, as a safety net, every secret (unless show) and every companion replaced in
// the free text that comes from elsewhere (commit subjects, provider messages, URLs). The
// caller's findings are left untouched. lens holds the length in characters of each raw
// secret (0 when unknown, as in a report read back without secrets), for SARIF regions.
func sanitize(in []*scanner.Finding, show bool) (out []*scanner.Finding, lens []int) {
	red := &rules.Redactor{}
	for _, f := range in {
		if f.Secret != "" && !show {
			red.Add(f.Secret, f.Shown(false))
		}
		// A companion is shown in full only in its own field of the JSON formats.
		if f.Companion != "" {
			red.Add(f.Companion, rules.Redact(f.Companion, ""))
		}
	}
	out = make([]*scanner.Finding, 0, len(in))
	lens = make([]int, 0, len(in))
	for _, f := range in {
		if f == nil {
			continue
		}
		c := *f
		c.Secret = f.Shown(show && f.Secret != "")
		c.Redacted = f.Shown(false)
		c.Companion = companion(f, show)
		c.Issue = red.Redact(f.Issue)
		c.Verification = redactStatus(f.Verification, red)
		c.Revocation = redactStatus(f.Revocation, red)
		c.Locations = make([]scanner.Location, len(f.Locations))
		for i, l := range f.Locations {
			l.Path = red.Redact(l.Path)
			l.Repository = red.Redact(l.Repository)
			l.Author = red.Redact(l.Author)
			l.Email = red.Redact(l.Email)
			l.Message = red.Redact(l.Message)
			l.URL = red.Redact(l.URL)
			l.Variable = red.Redact(l.Variable)
			if l.Origin != nil {
				o := *l.Origin
				o.Path = red.Redact(o.Path)
				l.Origin = &o
			}
			c.Locations[i] = l
		}
		out = append(out, &c)
		lens = append(lens, utf8.RuneCountInString(f.Secret))
	}
	return out, lens
}

// companion returns the finding's companion as it may be written: in full beside a secret
// shown in full, else nothing (a redacted companion would tell no one anything the
// secret's redacted form does not). Only the JSON formats write it; text and SARIF never.
func companion(f *scanner.Finding, show bool) string {
	if show && f.Secret != "" {
		return f.Companion
	}
	return ""
}

func redactStatus(s *outcome.Step, red *rules.Redactor) *outcome.Step {
	if s == nil {
		return nil
	}
	c := *s
	c.Detail = red.Redact(s.Detail)
	return &c
}
