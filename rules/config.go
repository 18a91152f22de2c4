package rules

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Builtin returns a fresh copy of the built-in rules: those of every provider file
// (builtin/<provider>.toml), files in the order of their names, rules in the order of their
// file.
func Builtin() []*Rule {
	cfg, err := parseBuiltin()
	if err != nil {
		panic(fmt.Sprintf("leakstop: built-in rules: %v", err)) // caught by the rules tests
	}
	return cfg.Rules
}

func parseBuiltin() (*Config, error) {
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	fc := &fileConfig{Rules: cat.rules}
	cfg := &Config{}
	if err := fc.build(builtinDir, cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Config is what a configuration file adds to the built-in rules.
type Config struct {
	// Rules are the file's [[rules]]: new ones are added, one with a built-in id replaces it
	// and keeps the built-in's provider, companion, severity, remediation and the literal
	// prefixes redaction keeps.
	Rules []*Rule
	// Disabled lists rule ids to drop ("disabledRules", also gitleaks' [extend]). An id
	// that names no rule is an error.
	Disabled []string
	// Allowlist is the global [allowlist]; Allowlists are further global allowlists
	// (gitleaks' [[allowlists]] and those of extended files), each applied on its own.
	Allowlist  Allowlist
	Allowlists []Allowlist
	// Gitleaks tells that the file was read as a gitleaks configuration.
	Gitleaks bool
	// Notes say what the configuration asks that leakstop does not do as asked (rules that
	// match file names only, composite rules, tags) and what it read besides the file
	// (extended files); the caller logs them as warnings.
	Notes []string
	// Read lists the files read, the configuration first, then those it extends.
	Read []string
	// Ignore, when set, drops findings by their place (a .gitleaksignore). The caller
	// reads it; it is not part of the file.
	Ignore *Ignore

	targeted []targetedAllowlist // global allowlists with targetRules that name built-ins
}

// targetedAllowlist is a global allowlist that applies to one built-in rule only.
type targetedAllowlist struct {
	rule string
	list Allowlist
}

// ReadFunc reads a configuration file by name, from disk or from elsewhere (a repository's
// tree). The files a configuration extends are named relative to its folder.
type ReadFunc func(name string) ([]byte, error)

// maxExtendDepth bounds a chain of [extend] path files (gitleaks allows two).
const maxExtendDepth = 3

// LoadConfig reads a leakstop or gitleaks TOML configuration from disk. A file is read as
// gitleaks' when it says format = "gitleaks", has gitleaks' title or [extend] keys, or its
// name contains "gitleaks"; the difference is that gitleaks' allowlist paths are regexes
// while leakstop's are doublestar globs.
func LoadConfig(path string) (*Config, error) { return LoadConfigFrom(path, os.ReadFile) }

// LoadConfigFrom reads the configuration name with read, and the files it extends.
func LoadConfigFrom(name string, read ReadFunc) (*Config, error) {
	data, err := read(name)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return parseConfig(data, name, read)
}

// ParseConfig reads a configuration held in data; name is for messages and for finding the
// files it extends with read (nil: it may extend none).
func ParseConfig(data []byte, name string, read ReadFunc) (*Config, error) {
	return parseConfig(data, name, read)
}

func parseConfig(data []byte, name string, read ReadFunc) (*Config, error) {
	fc, gitleaks, err := decodeFile(data, name, isGitleaksName(name))
	if err != nil {
		return nil, err
	}
	cfg := &Config{Gitleaks: gitleaks, Read: []string{name}}
	if err := resolveExtends(fc, name, read, cfg, 0, map[string]bool{name: true}); err != nil {
		return nil, err
	}
	if err := fc.build(name, cfg); err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, r := range Builtin() {
		known[r.ID] = true
	}
	for _, r := range cfg.Rules {
		known[r.ID] = true
	}
	for _, id := range cfg.Disabled {
		if !known[id] {
			return nil, fmt.Errorf("config %s: disabledRules names %q, which is no rule (see leakstop rules)", name, id)
		}
	}
	return cfg, nil
}

func isGitleaksName(name string) bool {
	return strings.Contains(strings.ToLower(filepath.Base(name)), "gitleaks")
}

// Compile merges a configuration (which may be nil) into the built-in rules and returns the
// matcher.
func Compile(cfg *Config) (*Set, error) {
	rules := Builtin()
	if cfg == nil {
		return NewSet(rules)
	}
	index := map[string]int{}
	for i, r := range rules {
		index[r.ID] = i
	}
	for _, r := range cfg.Rules {
		if i, ok := index[r.ID]; ok {
			r.inherit(rules[i])
			rules[i] = r
			continue
		}
		index[r.ID] = len(rules)
		rules = append(rules, r)
	}
	for _, t := range cfg.targeted {
		if i, ok := index[t.rule]; ok {
			rules[i].Allowlists = append(rules[i].Allowlists, t.list)
		}
	}
	if len(cfg.Disabled) > 0 {
		off := map[string]bool{}
		for _, id := range cfg.Disabled {
			if _, ok := index[id]; !ok {
				return nil, fmt.Errorf("disabledRules names %q, which is no rule (see leakstop rules)", id)
			}
			off[id] = true
		}
		kept := rules[:0]
		for _, r := range rules {
			if !off[r.ID] {
				kept = append(kept, r)
			}
		}
		rules = kept
	}
	set, err := NewSet(rules, append([]Allowlist{cfg.Allowlist}, cfg.Allowlists...)...)
	if err != nil {
		return nil, err
	}
	set.Ignore = cfg.Ignore
	return set, nil
}

// inherit gives a rule that replaces the built-in b what the built-in knows beyond its
// regex: who issued the secret (so it is verified and revoked), the value found beside it,
// how severe it is, what to do, and the prefixes that redaction keeps.
func (r *Rule) inherit(b *Rule) {
	if r.Provider == "" {
		r.Provider = b.Provider
	}
	r.Generic = r.Generic || b.Generic
	if r.Companion == nil && b.Companion != nil {
		r.Companion, r.CompanionWindow, r.CompanionChecks = b.Companion, b.CompanionWindow, b.CompanionChecks
	}
	if !r.severityGiven {
		r.Severity = b.Severity
	}
	if r.Remediation == "" {
		r.Remediation = b.Remediation
	}
	r.prefixes = appendUniqueStrings(r.prefixes, b.prefixes...)
}

type fileConfig struct {
	Format        string          `toml:"format"`
	Title         string          `toml:"title"`
	Description   string          `toml:"description"`
	MinVersion    string          `toml:"minVersion"`
	Extend        *fileExtend     `toml:"extend"`
	DisabledRules []string        `toml:"disabledRules"`
	Rules         []fileRule      `toml:"rules"`
	Allowlist     *fileAllowlist  `toml:"allowlist"`
	Allowlists    []fileAllowlist `toml:"allowlists"`

	gitleaks bool
	notes    []string
}

type fileExtend struct {
	UseDefault    bool     `toml:"useDefault"`
	Path          string   `toml:"path"`
	URL           string   `toml:"url"`
	DisabledRules []string `toml:"disabledRules"`
}

type fileRule struct {
	ID               string          `toml:"id"`
	Description      string          `toml:"description"`
	Provider         string          `toml:"provider"`
	Regex            string          `toml:"regex"`
	SecretGroup      int             `toml:"secretGroup"`
	Entropy          float64         `toml:"entropy"`
	Keywords         []string        `toml:"keywords"`
	Path             string          `toml:"path"`
	Checks           []string        `toml:"checks"`
	Window           int             `toml:"window"`
	Multiline        bool            `toml:"multiline"`
	Anchored         bool            `toml:"anchored"`
	Prefilter        string          `toml:"prefilter"`
	Generic          bool            `toml:"generic"`
	Companion        string          `toml:"companion"`
	CompanionWindow  int             `toml:"companionWindow"`
	CompanionChecks  []string        `toml:"companionChecks"`
	RequireCompanion bool            `toml:"requireCompanion"`
	Severity         string          `toml:"severity"`
	Confidence       string          `toml:"confidence"`
	Remediation      string          `toml:"remediation"`
	Tags             []string        `toml:"tags"`
	Allowlist        *fileAllowlist  `toml:"allowlist"`
	Allowlists       []fileAllowlist `toml:"allowlists"`
	Required         []fileRequired  `toml:"required"`
	SkipReport       bool            `toml:"skipReport"`
	Examples         Examples        `toml:"examples"`

	gitleaks bool // read from a gitleaks file: paths are regexes
}

// fileRequired is gitleaks' [[rules.required]]: a rule whose matches count only near a
// match of another.
type fileRequired struct {
	ID            string `toml:"id"`
	WithinLines   *int   `toml:"withinLines"`
	WithinColumns *int   `toml:"withinColumns"`
}

type fileAllowlist struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	Paths       []string `toml:"paths"`
	Regexes     []string `toml:"regexes"`
	RegexTarget string   `toml:"regexTarget"`
	Stopwords   []string `toml:"stopwords"`
	Commits     []string `toml:"commits"`
	TargetRules []string `toml:"targetRules"`

	gitleaks bool
}

// decodeFile parses one file and tells whether it is a gitleaks configuration.
func decodeFile(data []byte, name string, gitleaks bool) (*fileConfig, bool, error) {
	var fc fileConfig
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&fc)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, false, fmt.Errorf("reading config %s: %s", name, parseErrorText(perr, data))
		}
		return nil, false, fmt.Errorf("reading config %s: %w", name, err)
	}
	switch fc.Format {
	case "":
		gitleaks = gitleaks || md.IsDefined("title") || md.IsDefined("extend")
	case "gitleaks":
		gitleaks = true
	case "leakstop":
		gitleaks = false
	default:
		return nil, false, fmt.Errorf("config %s: format %q is not leakstop or gitleaks", name, fc.Format)
	}
	if und := md.Undecoded(); len(und) > 0 {
		if !gitleaks {
			return nil, false, fmt.Errorf("config %s: unknown key %s (check its spelling against the README)", name, und[0])
		}
		// gitleaks grows keys from release to release: one leakstop does not know is said,
		// not refused.
		seen := map[string]bool{}
		for _, k := range und {
			if key := k.String(); !seen[key] {
				seen[key] = true
				fc.notes = append(fc.notes, fmt.Sprintf("%s: key %s is not known to leakstop and is ignored", name, key))
			}
		}
	}
	if !gitleaks {
		for _, k := range []string{"required", "skipReport", "targetRules"} {
			if slices.ContainsFunc(md.Keys(), func(key toml.Key) bool { return key[len(key)-1] == k }) {
				return nil, false, fmt.Errorf("config %s: %s is a gitleaks key; say format = \"gitleaks\" to read the file as gitleaks'", name, k)
			}
		}
	}
	fc.gitleaks = gitleaks
	for i := range fc.Rules {
		fc.Rules[i].gitleaks = gitleaks
		for j := range fc.Rules[i].Allowlists {
			fc.Rules[i].Allowlists[j].gitleaks = gitleaks
		}
		if fc.Rules[i].Allowlist != nil {
			fc.Rules[i].Allowlist.gitleaks = gitleaks
		}
	}
	if fc.Allowlist != nil {
		fc.Allowlist.gitleaks = gitleaks
	}
	for i := range fc.Allowlists {
		fc.Allowlists[i].gitleaks = gitleaks
	}
	return &fc, gitleaks, nil
}

