package report

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/outcome"
	"github.com/leakstop/leakstop/scanner/report/markdown"
)

// The SARIF log, as the subset of SARIF 2.1.0 that GitHub code scanning reads, written as
// plain structs: the tool needs a few dozen fields, fully under its control (which are
// left out when empty, which never are), and the tests check the properties the schema
// and GitHub require.

// SARIF constants.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// srcRoot is the uriBaseId of repository-relative URIs, as GitHub's examples name it.
	srcRoot = "%SRCROOT%"
	// lineHashKey is the only partial fingerprint GitHub code scanning reads.
	lineHashKey = "primaryLocationLineHash"
	// fingerprintKey carries leakstop's own fingerprint of the secret, for other consumers.
	fingerprintKey = "leakstop/fingerprint/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	Invocations        []sarifInvocation                `json:"invocations,omitempty"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult                    `json:"results"`
	// ColumnKind says how columns count: leakstop counts characters (code points).
	ColumnKind string `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	InformationURI  string      `json:"informationUri"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	Rules           []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	Help                 sarifMultiformat  `json:"help"`
	DefaultConfiguration sarifConfig       `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifMultiformat struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"`
	Provider         string   `json:"provider,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               *int          `json:"id,omitempty"`
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
	Message          *sarifText    `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn,omitempty"`
}

func writeSARIF(w io.Writer, fs []*scanner.Finding, lens []int, res *scanner.Result, opts Options) error {
	ruleList, index := sarifRules(fs, opts.Rules)
	results := []sarifResult{}
	keep, dropped := placesToKeep(fs, maxSARIFResults)
	for i, f := range fs {
		// seen counts the results of this secret per URI, so that two places of one secret
		// in one file keep apart: "hash:1", "hash:2", as CodeQL counts equal line hashes.
		seen := map[string]int{}
		for _, l := range f.Locations[:keep[i]] {
			results = append(results, sarifResultFor(f, l, lens[i], index[f.Rule], seen, opts))
		}
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:            toolName,
			InformationURI:  informationURI,
			Version:         opts.ToolVersion,
			SemanticVersion: semver(opts.ToolVersion),
			Rules:           ruleList,
		}},
		Results:    results,
		ColumnKind: "unicodeCodePoints",
	}
	if root := rootURI(opts.Root); root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: root}}
	}
	if len(res.Problems) > 0 || dropped > 0 {
		inv := sarifInvocation{ExecutionSuccessful: len(res.Problems) == 0}
		if dropped > 0 {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
				Level: "warning",
				Message: sarifText{Text: strconv.Itoa(dropped) + " later places of secrets were left out: GitHub code scanning " +
					"rejects a run of more than " + strconv.Itoa(maxSARIFResults) + " results. The JSON report lists them all."},
			})
		}
		for _, p := range res.Problems {
			msg := p.Where
			if p.Err != nil {
				msg += ": " + p.Err.Error()
			}
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
				Level: "error", Message: sarifText{Text: msgText(redactAll(msg, res.Findings, opts.ShowSecrets))},
			})
		}
		run.Invocations = []sarifInvocation{inv}
	}
	return encode(w, sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}, "  ")
}

// maxSARIFResults is the most results GitHub code scanning accepts in one run; it rejects
// a file with more.
const maxSARIFResults = 25000

