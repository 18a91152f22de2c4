package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
	"github.com/leakstop/leakstop/scanner/report/markdown"
)

// The GitLab secret detection report (gl-secret-detection-report.json), as GitLab's public
// security report schema (secret-detection-report-format.json, version 15) has it, so that
// findings show in a merge request's security widget and the pipeline's security tab. One
// vulnerability per place of a secret, as GitLab's own analyzer writes them; the secret is
// redacted unless asked otherwise.

// gitlabSchemaVersion is the schema version written; GitLab validates the report against it.
const gitlabSchemaVersion = "15.2.1"

// gitlabSchema is where that schema is published.
const gitlabSchema = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v" +
	gitlabSchemaVersion + "/dist/secret-detection-report-format.json"

// maxGitLabVulnerabilities bounds the report: GitLab stores no more for one report.
const maxGitLabVulnerabilities = 10000

// gitlabTime is the schema's time format: UTC, to the second, without a zone.
const gitlabTime = "2006-01-02T15:04:05"

// gitlabClock gives the scan's end time; tests fix it.
var gitlabClock = time.Now

type gitlabReport struct {
	Version         string                `json:"version"`
	Schema          string                `json:"schema"`
	Scan            gitlabScan            `json:"scan"`
	Vulnerabilities []gitlabVulnerability `json:"vulnerabilities"`
}

type gitlabScan struct {
	Analyzer  gitlabTool      `json:"analyzer"`
	Scanner   gitlabTool      `json:"scanner"`
	Type      string          `json:"type"`
	StartTime string          `json:"start_time"`
	EndTime   string          `json:"end_time"`
	Status    string          `json:"status"`
	Messages  []gitlabMessage `json:"messages,omitempty"`
}

type gitlabTool struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	URL     string       `json:"url,omitempty"`
	Version string       `json:"version"`
	Vendor  gitlabVendor `json:"vendor"`
}

type gitlabVendor struct {
	Name string `json:"name"`
}

type gitlabMessage struct {
	Level string `json:"level"`
	Value string `json:"value"`
}

type gitlabVulnerability struct {
	ID          string             `json:"id"`
	Category    string             `json:"category"`
	Name        string             `json:"name"`
	Description string             `json:"description"`
	Severity    string             `json:"severity"`
	Confidence  string             `json:"confidence"`
	Solution    string             `json:"solution,omitempty"`
	Scanner     gitlabRef          `json:"scanner"`
	Location    gitlabLocation     `json:"location"`
	Identifiers []gitlabIdentifier `json:"identifiers"`
}

type gitlabRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type gitlabLocation struct {
	File      string       `json:"file,omitempty"`
	Commit    gitlabCommit `json:"commit"`
	StartLine int          `json:"start_line,omitempty"`
	EndLine   int          `json:"end_line,omitempty"`
}

type gitlabCommit struct {
	SHA     string `json:"sha"`
	Author  string `json:"author,omitempty"`
	Date    string `json:"date,omitempty"`
	Message string `json:"message,omitempty"`
}

type gitlabIdentifier struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
	URL   string `json:"url,omitempty"`
}

// gitlabNoCommit is the commit id GitLab's own analyzer writes for a finding outside git
// history (a scan of files): the schema wants one.
const gitlabNoCommit = "0000000"

func writeGitLab(w io.Writer, fs []*scanner.Finding, res *scanner.Result, opts Options) error {
	end := gitlabClock().UTC()
	start := end.Add(-time.Duration(res.Stats.DurationMS) * time.Millisecond)
	version := opts.ToolVersion
	if version == "" {
		version = "dev"
	}
	tool := gitlabTool{ID: toolName, Name: toolName, URL: informationURI, Version: version, Vendor: gitlabVendor{Name: toolName}}
	rep := gitlabReport{
		Version: gitlabSchemaVersion,
		Schema:  gitlabSchema,
		Scan: gitlabScan{
			Analyzer: tool, Scanner: tool, Type: "secret_detection",
			StartTime: start.Format(gitlabTime), EndTime: end.Format(gitlabTime), Status: "success",
		},
		Vulnerabilities: []gitlabVulnerability{},
	}
	keep, dropped := placesToKeep(fs, maxGitLabVulnerabilities)
	for i, f := range fs {
		var r *rules.Rule
		if opts.Rules != nil {
			r = opts.Rules.Rule(f.Rule)
		}
		for _, l := range f.Locations[:keep[i]] {
			rep.Vulnerabilities = append(rep.Vulnerabilities, gitlabVulnerabilityFor(f, l, r, opts))
		}
	}
	if dropped > 0 {
		rep.Scan.Messages = append(rep.Scan.Messages, gitlabMessage{Level: "warn", Value: strconv.Itoa(dropped) +
			" later places of secrets were left out: the report holds at most " + strconv.Itoa(maxGitLabVulnerabilities) +
			". The JSON report lists them all."})
	}
	for _, p := range res.Problems {
		msg := p.Where
		if p.Err != nil {
			msg += ": " + p.Err.Error()
		}
		rep.Scan.Messages = append(rep.Scan.Messages, gitlabMessage{Level: "warn", Value: redactAll(msg, res.Findings, opts.ShowSecrets)})
	}
	if len(res.Problems) > 0 {
		// Some places could not be read: the scan did not cover everything.
		rep.Scan.Status = "failure"
	}
	return encode(w, rep, "  ")
}

