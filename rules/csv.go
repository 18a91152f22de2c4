package rules

import (
	"bytes"
	"strings"
)

// CSV exports (a table of users and their passwords, of services and their tokens) name a
// value by the header of its column, lines away. For a text whose first line is a header
// with a column named like a secret (a history scan reads blobs before it knows their
// names, so the text decides, not a .csv name), each cell of that column in a row of as
// many cells is matched as if it were assigned to the column's name ("api_key=<cell>"), by
// the generic rule, with all its checks and allowlists, and reported where the cell is.

// csvGenericRule is the rule that matches cells.
const csvGenericRule = "generic-api-key"

// maxCSVRows bounds the rows read of one file.
const maxCSVRows = 1 << 16

// csvSecretWords are what a column's name holds when its cells are secrets; the generic
// rule then decides, by the name and the cell.
var csvSecretWords = []string{"passw", "pwd", "secret", "token", "api_key", "apikey", "api-key", "access_key", "accesskey", "private_key", "credential", "passphrase", "auth"}

// TableHeader reports whether text starts with the header of a table (CSV or TSV) that
// names a column of secrets, whose cells, on any line below, the matcher reads as such: a
// source that matches only some lines of a text must then give it whole.
func TableHeader(text []byte) bool {
	end := bytes.IndexByte(text, '\n')
	if end < 0 {
		end = len(text)
	}
	return end <= maxHeader && csvHeader(text[:end])
}

// csvHeader reports whether line is the header of a table whose cells may be secrets: two
// or more names (letters, digits, _ . - and blanks, maybe quoted) split by commas or tabs,
// one of them holding a word of csvSecretWords.
func csvHeader(line []byte) bool {
	_, ok := csvHeaderSep(line)
	return ok
}

// csvHeaderSep returns the delimiter of a header line (see csvHeader).
func csvHeaderSep(line []byte) (byte, bool) {
	line = bytes.TrimRight(line, "\r")
	sep := byte(',')
	if bytes.IndexByte(line, ',') < 0 {
		if bytes.IndexByte(line, '\t') < 0 {
			return 0, false
		}
		sep = '\t'
	}
	secret := false
	for _, f := range bytes.Split(line, []byte{sep}) {
		name := strings.Trim(strings.TrimSpace(string(f)), `"`)
		if name == "" || !inSet(name, setAlnum+"_.- ") || name[0] >= '0' && name[0] <= '9' {
			return 0, false
		}
		lower := strings.ToLower(name)
		for _, w := range csvSecretWords {
			secret = secret || strings.Contains(lower, w)
		}
	}
	return sep, secret
}

// maxHeader is the longest header line a table may have.
const maxHeader = 4096

// findCSV adds the secrets in the secret-named columns of a table file.
func (s *Set) findCSV(out []Match, data []byte, p string) []Match {
	end := bytes.IndexByte(data, '\n')
	if end < 0 || end > maxHeader {
		return out
	}
	header := bytes.TrimRight(data[:end], "\r")
	sep, ok := csvHeaderSep(header)
	r := s.Rule(csvGenericRule)
	if !ok || r == nil || r.anchored == nil || !s.runsOn(r, p) {
		return out
	}
	fields := bytes.Count(header, []byte{sep}) + 1
	// The columns to read: their names, and where in each a keyword of the rule starts.
	type column struct {
		name string
		at   int
	}
	cols := map[int]column{}
	for i, f := range bytes.Split(header, []byte{sep}) {
		name := strings.Trim(strings.TrimSpace(string(f)), `"`)
		lower := strings.ToLower(name)
		at := -1
		for _, k := range r.Keywords {
			if j := strings.Index(lower, strings.ToLower(k)); j >= 0 && (at < 0 || j < at) {
				at = j
			}
		}
		if at >= 0 {
			cols[i] = column{strings.ReplaceAll(name, " ", "_"), at}
		}
	}
	if len(cols) == 0 {
		return out
	}
	off := end + 1
	for row := 0; off < len(data) && row < maxCSVRows; row++ {
		lineEnd := bytes.IndexByte(data[off:], '\n')
		if lineEnd < 0 {
			lineEnd = len(data)
		} else {
			lineEnd += off
		}
		line := data[off:lineEnd]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		rowStart := off
		off = lineEnd + 1
		if bytes.Count(line, []byte{sep})+1 != fields {
			continue // not a row of the table (or a cell holds the delimiter, quoted)
		}
		cell, start := 0, 0
		for i := 0; i <= len(line); i++ {
			if i < len(line) && line[i] != sep {
				continue
			}
			if c, ok := cols[cell]; ok {
				a, b := start, i
				if b-a >= 2 && line[a] == '"' && line[b-1] == '"' {
					a, b = a+1, b-1
				}
				out = s.matchCell(out, r, c.name, c.at, data, rowStart+a, rowStart+b, p)
			}
			cell++
			start = i + 1
		}
	}
	return out
}

// matchCell matches the cell data[a:b) as if assigned to name (name=cell) and places what
// it finds on the cell.
func (s *Set) matchCell(out []Match, r *Rule, name string, at int, data []byte, a, b int, p string) []Match {
	if b-a < 10 || bytes.ContainsAny(data[a:b], "\"\n") {
		return out
	}
	text := make([]byte, 0, len(name)+3+b-a)
	text = append(append(append(text, name...), `="`...), data[a:b]...)
	text = append(text, '"')
	n := len(out)
	out = s.matchAnchored(out, r, text, at, p)
	shift := a - (len(name) + 2)
	for i := n; i < len(out); i++ {
		m := &out[i]
		if m.Start < len(name)+2 || m.End > len(text)-1 {
			return out[:n] // a match that is not the cell's
		}
		m.Start, m.End = m.Start+shift, m.End+shift
	}
	return out
}