// placesToKeep says how many of each finding's locations fit in max results: every secret
// keeps its earliest place first, then its second, and so on, so that a secret seen in
// thousands of commits does not crowd out the others. dropped counts what is left out.
func placesToKeep(fs []*scanner.Finding, max int) (keep []int, dropped int) {
	keep = make([]int, len(fs))
	total := 0
	for i, f := range fs {
		keep[i] = len(f.Locations)
		total += keep[i]
	}
	if total <= max {
		return keep, 0
	}
	for i := range keep {
		keep[i] = 0
	}
	for n := 0; n < max; {
		grew := false
		for i, f := range fs {
			if keep[i] < len(f.Locations) && n < max {
				keep[i]++
				n++
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	return keep, total - max
}

// redactAll hides every secret of the findings in s (a problem's text comes from elsewhere).
func redactAll(s string, fs []*scanner.Finding, show bool) string {
	if show {
		return s
	}
	red := &rules.Redactor{}
	for _, f := range fs {
		red.Add(f.Secret, f.Shown(false))
		red.Add(f.Companion, rules.Redact(f.Companion, ""))
	}
	return red.Redact(s)
}

// sarifRules lists every rule of the set, in its order, then any rule a finding names that
// the set does not know (a report read back, a rule since removed). GitHub wants the rules
// a tool ran, not only those with results; index maps a rule id to its place.
func sarifRules(fs []*scanner.Finding, set *rules.Set) ([]sarifRule, map[string]int) {
	out := []sarifRule{}
	index := map[string]int{}
	add := func(id string, r *rules.Rule, provider string) {
		if _, ok := index[id]; ok {
			return
		}
		index[id] = len(out)
		out = append(out, sarifRuleFor(id, r, provider))
	}
	if set != nil {
		for _, r := range set.Rules {
			add(r.ID, r, r.Provider)
		}
	}
	for _, f := range fs {
		add(f.Rule, nil, f.Provider)
	}
	return out, index
}

func sarifRuleFor(id string, r *rules.Rule, provider string) sarifRule {
	desc, severity, remediation, precision := "", "high", "", "high"
	score := (&rules.Rule{Severity: severity}).SecurityScore()
	if r != nil {
		desc, remediation = r.Description, r.Remediation
		if r.Severity != "" {
			severity = r.Severity
		}
		score = r.SecurityScore()
		if r.Generic {
			precision = "medium"
		}
		if r.Provider != "" {
			provider = r.Provider
		}
	}
	if desc == "" {
		desc = "Secret found by rule " + id
	}
	full := sentence(desc) + " Severity: " + severity + "."
	if provider != "" {
		full += " Issued by " + provider + "."
	}
	if remediation == "" {
		remediation = "Revoke the secret with its provider and issue a new one."
	}
	text := full + " Anyone who can read where it was found can use it. What to do: " + sentence(remediation) +
		" Then take the secret out of the code and load it from the environment or a secret manager;" +
		" rewriting git history does not make a leaked secret safe, revoking it does." +
		" If this is not a secret, mark its line with a leakstop:allow comment or allowlist it in .leakstop.toml."
	// The markdown is what GitHub renders: a rule's words may come from a configuration
	// file of the scanned repository, so they are escaped (no HTML, no markdown, no links
	// but the http(s) URLs of a remediation, made links on purpose).
	md := "**" + markdown.Text(sentence(desc)) + "**\n\n" +
		"Severity: " + markdown.Text(severity) + "." +
		func() string {
			if provider != "" {
				return " Provider: " + markdown.Text(provider) + "."
			}
			return ""
		}() + "\n\n" +
		"Anyone who can read where this secret was found can use it.\n\n" +
		"## What to do\n\n" +
		"1. " + markdownProse(sentence(remediation)) + "\n" +
		"2. Take the secret out of the code and load it from the environment or a secret manager.\n" +
		"3. Rewriting git history does not make a leaked secret safe; revoking it does. " +
		"Scanning with `--verify` tells whether it still works; `--revoke` disables it where the provider allows.\n\n" +
		"If this is not a secret, put `leakstop:allow` in a comment on its line, or add its path to the " +
		"`[allowlist]` of `.leakstop.toml`.\n"
	tags := []string{"security", "secret", "external/cwe/cwe-798"}
	return sarifRule{
		ID:                   id,
		Name:                 pascal(id),
		ShortDescription:     sarifText{Text: msgText(clip(desc, 1024))},
		FullDescription:      sarifText{Text: msgText(clip(full, 1024))},
		Help:                 sarifMultiformat{Text: msgText(text), Markdown: md},
		DefaultConfiguration: sarifConfig{Level: "error"},
		Properties: sarifRuleProperty{
			Tags: tags, Precision: precision, SecuritySeverity: score, Provider: provider,
		},
	}
}

// sarifResultFor makes the result of one place of one secret.
func sarifResultFor(f *scanner.Finding, l scanner.Location, n, ruleIndex int, seen map[string]int, opts Options) sarifResult {
	art := artifact(l, opts.Root)
	if l.Encoding != "" {
		n = 0 // the secret's length says nothing of its encoded text's
	}
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: art, Region: region(l.Line, l.Column, n)}}
	key := art.URIBaseID + art.URI
	if l.Repository != "" {
		// The same secret at the same path of two repositories is two alerts.
		key = l.Repository + "\x00" + key
	}
	seen[key]++
	res := sarifResult{
		RuleID:    f.Rule,
		RuleIndex: ruleIndex,
		Level:     sarifLevel(f),
		Message:   sarifText{Text: resultMessage(f, l)},
		Locations: []sarifLocation{loc},
		PartialFingerprints: map[string]string{
			lineHashKey:    lineHash(f.Fingerprint, key) + ":" + strconv.Itoa(seen[key]),
			fingerprintKey: f.Fingerprint,
		},
		Properties: resultProperties(f, l),
	}
	if o := l.Origin; o != nil && o.Path != "" {
		id := 1
		res.RelatedLocations = []sarifLocation{{
			ID: &id,
			PhysicalLocation: sarifPhysical{
				ArtifactLocation: artifact(scanner.Location{Path: o.Path}, opts.Root),
				Region:           region(o.Line, o.Column, 0),
			},
			Message: &sarifText{Text: "original source"},
		}}
	}
	return res
}

// sarifLevel is a result's level: error for a secret the provider said is live and for a
// finding of high confidence (or of none known: a report from before confidence), warning
// for medium, note for low.
func sarifLevel(f *scanner.Finding) string {
	if f.Verification != nil && f.Verification.Status == outcome.Live {
		return "error"
	}
	switch f.Level() {
	case rules.ConfidenceMedium:
		return "warning"
	case rules.ConfidenceLow:
		return "note"
	}
	return "error"
}

// lineHash is the primaryLocationLineHash of a secret in a file: the first 16 hex digits of
// sha256 over leakstop's fingerprint (rule and secret) and the repository-relative URI. It
// leaves the line out on purpose: an alert stays the same alert when lines above the secret
// are edited or the secret moves within its file, the same secret in another file is another
// alert, and a scan never needs the file's content to compute it (history, bundles).
func lineHash(fingerprint, uri string) string {
	sum := sha256.Sum256([]byte("leakstop/v1\x00" + fingerprint + "\x00" + uri))
	return hex.EncodeToString(sum[:8])
}

// resultMessage says what was found, where it came from and what is known of it; the first
// sentence is what GitHub shows when space is short. The secret in it is already redacted
// unless the caller asked to show it. Text from elsewhere is escaped: control characters
// shown, square brackets kept from forming SARIF's embedded links. The one link it makes,
// "[…](1)", points at the source-map origin among the related locations.
func resultMessage(f *scanner.Finding, l scanner.Location) string {
	var b strings.Builder
	b.WriteString("Leaked secret " + msgText(f.Secret) + " (" + msgText(f.Rule))
	if f.Provider != "" {
		b.WriteString(", " + msgText(f.Provider))
	}
	b.WriteString(").")
	if l.Repository != "" {
		b.WriteString(" In repository " + msgText(l.Repository) + ".")
	}
	if l.Commit != "" {
		b.WriteString(" Committed in " + msgText(short(l.Commit, 12)))
		if l.Author != "" {
			b.WriteString(" by " + msgText(l.Author))
		}
		if l.Date != "" {
			b.WriteString(" on " + msgText(short(l.Date, 10)))
		}
		if l.Message != "" {
			b.WriteString(": \"" + msgText(clip(l.Message, 72)) + "\"")
		}
		b.WriteString(".")
	}
	if marks := exposure(l); marks != "" {
		b.WriteString(" Exposed: " + msgText(marks) + ".")
	}
	if o := l.Origin; o != nil && o.Path != "" {
		b.WriteString(" Original source: [" + msgText(position(o.Path, o.Line, o.Column)) + "](1).")
	}
	if s := f.Verification; s != nil {
		b.WriteString(" Verification: " + msgText(string(s.Status)) + ".")
	}
	if s := f.Revocation; s != nil {
		b.WriteString(" Revocation: " + msgText(string(s.Status)) + ".")
	}
	if f.Issue != "" {
		b.WriteString(" Issue: " + msgText(f.Issue) + ".")
	}
	return b.String()
}

var messageEscaper = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`)

// msgText escapes text from elsewhere for a SARIF plain-text message: a control character, a
// bidirectional override or another invisible formatting character becomes the replacement
// character (a viewer must not reverse or hide what it shows), and square brackets cannot
// form SARIF's embedded links.
func msgText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unprintable(r) {
			return unicode.ReplacementChar
		}
		return r
	}, s)
	return messageEscaper.Replace(s)
}

// proseURL finds the http(s) URLs in a remediation, which the markdown help makes links.
var proseURL = regexp.MustCompile(`https?://[^\s<>"'()\[\]{}|\\^` + "`" + `]+`)

// markdownProse escapes s for GitHub's markdown, keeping its http(s) URLs as links: every
// other character is text, so a "[link](javascript:…)", "<img …>" or "**" in it shows as
// written.
func markdownProse(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range proseURL.FindAllStringIndex(s, -1) {
		u := strings.TrimRight(s[m[0]:m[1]], ".,;:!?")
		b.WriteString(markdown.Text(s[last:m[0]]))
		b.WriteString(markdown.Link(markdown.Text(u), u))
		last = m[0] + len(u)
	}
	b.WriteString(markdown.Text(s[last:]))
	return b.String()
}

// resultProperties keeps what SARIF has no place for, for tools that read more than GitHub.
func resultProperties(f *scanner.Finding, l scanner.Location) map[string]string {
	p := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	set("repository", l.Repository)
	set("commit", l.Commit)
	set("author", l.Author)
	set("date", l.Date)
	set("url", l.URL)
	set("exposure", l.Exposure)
	set("variable", l.Variable)
	set("encoding", l.Encoding)
	set("confidence", f.Confidence)
	if f.Verification != nil {
		set("verification", string(f.Verification.Status))
	}
	if f.Revocation != nil {
		set("revocation", string(f.Revocation.Status))
	}
	set("issue", f.Issue)
	if len(p) == 0 {
		return nil
	}
	return p
}

// region places a secret of n characters (0: unknown) at line and column; nil when the line
// is not known, rather than a made-up place.
func region(line, col, n int) *sarifRegion {
	if line <= 0 {
		return nil
	}
	r := &sarifRegion{StartLine: line, EndLine: line}
	if col > 0 {
		r.StartColumn = col
		if n > 0 {
			r.EndColumn = col + n
		}
	}
	return r
}

// artifact names where a location's file is: a bundle or page by its URL, a file by its
// path, repository-relative under %SRCROOT% when it can be, else as an absolute file URI.
// A git location's URL is a permalink for people; its path is what code scanning matches.
func artifact(l scanner.Location, root string) sarifArtifactLocation {
	p := l.Path
	switch {
	case l.URL != "" && (l.Commit == "" || p == ""):
		return sarifArtifactLocation{URI: escapeURI(l.URL)}
	case p == "":
		p = l.Where() // a blob no path was found for; never drop the result
	case hasScheme(p):
		return sarifArtifactLocation{URI: escapeURI(p)} // a source map's "webpack://app/src/api.ts"
	case filepath.IsAbs(p):
		if root != "" {
			rel, err := filepath.Rel(root, p)
			if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return sarifArtifactLocation{URI: relURI(filepath.ToSlash(rel)), URIBaseID: srcRoot}
			}
		}
		return sarifArtifactLocation{URI: fileURI(p)}
	}
	return sarifArtifactLocation{URI: relURI(filepath.ToSlash(p)), URIBaseID: srcRoot}
}