func gitlabVulnerabilityFor(f *scanner.Finding, l scanner.Location, r *rules.Rule, opts Options) gitlabVulnerability {
	desc, severity, remediation, confidence := "", "high", "", "High"
	if r != nil {
		desc, remediation = r.Description, r.Remediation
		if r.Severity != "" {
			severity = r.Severity
		}
		if r.Generic {
			confidence = "Medium"
		}
	}
	switch f.Level() {
	case rules.ConfidenceHigh:
		confidence = "High"
	case rules.ConfidenceMedium:
		confidence = "Medium"
	case rules.ConfidenceLow:
		confidence = "Low"
	}
	if desc == "" {
		desc = "Secret found by rule " + f.Rule
	}
	if v := f.Verification; v != nil {
		switch v.Status {
		case outcome.Live:
			// The provider accepted it: as bad as it gets, and certain.
			severity, confidence = "critical", "Confirmed"
		case outcome.Invalid:
			severity = "low"
		}
	}
	var b strings.Builder
	// GitLab renders the description as markdown: every text from the scanned place or a
	// provider is escaped, so a file name or commit author cannot inject links or HTML.
	fmt.Fprintf(&b, "The secret %s is in the code (rule %s", markdown.Code(printable(f.Secret)), markdown.Code(f.Rule))
	if f.Provider != "" {
		b.WriteString(", issued by " + markdown.Text(f.Provider))
	}
	b.WriteString("): anyone who can read it can use it.")
	if l.Commit != "" {
		fmt.Fprintf(&b, " Introduced in commit %s", scanner.ShortSHA(l.Commit))
		if l.Author != "" {
			b.WriteString(" by " + markdown.Text(printable(l.Author)))
		}
		if len(l.Date) >= 10 {
			b.WriteString(" on " + l.Date[:10])
		}
		b.WriteString(".")
	}
	if v := f.Verification; v != nil {
		b.WriteString(" Verification: " + string(v.Status))
		if v.Detail != "" {
			b.WriteString(" (" + markdown.Text(printable(v.Detail)) + ")")
		}
		b.WriteString(".")
	}
	if x := f.Revocation; x != nil {
		b.WriteString(" Revocation: " + string(x.Status))
		if x.Detail != "" {
			b.WriteString(" (" + markdown.Text(printable(x.Detail)) + ")")
		}
		b.WriteString(".")
	}
	if f.Issue != "" {
		b.WriteString(" Issue: " + markdown.SafeURL(f.Issue))
	}
	if remediation == "" {
		remediation = "Revoke the secret with its provider and issue a new one."
	}
	solution := markdown.Text(sentence(remediation)) + " Then take the secret out of the code and load it from the environment or a secret manager; rewriting git history does not make a leaked secret safe, revoking it does."

	loc := gitlabLocation{File: gitlabFile(l, opts.Root), StartLine: l.Line, EndLine: l.Line}
	loc.Commit = gitlabCommit{SHA: l.Commit, Author: printable(l.Author), Date: l.Date, Message: printable(l.Message)}
	if loc.Commit.SHA == "" {
		loc.Commit.SHA = gitlabNoCommit
	}
	name := clip(markdown.Text(desc), 255)
	return gitlabVulnerability{
		ID:          gitlabID(f, l),
		Category:    "secret_detection",
		Name:        name,
		Description: clip(b.String(), 1<<20),
		Severity:    gitlabSeverity(severity),
		Confidence:  confidence,
		Solution:    clip(solution, 7000),
		Scanner:     gitlabRef{ID: toolName, Name: toolName},
		Location:    loc,
		Identifiers: []gitlabIdentifier{
			// The first is the primary identifier, which GitLab tracks a vulnerability by.
			{Type: "leakstop_rule_id", Name: "leakstop rule " + f.Rule, Value: f.Rule},
			{Type: "cwe", Name: "CWE-798", Value: "798", URL: "https://cwe.mitre.org/data/definitions/798.html"},
		},
	}
}

// gitlabID is a vulnerability's id: stable for one place of one secret, so that GitLab keeps
// tracking it from pipeline to pipeline, and UUID-shaped, as GitLab recommends.
func gitlabID(f *scanner.Finding, l scanner.Location) string {
	sum := sha256.Sum256([]byte(f.Fingerprint + "\x00" + l.Path + "\x00" + l.URL + "\x00" + strconv.Itoa(l.Line) + "\x00" + l.Commit))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// gitlabSeverity spells a rule's severity as the schema does.
func gitlabSeverity(s string) string {
	switch s {
	case "critical":
		return "Critical"
	case "high":
		return "High"
	case "medium":
		return "Medium"
	case "low":
		return "Low"
	}
	return "Unknown"
}

// gitlabFile is a location's file as GitLab links it: a path relative to the repository
// root (absolute paths under Root are made relative), or the URL of a bundle.
func gitlabFile(l scanner.Location, root string) string {
	p := l.Path
	switch {
	case p == "" && l.URL != "":
		return l.URL
	case p == "":
		return l.Where()
	case filepath.IsAbs(p) && root != "":
		if rel, err := filepath.Rel(root, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			p = rel
		}
	}
	return printable(filepath.ToSlash(p))
}