// resolveExtends folds the file fc extends ([extend] path) into it, as gitleaks does: the
// extended file's rules come along, less those [extend] disabledRules names; a rule of the
// same id in fc overrides the fields it sets and adds its keywords, tags and allowlists.
// useDefault extends leakstop's built-in rules, which stand in for gitleaks' defaults.
func resolveExtends(fc *fileConfig, name string, read ReadFunc, cfg *Config, depth int, seen map[string]bool) error {
	ext := fc.Extend
	if ext == nil {
		return nil
	}
	if ext.URL != "" {
		fc.notes = append(fc.notes, fmt.Sprintf("%s: [extend] url %s is not fetched (gitleaks does not fetch it either); its rules are not used", name, ext.URL))
	}
	if ext.Path != "" && ext.UseDefault {
		return fmt.Errorf("config %s: [extend] has both path and useDefault; give one", name)
	}
	if ext.Path == "" {
		if ext.UseDefault || depth == 0 {
			return disableDefaults(fc, name, cfg)
		}
		return nil
	}
	target := ext.Path
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(name), target)
	}
	switch {
	case read == nil:
		return fmt.Errorf("config %s: [extend] path %s cannot be read from where the config is", name, ext.Path)
	case depth+1 >= maxExtendDepth:
		return fmt.Errorf("config %s: [extend] path %s: files extend each other more than %d deep", name, ext.Path, maxExtendDepth)
	case seen[target]:
		return fmt.Errorf("config %s: [extend] path %s: the files extend each other in a loop", name, ext.Path)
	}
	seen[target] = true
	data, err := read(target)
	if err != nil {
		return fmt.Errorf("config %s: reading [extend] path %s: %w", name, ext.Path, err)
	}
	base, _, err := decodeFile(data, target, isGitleaksName(target) || fc.gitleaks)
	if err != nil {
		return err
	}
	cfg.Read = append(cfg.Read, target)
	if err := resolveExtends(base, target, read, cfg, depth+1, seen); err != nil {
		return err
	}
	return fc.extendWith(base, name, target)
}

