package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// mdLink is a markdown link's target.
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks: every relative link of the README and of docs/ points at a file of the
// repository, and the LICENSE the README names is there.
func TestDocLinks(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join(repoRootDir, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join(repoRootDir, "README.md"))
	links := 0
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			links++
			if _, err := os.Stat(filepath.Join(filepath.Dir(page), filepath.FromSlash(target))); err != nil {
				t.Errorf("%s links to %s, which is not in the repository", filepath.Base(page), m[1])
			}
		}
	}
	if links < 4 {
		t.Errorf("only %d relative links found: the pattern misses them", links)
	}
	license, err := os.ReadFile(filepath.Join(repoRootDir, "LICENSE"))
	if err != nil || !strings.HasPrefix(string(license), "MIT License") {
		t.Errorf("LICENSE is not the MIT license (%v)", err)
	}
}

// TestReadmeInstall: the README installs from a clone with go install ./cmd/leakstop, and
// names no release of leakstop that has not been made for pre-commit: its rev is for the
// user to fill in.
func TestReadmeInstall(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRootDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"go install ./cmd/leakstop", "go install github.com/leakstop/leakstop/cmd/leakstop@VERSION", "leakstop version"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("the README does not say %q", want)
		}
	}
	example, err := os.ReadFile(filepath.Join(repoRootDir, "docs", "pre-commit", ".pre-commit-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\s+rev: REV\b.*(tag|commit)`).Match(example) {
		t.Errorf("the pre-commit example's rev is not one the user fills in:\n%s", example)
	}
}
