package rules

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed builtin.toml
var builtinTOML []byte

// Builtin returns a fresh copy of the built-in rules, in the order the data lists them.
func Builtin() []*Rule {
	f, err := parseFile(builtinTOML, "builtin.toml", false)
	if err != nil {
		panic(fmt.Sprintf("leakstop: built-in rules: %v", err)) // caught by the rules tests
	}
	return f.rules
}

// Config is what a configuration file adds to the built-in rules.
type Config struct {
	// Rules are the file's [[rules]]: new ones are added, one with a built-in id replaces it.
	Rules []*Rule
	// Disabled lists rule ids to drop ("disabledRules", also gitleaks' [extend]).
	Disabled []string
	// Allowlist is the global [allowlist] (and gitleaks' [[allowlists]], merged).
	Allowlist Allowlist
	// Gitleaks tells that the file was read as a gitleaks configuration.
	Gitleaks bool
	// Skipped says which rules of a gitleaks configuration were left out and why (rules
	// that match file names only); the caller logs them.
	Skipped []string
}

// LoadConfig reads a leakstop or gitleaks TOML configuration. A file is read as gitleaks'
// when it says format = "gitleaks", has gitleaks' title or [extend] keys, or its name
// contains "gitleaks"; the difference is that gitleaks' allowlist paths are regexes while
// leakstop's are doublestar globs.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	gitleaks := strings.Contains(strings.ToLower(filepath.Base(path)), "gitleaks")
	f, err := parseFile(data, path, gitleaks)
	if err != nil {
		return nil, err
	}
	return &Config{Rules: f.rules, Disabled: f.disabled, Allowlist: f.allow, Gitleaks: f.gitleaks, Skipped: f.skipped}, nil
}

// Compile merges a configuration (which may be nil) into the built-in rules and returns the
// matcher.
func Compile(cfg *Config) (*Set, error) {
	rules := Builtin()
	var allow Allowlist
	if cfg != nil {
		index := map[string]int{}
		for i, r := range rules {
			index[r.ID] = i
		}
		for _, r := range cfg.Rules {
			if i, ok := index[r.ID]; ok {
				rules[i] = r
				continue
			}
			index[r.ID] = len(rules)
			rules = append(rules, r)
		}
		if len(cfg.Disabled) > 0 {
			off := map[string]bool{}
			for _, id := range cfg.Disabled {
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
		allow = cfg.Allowlist
	}
	return NewSet(rules, allow)
}

type parsed struct {
	rules    []*Rule
	disabled []string
	allow    Allowlist
	gitleaks bool
	skipped  []string
}

type fileConfig struct {
	Format        string          `toml:"format"`
	Title         string          `toml:"title"`
	Description   string          `toml:"description"`
	Extend        *fileExtend     `toml:"extend"`
	DisabledRules []string        `toml:"disabledRules"`
	Rules         []fileRule      `toml:"rules"`
	Allowlist     *fileAllowlist  `toml:"allowlist"`
	Allowlists    []fileAllowlist `toml:"allowlists"`
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
	Remediation      string          `toml:"remediation"`
	Tags             []string        `toml:"tags"`
	Allowlist        *fileAllowlist  `toml:"allowlist"`
	Allowlists       []fileAllowlist `toml:"allowlists"`
	Examples         Examples        `toml:"examples"`
}

type fileAllowlist struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	Paths       []string `toml:"paths"`
	Regexes     []string `toml:"regexes"`
	RegexTarget string   `toml:"regexTarget"`
	Stopwords   []string `toml:"stopwords"`
	Commits     []string `toml:"commits"`
}

func parseFile(data []byte, name string, gitleaks bool) (*parsed, error) {
	var fc fileConfig
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&fc)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("reading config %s: %s", name, parseErrorText(perr, data))
		}
		return nil, fmt.Errorf("reading config %s: %w", name, err)
	}
	switch fc.Format {
	case "":
		gitleaks = gitleaks || md.IsDefined("title") || md.IsDefined("extend")
	case "gitleaks":
		gitleaks = true
	case "leakstop":
		gitleaks = false
	default:
		return nil, fmt.Errorf("config %s: format %q is not leakstop or gitleaks", name, fc.Format)
	}
	if und := md.Undecoded(); len(und) > 0 && !gitleaks {
		return nil, fmt.Errorf("config %s: unknown key %s (check its spelling against the README)", name, und[0])
	}
	p := &parsed{gitleaks: gitleaks, disabled: fc.DisabledRules}
	if fc.Extend != nil {
		p.disabled = append(p.disabled, fc.Extend.DisabledRules...)
	}
	var globals []fileAllowlist
	if fc.Allowlist != nil {
		globals = append(globals, *fc.Allowlist)
	}
	globals = append(globals, fc.Allowlists...)
	if p.allow, err = mergeAllowlists(globals, gitleaks); err != nil {
		return nil, fmt.Errorf("config %s: [allowlist]: %w", name, err)
	}
	seen := map[string]bool{}
	for i, fr := range fc.Rules {
		if fr.ID != "" && seen[fr.ID] {
			return nil, fmt.Errorf("config %s: rule %s is defined twice (rule ids must be unique)", name, fr.ID)
		}
		seen[fr.ID] = true
		if gitleaks && fr.Regex == "" && fr.Path != "" {
			p.skipped = append(p.skipped, fmt.Sprintf("rule %s: matches file names only, which leakstop does not do", fr.ID))
			continue
		}
		r, err := fr.rule(gitleaks)
		if err != nil {
			id := fr.ID
			if id == "" {
				id = fmt.Sprintf("#%d", i+1)
			}
			return nil, fmt.Errorf("config %s: rule %s: %w", name, id, err)
		}
		p.rules = append(p.rules, r)
	}
	return p, nil
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

func (fr fileRule) rule(gitleaks bool) (*Rule, error) {
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
		SecretGroup: fr.SecretGroup, Entropy: fr.Entropy, Keywords: fr.Keywords, Checks: fr.Checks,
		Window: fr.Window, Multiline: fr.Multiline, Anchored: fr.Anchored,
		Prefilter: fr.Prefilter, Generic: fr.Generic,
		CompanionWindow: fr.CompanionWindow, CompanionChecks: fr.CompanionChecks,
		RequireCompanion: fr.RequireCompanion, Severity: fr.Severity, Remediation: fr.Remediation,
		Examples: fr.Examples,
	}
	if r.Description == "" {
		r.Description = "Secret matched by rule " + fr.ID
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
	if r.Allowlist, err = mergeAllowlists(lists, gitleaks); err != nil {
		return nil, fmt.Errorf("allowlist: %w", err)
	}
	if err := r.compile(); err != nil {
		return nil, err
	}
	return r, nil
}

// mergeAllowlists folds several allowlists into one. gitleaks' AND condition is read as OR,
// which silences more, never less, than the file asks; a regexTarget other than the
// default must then agree across the lists.
func mergeAllowlists(lists []fileAllowlist, gitleaks bool) (Allowlist, error) {
	var a Allowlist
	for _, l := range lists {
		if l.Description != "" {
			a.Description = l.Description
		}
		for _, p := range l.Paths {
			if gitleaks {
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
		if l.RegexTarget != "" {
			if a.RegexTarget != "" && a.RegexTarget != l.RegexTarget {
				return a, fmt.Errorf("allowlists disagree on regexTarget (%s, %s)", a.RegexTarget, l.RegexTarget)
			}
			a.RegexTarget = l.RegexTarget
		}
		a.Stopwords = append(a.Stopwords, l.Stopwords...)
		a.Commits = append(a.Commits, l.Commits...)
	}
	return a, a.compile()
}
