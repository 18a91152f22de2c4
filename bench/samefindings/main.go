// Command samefindings tells whether two JSON reports of leakstop hold the same findings at
// the same places: each finding's rule and fingerprint, and each of its locations' path,
// line, column, commit and blob. bench/history.sh runs it on a scan and its --whole-blobs
// twin. It exits 0 when they are the same and 1, listing what differs, when they are not.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
)

type report struct {
	Findings []struct {
		Rule        string `json:"rule"`
		Fingerprint string `json:"fingerprint"`
		Locations   []struct {
			Path   string `json:"path"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
			Commit string `json:"commit"`
			Blob   string `json:"blob"`
		} `json:"locations"`
	} `json:"findings"`
}

// places reads a report into one line per place of a finding, sorted.
func places(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []string
	for _, f := range r.Findings {
		for _, l := range f.Locations {
			out = append(out, fmt.Sprintf("%s %s %s:%d:%d %s %s", f.Rule, f.Fingerprint, l.Path, l.Line, l.Column, l.Commit, l.Blob))
		}
	}
	slices.Sort(out)
	return out, nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: samefindings REPORT REPORT")
		os.Exit(2)
	}
	a, err := places(os.Args[1])
	if err == nil {
		var b []string
		if b, err = places(os.Args[2]); err == nil {
			if slices.Equal(a, b) {
				fmt.Printf("the same %d places of findings\n", len(a))
				return
			}
			for _, p := range a {
				if !slices.Contains(b, p) {
					fmt.Printf("only in %s: %s\n", os.Args[1], p)
				}
			}
			for _, p := range b {
				if !slices.Contains(a, p) {
					fmt.Printf("only in %s: %s\n", os.Args[2], p)
				}
			}
			os.Exit(1)
		}
	}
	fmt.Fprintln(os.Stderr, "samefindings:", err)
	os.Exit(2)
}