// escapeURI percent-encodes what a URI cannot hold raw (spaces, non-ASCII, quotes, angle
// brackets, and square brackets outside an IPv6 host), after turning controls, invisible
// formatting characters and bytes that are not UTF-8 into "_": a URL or a source map's
// source name comes from the scanned site, and SARIF wants valid URIs (an encoded
// bidirectional override, or a replacement character beside an encoded space, makes one that
// Microsoft's validator refuses).
func escapeURI(s string) string {
	const hex = "0123456789ABCDEF"
	s = strings.Map(func(r rune) rune {
		if unprintable(r) || r == unicode.ReplacementChar {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(s, "_"))
	// The authority ("host:port", "[::1]:8080") ends at the first "/", "?" or "#" after "//".
	authEnd := 0
	if i := strings.Index(s, "//"); i >= 0 {
		authEnd = i + 2 + strings.IndexAny(s[i+2:]+"/", "/?#")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		bracket := (c == '[' || c == ']') && i >= authEnd
		if c > 0x20 && c < 0x7f && !bracket && !strings.ContainsRune(`"<>\^`+"`"+`{|}`, rune(c)) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// hasScheme reports whether s is an absolute URI of the "scheme://" kind.
func hasScheme(s string) bool {
	i := strings.Index(s, "://")
	if i <= 0 {
		return false
	}
	for j, r := range s[:i] {
		alpha := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !alpha && (j == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}

// relURI escapes a slash path as a relative URI reference ("src/my file.js" →
// "src/my%20file.js"; a colon in the first segment gets "./" so it is not a scheme).
func relURI(p string) string {
	p = path.Clean(p)
	p = strings.TrimPrefix(p, "./")
	return (&url.URL{Path: p}).String()
}

// fileURI turns an absolute path into a file URI.
func fileURI(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x → /C:/x
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// rootURI is the %SRCROOT% of an absolute root, with the final slash SARIF requires.
func rootURI(root string) string {
	if root == "" || !filepath.IsAbs(root) {
		return ""
	}
	u := fileURI(root)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// semver returns v when it is a semantic version ("0.1.0", "1.2.3-rc.1"), else "".
func semver(v string) string {
	v = strings.TrimPrefix(v, "v")
	core, _, _ := strings.Cut(v, "+")
	core, _, _ = strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return ""
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" || len(p) > 1 && p[0] == '0' {
			return ""
		}
	}
	return v
}

// pascal turns a rule id into a rule name: "openai-project-key" → "OpenaiProjectKey".
func pascal(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		switch {
		case r == '-' || r == '_' || r == '.' || r == ' ' || r == '/':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sentence ends s with a period unless it ends a sentence already.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