// disableDefaults applies [extend] disabledRules to the built-in rules. gitleaks users
// name gitleaks' default rules there; those leakstop has no rule for are said, not refused.
func disableDefaults(fc *fileConfig, name string, cfg *Config) error {
	builtin := map[string]bool{}
	for _, r := range Builtin() {
		builtin[r.ID] = true
	}
	own := map[string]bool{}
	for _, r := range fc.Rules {
		own[r.ID] = true
	}
	for _, id := range fc.Extend.DisabledRules {
		switch {
		case builtin[id] || own[id]:
			fc.DisabledRules = append(fc.DisabledRules, id)
		case gitleaksDefaultIDs[id]:
			fc.notes = append(fc.notes, fmt.Sprintf("%s: [extend] disabledRules names gitleaks' default rule %s, which leakstop's built-in rules have no rule of that id for; nothing is disabled (see leakstop rules)", name, id))
		default:
			return fmt.Errorf("config %s: [extend] disabledRules names %q, which is no rule (see leakstop rules)", name, id)
		}
	}
	return nil
}

// extendWith merges base, the file fc extends, into fc.
func (fc *fileConfig) extendWith(base *fileConfig, name, baseName string) error {
	off := map[string]bool{}
	inBase := map[string]bool{}
	for _, r := range base.Rules {
		inBase[r.ID] = true
	}
	for _, id := range fc.Extend.DisabledRules {
		if !inBase[id] {
			return fmt.Errorf("config %s: [extend] disabledRules names %q, which %s has no rule of", name, id, baseName)
		}
		off[id] = true
	}
	mine := map[string]int{}
	for i, r := range fc.Rules {
		mine[r.ID] = i
	}
	var merged []fileRule
	for _, b := range base.Rules {
		if off[b.ID] {
			continue
		}
		if i, ok := mine[b.ID]; ok {
			fc.Rules[i] = b.overriddenBy(fc.Rules[i])
			continue
		}
		merged = append(merged, b)
	}
	fc.Rules = append(fc.Rules, merged...)
	if base.Allowlist != nil {
		fc.Allowlists = append(fc.Allowlists, *base.Allowlist)
	}
	fc.Allowlists = append(fc.Allowlists, base.Allowlists...)
	fc.DisabledRules = append(fc.DisabledRules, base.DisabledRules...)
	fc.notes = append(fc.notes, base.notes...)
	return nil
}

