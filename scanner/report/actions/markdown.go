package actions

import (
	"unicode/utf8"

	"github.com/leakstop/leakstop/scanner/report/markdown"
)

// Text in the job summary comes from the scanned repository (paths, commit subjects) and
// from providers (messages): package markdown writes it so that it cannot open HTML, start
// markdown, end a table cell, mention people or drive a terminal.
var (
	flatten = markdown.Flatten
	code    = markdown.CellCode
	text    = markdown.Text
	link    = markdown.Link
)

// clip cuts s to at most n bytes, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