// overriddenBy returns base with the fields that o sets, and o's keywords, tags and
// allowlists added to base's, as gitleaks merges a rule of an extending file.
func (b fileRule) overriddenBy(o fileRule) fileRule {
	if o.Description != "" {
		b.Description = o.Description
	}
	if o.Regex != "" {
		b.Regex = o.Regex
	}
	if o.SecretGroup != 0 {
		b.SecretGroup = o.SecretGroup
	}
	if o.Entropy != 0 {
		b.Entropy = o.Entropy
	}
	if o.Path != "" {
		b.Path, b.gitleaks = o.Path, o.gitleaks
	}
	b.Keywords = appendUniqueStrings(b.Keywords, o.Keywords...)
	b.Tags = appendUniqueStrings(b.Tags, o.Tags...)
	if b.Allowlist != nil {
		b.Allowlists = append([]fileAllowlist{*b.Allowlist}, b.Allowlists...)
		b.Allowlist = nil
	}
	if o.Allowlist != nil {
		b.Allowlists = append(b.Allowlists, *o.Allowlist)
	}
	b.Allowlists = append(b.Allowlists, o.Allowlists...)
	b.Required = append(b.Required, o.Required...)
	b.SkipReport = b.SkipReport || o.SkipReport
	return b
}

// build turns the merged file into cfg's rules, allowlists and notes.
func (fc *fileConfig) build(name string, cfg *Config) error {
	cfg.Notes = append(cfg.Notes, fc.notes...)
	cfg.Disabled = append(cfg.Disabled, fc.DisabledRules...)
	var globals []fileAllowlist
	if fc.Allowlist != nil {
		globals = append(globals, *fc.Allowlist)
	}
	globals = append(globals, fc.Allowlists...)
	targeted := map[string][]fileAllowlist{}
	first := true
	for i, l := range globals {
		if len(l.TargetRules) > 0 {
			for _, id := range l.TargetRules {
				targeted[id] = append(targeted[id], l)
			}
			continue
		}
		a, err := l.allowlist()
		if err != nil {
			where := fmt.Sprintf("[[allowlists]] %d", i+1)
			if fc.Allowlist != nil {
				where = "[allowlist]"
				if i > 0 {
					where = fmt.Sprintf("[[allowlists]] %d", i)
				}
			}
			return fmt.Errorf("config %s: %s: %w", name, where, err)
		}
		if first {
			cfg.Allowlist, first = a, false
		} else {
			cfg.Allowlists = append(cfg.Allowlists, a)
		}
	}
	seen := map[string]bool{}
	var tagged, placeBound []string
	for i, fr := range fc.Rules {
		if fr.ID != "" && seen[fr.ID] {
			return fmt.Errorf("config %s: rule %s is defined twice (rule ids must be unique)", name, fr.ID)
		}
		seen[fr.ID] = true
		if fr.SkipReport {
			// gitleaks reports such a rule only as part of a composite rule.
			cfg.Notes = append(cfg.Notes, fmt.Sprintf("rule %s: skipReport is set, so it is not used (it serves composite rules, which leakstop does not have)", fr.ID))
			continue
		}
		if fr.gitleaks && fr.Regex == "" && fr.Path != "" {
			cfg.Notes = append(cfg.Notes, fmt.Sprintf("rule %s: matches file names only, which leakstop does not do", fr.ID))
			continue
		}
		if len(fr.Required) > 0 {
			ids := make([]string, len(fr.Required))
			for j, q := range fr.Required {
				ids[j] = q.ID
			}
			cfg.Notes = append(cfg.Notes, fmt.Sprintf("rule %s: [[rules.required]] (%s) is not supported: its matches are reported whether or not those rules match near them", fr.ID, strings.Join(ids, ", ")))
		}
		if len(fr.Tags) > 0 {
			tagged = append(tagged, fr.ID)
		}
		fr.Allowlists = append(fr.Allowlists, targeted[fr.ID]...)
		delete(targeted, fr.ID)
		r, err := fr.rule()
		if err != nil {
			id := fr.ID
			if id == "" {
				id = fmt.Sprintf("#%d", i+1)
			}
			return fmt.Errorf("config %s: rule %s: %w", name, id, err)
		}
		for _, a := range r.Allowlists {
			if a.placeBound() {
				placeBound = append(placeBound, r.ID)
				break
			}
		}
		cfg.Rules = append(cfg.Rules, r)
	}
	if len(targeted) > 0 {
		// Allowlists may target built-in rules too; Compile attaches them.
		builtin := map[string]*Rule{}
		for _, r := range Builtin() {
			builtin[r.ID] = r
		}
		for _, id := range slices.Sorted(maps.Keys(targeted)) {
			if builtin[id] == nil {
				return fmt.Errorf("config %s: an allowlist's targetRules names %q, which is no rule (see leakstop rules)", name, id)
			}
			for _, l := range targeted[id] {
				a, err := l.allowlist()
				if err != nil {
					return fmt.Errorf("config %s: allowlist for %s: %w", name, id, err)
				}
				cfg.targeted = append(cfg.targeted, targetedAllowlist{rule: id, list: a})
			}
		}
	}
	if len(tagged) > 0 {
		cfg.Notes = append(cfg.Notes, fmt.Sprintf("tags (rules %s) are kept with the rules but not shown in reports", strings.Join(tagged, ", ")))
	}
	if len(placeBound) > 0 {
		cfg.Notes = append(cfg.Notes, fmt.Sprintf("rules %s: an allowlist with condition AND over paths or commits and the match or line applies to files, pages and staged changes; a history scan, which matches each blob before it knows its paths and commits, reports what it would silence", strings.Join(placeBound, ", ")))
	}
	return nil
}

// parseErrorText describes a TOML syntax error with the lines around it. The TOML library
// can panic while it draws them (a lone quote before CR LF puts the error on line 0), and the
// error is then told by its line alone, counted here from its byte offset.
func parseErrorText(perr toml.ParseError, data []byte) (text string) {
	defer func() {
		if recover() != nil {
			start := min(max(perr.Position.Start, 0), len(data))
			text = fmt.Sprintf("toml: line %d: %s", bytes.Count(data[:start], []byte("\n"))+1, perr.Message)
		}
	}()
	return perr.ErrorWithPosition()
}

func (fr fileRule) rule() (*Rule, error) {
	if fr.ID == "" {
		return nil, fmt.Errorf("no id")
	}
	if fr.Regex == "" {
		return nil, fmt.Errorf("no regex (rules that only match paths are not supported)")
	}
	re, err := regexp.Compile(fr.Regex)
	if err != nil {
		return nil, fmt.Errorf("regex: %w", err)
	}
	r := &Rule{
		ID: fr.ID, Description: fr.Description, Provider: fr.Provider, Regex: re,
		// compile lowers the keywords in place; the built-in rules are read once and shared.
		SecretGroup: fr.SecretGroup, Entropy: fr.Entropy, Keywords: slices.Clone(fr.Keywords), Checks: fr.Checks,
		Window: fr.Window, Multiline: fr.Multiline, Anchored: fr.Anchored,
		Prefilter: fr.Prefilter, Generic: fr.Generic,
		CompanionWindow: fr.CompanionWindow, CompanionChecks: fr.CompanionChecks,
		RequireCompanion: fr.RequireCompanion, Severity: fr.Severity, Remediation: fr.Remediation,
		Tags: fr.Tags, Examples: fr.Examples, severityGiven: fr.Severity != "",
	}
	if r.Description == "" {
		r.Description = "Secret matched by rule " + fr.ID
	}
	if fr.Confidence != "" {
		if r.Confidence, err = ParseConfidence(fr.Confidence); err != nil {
			return nil, err
		}
	}
	if fr.Path != "" {
		if r.Path, err = regexp.Compile(fr.Path); err != nil {
			return nil, fmt.Errorf("path: %w", err)
		}
	}
	if fr.Companion != "" {
		if r.Companion, err = regexp.Compile(fr.Companion); err != nil {
			return nil, fmt.Errorf("companion: %w", err)
		}
	}
	lists := fr.Allowlists
	if fr.Allowlist != nil {
		lists = append([]fileAllowlist{*fr.Allowlist}, lists...)
	}
	for i, l := range lists {
		a, err := l.allowlist()
		if err != nil {
			return nil, fmt.Errorf("allowlist %d: %w", i+1, err)
		}
		r.Allowlists = append(r.Allowlists, a)
	}
	if err := r.compile(); err != nil {
		return nil, err
	}
	return r, nil
}

// allowlist compiles one allowlist of a file: gitleaks' paths are regexes, leakstop's
// doublestar globs.
func (l fileAllowlist) allowlist() (Allowlist, error) {
	a := Allowlist{Description: l.Description, Condition: l.Condition, RegexTarget: l.RegexTarget,
		Stopwords: append([]string(nil), l.Stopwords...), Commits: l.Commits}
	for _, p := range l.Paths {
		if l.gitleaks {
			re, err := regexp.Compile(p)
			if err != nil {
				return a, fmt.Errorf("path %q: %w", p, err)
			}
			a.PathRegexes = append(a.PathRegexes, re)
			continue
		}
		a.Paths = append(a.Paths, p)
	}
	for _, s := range l.Regexes {
		re, err := regexp.Compile(s)
		if err != nil {
			return a, fmt.Errorf("regex %q: %w", s, err)
		}
		a.Regexes = append(a.Regexes, re)
	}
	if a.empty() {
		return a, fmt.Errorf("it sets none of paths, regexes, stopwords and commits")
	}
	return a, a.compile()
}
