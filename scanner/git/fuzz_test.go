package git

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/leakstop/leakstop/scanner"
)

// The fuzz targets feed the two hand-written parsers of git's output, parseLog (the history
// walk's `git log --raw -c -z`) and parseDiff (Staged's `git diff --cached -U0`), three kinds
// of input: the fuzzed bytes as they are, which must give an error or results that the input
// holds; well-formed output built from the fuzzed bytes, whose results are known; and that
// output broken in a known place, which must give an error. The seeds in
// testdata/fuzz/FuzzParseLog and testdata/fuzz/FuzzParseDiff include real git output.

// pieces hands out the fuzzed bytes a little at a time, to build well-formed input from;
// once they run out it hands out zeros.
type pieces []byte

func (p *pieces) next() byte {
	if len(*p) == 0 {
		return 0
	}
	c := (*p)[0]
	*p = (*p)[1:]
	return c
}

// n returns a number below max.
func (p *pieces) n(max int) int { return int(p.next()) % max }

// text returns up to max bytes, none of them in not.
func (p *pieces) text(max int, not string) []byte {
	n := p.n(max + 1)
	var out []byte
	for i := 0; i < n && len(*p) > 0; i++ {
		if c := p.next(); strings.IndexByte(not, c) < 0 {
			out = append(out, c)
		}
	}
	return out
}

// visit is one call of parseLog's visit: a blob, or a submodule's commit (blob empty).
type visit struct{ commit, path, blob string }

// logVisits runs parseLog over data with a reader of the given buffer size.
func logVisits(data []byte, size int) (visits []visit, commits int64, err error) {
	err = parseLog(bufio.NewReaderSize(bytes.NewReader(data), size), visitor{
		blob: func(c *commitInfo, path, blob string) { visits = append(visits, visit{c.sha, path, blob}) },
		link: func(c *commitInfo, path string) { visits = append(visits, visit{c.sha, path, ""}) },
	}, &commits)
	return visits, commits, err
}

// FuzzParseLog checks parseLog: results that the input holds, the same whatever the read
// buffer's size, every path a commit introduced (a blob or a submodule's commit) visited
// once for well-formed output, and an error for a record cut short or a broken object id.
func FuzzParseLog(f *testing.F) {
	z, a, b, c := strings.Repeat("0", 40), strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	f.Add([]byte("\x01"+c+"\x00\n"+
		":000000 100644 "+z+" "+a+" A\x00dir/a.txt\x00"+
		":100644 000000 "+b+" "+z+" D\x00gone.txt\x00"+
		":000000 160000 "+z+" "+b+" A\x00sub\x00"+
		"\x01"+b+"\x00\x00"+
		"::100644 100644 100644 "+a+" "+b+" "+c+" MM\x00dir/a.txt\x00"), uint8(0))
	f.Add([]byte(""), uint8(0))
	f.Add([]byte("\x01"+a+"\x00\x01"+b+"\x00"), uint8(3))
	f.Add([]byte(":100644 100644 "+a+" "+b+" M\x00before any commit\x00"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		// The bytes as they are.
		visits, commits, err := logVisits(data, 16+int(size))
		big, bigCommits, bigErr := logVisits(data, 1<<16)
		if (err == nil) != (bigErr == nil) || err == nil && (commits != bigCommits || !slices.Equal(visits, big)) {
			t.Fatalf("buffer sizes disagree: %v, %d commits, %q; %v, %d commits, %q", err, commits, visits, bigErr, bigCommits, big)
		}
		if err == nil {
			if n := int64(bytes.Count(data, []byte{1})); commits > n {
				t.Fatalf("%d commits from %d commit marks", commits, n)
			}
			for _, v := range visits {
				if !isOID([]byte(v.commit)) || !bytes.Contains(data, []byte("\x01"+v.commit)) {
					t.Fatalf("commit %q is not a commit of the input", v.commit)
				}
				if v.blob != "" && (!isOID([]byte(v.blob)) || strings.Trim(v.blob, "0") == "" || !bytes.Contains(data, []byte(v.blob))) {
					t.Fatalf("blob %q is not a blob of the input", v.blob)
				}
				if v.path == "" || !bytes.Contains(data, []byte("\x00"+v.path)) {
					t.Fatalf("path %q is not a path of the input", v.path)
				}
			}
		}

		// Well-formed output built from the bytes.
		w := buildLog(pieces(data))
		visits, commits, err = logVisits(w.text, 16+int(size))
		if err != nil {
			t.Fatalf("well-formed log: %v\n%q", err, w.text)
		}
		if commits != int64(w.commits) {
			t.Fatalf("%d commits, want %d\n%q", commits, w.commits, w.text)
		}
		if diff := cmp.Diff(w.visits, visits, cmp.AllowUnexported(visit{})); diff != "" {
			t.Fatalf("visits (-want +got):\n%s\n%q", diff, w.text)
		}

		// The same, broken.
		for _, cut := range w.cuts {
			if _, _, err := logVisits(w.text[:cut], 16+int(size)); !errors.Is(err, errLog) {
				t.Fatalf("log cut after a record: error %v, want errLog\n%q", err, w.text[:cut])
			}
		}
		for _, at := range w.oids {
			broken := bytes.Clone(w.text)
			broken[at] = 'g'
			if _, _, err := logVisits(broken, 16+int(size)); !errors.Is(err, errLog) {
				t.Fatalf("object id broken at %d: error %v, want errLog\n%q", at, err, broken)
			}
		}
	})
}

// wellFormedLog is `git log --raw -c -z` output in walkGit's format and what parseLog must
// make of it.
type wellFormedLog struct {
	text    []byte
	commits int
	visits  []visit
	cuts    []int // offsets just past a record, before its path
	oids    []int // offsets inside an object id that parseLog checks
}

// buildLog builds git log output from p: commits with one or more parents (a merge's
// records in the combined form), records of every kind of mode and status, any path.
func buildLog(p pieces) wellFormedLog {
	var w wellFormedLog
	idLen := 40
	if p.n(4) == 0 {
		idLen = 64 // a SHA-256 repository
	}
	serial := 0
	id := func() string {
		serial++
		if idLen == 64 {
			h := sha256.Sum256([]byte{byte(serial), byte(serial >> 8), p.next()})
			return hex.EncodeToString(h[:])
		}
		h := sha1.Sum([]byte{byte(serial), byte(serial >> 8), p.next()})
		return hex.EncodeToString(h[:])
	}
	zero := strings.Repeat("0", idLen)
	modes := []string{"000000", "100644", "100755", "120000", "160000"}
	for range p.n(6) {
		sha := id()
		w.commits++
		w.text = append(w.text, "\x01"+sha+"\x00"...)
		parents := 1 + p.n(3)
		if parents > 1 {
			w.text = append(w.text, 0) // a merge's line ends with an empty token
		} else {
			w.text = append(w.text, '\n')
		}
		for range p.n(5) {
			var rec strings.Builder
			rec.WriteString(strings.Repeat(":", parents))
			var mode string
			for i := 0; i <= parents; i++ {
				mode = modes[p.n(len(modes))]
				rec.WriteString(mode + " ")
			}
			var oid string
			for i := 0; i <= parents; i++ {
				oid = zero
				if p.n(3) > 0 {
					oid = id()
				}
				rec.WriteString(oid + " ")
			}
			for range parents {
				rec.WriteByte("AMDT"[p.n(4)])
			}
			path := p.text(12, "\x00")
			if len(path) == 0 {
				path = []byte("f")
			}
			oidAt := len(w.text) + rec.Len() - parents - 1 - idLen + p.n(idLen)
			w.text = append(w.text, rec.String()+"\x00"...)
			w.cuts = append(w.cuts, len(w.text))
			w.oids = append(w.oids, oidAt)
			w.text = append(w.text, path...)
			w.text = append(w.text, 0)
			switch {
			case oid == zero:
			case mode == "160000":
				w.visits = append(w.visits, visit{sha, string(path), ""})
			default:
				w.visits = append(w.visits, visit{sha, string(path), oid})
			}
		}
	}
	if len(w.text) > 0 && p.n(2) == 0 {
		w.text = w.text[:len(w.text)-1] // the last token without its NUL
	}
	return w
}

// diffChunk is what a test compares of a chunk parseDiff emits.
type diffChunk struct {
	Path, Skipped string
	Data          string
	Limit         scanner.Limit
}

// diffChunks runs parseDiff over data with a reader of the given buffer size.
func diffChunks(data []byte, size int, limit int64) ([]diffChunk, error) {
	var out []diffChunk
	err := parseDiff(bufio.NewReaderSize(bytes.NewReader(data), size), limit, func(c scanner.Chunk) error {
		if c.Data != nil && c.Kind != scanner.KindFile {
			return fmt.Errorf("chunk of kind %v", c.Kind)
		}
		out = append(out, diffChunk{c.Location.Path, c.Skipped, string(c.Data), c.Limit})
		return nil
	})
	return out, err
}

var hunkNumbers = regexp.MustCompile(`[0-9]+`)

// FuzzParseDiff checks parseDiff: chunks that the input holds (paths, lines and line
// numbers), every added line of well-formed output at its number once, and an error for a
// diff cut inside a hunk or with a line more than its hunk counts.
func FuzzParseDiff(f *testing.F) {
	f.Add([]byte("diff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+one\n+two\n"), uint8(0))
	f.Add([]byte("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -5 +5 @@ func\n-5\n+++ five\n@@ -8,0 +9,2 @@\n+nine\n+ten\n\\ No newline at end of file\n"), uint8(0))
	f.Add([]byte("* Unmerged path a\ndiff --git \"a/t\\tab\" \"b/t\\tab\"\n--- /dev/null\n+++ \"b/t\\tab\"\n@@ -0,0 +1 @@\n+tab\n"), uint8(0))
	f.Add([]byte("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n+one\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		const limit = 1 << 12
		// The bytes as they are.
		chunks, err := diffChunks(data, 16+int(size), limit)
		big, bigErr := diffChunks(data, 1<<16, limit)
		if (err == nil) != (bigErr == nil) || err == nil && !slices.Equal(chunks, big) {
			t.Fatalf("buffer sizes disagree: %v, %q; %v, %q", err, chunks, bigErr, big)
		}
		if err == nil {
			checkDiffChunks(t, data, chunks, limit)
		}

		// Well-formed output built from the bytes.
		w := buildDiff(pieces(data), limit)
		chunks, err = diffChunks(w.text, 16+int(size), limit)
		if err != nil {
			t.Fatalf("well-formed diff: %v\n%s", err, w.text)
		}
		if diff := cmp.Diff(w.chunks, chunks); diff != "" {
			t.Fatalf("chunks (-want +got):\n%s\n%s", diff, w.text)
		}

		// The same, broken.
		for _, cut := range w.cuts {
			if _, err := diffChunks(w.text[:cut], 16+int(size), limit); !errors.Is(err, errDiff) {
				t.Fatalf("diff cut inside a hunk: error %v, want errDiff\n%s", err, w.text[:cut])
			}
		}
		for _, at := range w.extra {
			broken := append(append(bytes.Clone(w.text[:at]), "+extra\n"...), w.text[at:]...)
			if _, err := diffChunks(broken, 16+int(size), limit); !errors.Is(err, errDiff) {
				t.Fatalf("a line more than the hunk counts: error %v, want errDiff\n%s", err, broken)
			}
		}
	})
}

// checkDiffChunks checks that what parseDiff made of data is in data: one chunk at most for
// each file, a path of the input, each line of a chunk an added line of the input, no more
// lines than a hunk header reaches, and nothing larger than limit.
func checkDiffChunks(t *testing.T, data []byte, chunks []diffChunk, limit int) {
	t.Helper()
	if n := bytes.Count(data, []byte("diff --git ")); len(chunks) > n {
		t.Fatalf("%d chunks from %d files", len(chunks), n)
	}
	reach := 0 // the largest line number a hunk header can reach
	for _, line := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("@@ ")) {
			sum := 0
			for _, n := range hunkNumbers.FindAll(line, -1) {
				if v, err := strconv.Atoi(string(n)); err == nil {
					sum += v
				}
			}
			reach = max(reach, sum)
		}
	}
	for _, c := range chunks {
		if c.Path == "" || !bytes.Contains(data, []byte(c.Path)) && !bytes.Contains(data, []byte(`"`)) {
			t.Fatalf("path %q is not in the input", c.Path)
		}
		if c.Skipped != "" {
			if c.Data != "" {
				t.Fatalf("skipped chunk %q has data", c.Path)
			}
			continue
		}
		if c.Data == "" || len(c.Data) > limit || !strings.HasSuffix(c.Data, "\n") {
			t.Fatalf("chunk %q: %d bytes, limit %d: %q", c.Path, len(c.Data), limit, c.Data)
		}
		lines := strings.Split(strings.TrimSuffix(c.Data, "\n"), "\n")
		if len(lines) > reach {
			t.Fatalf("chunk %q has %d lines; the hunk headers reach line %d", c.Path, len(lines), reach)
		}
		for _, l := range lines {
			if l != "" && !bytes.Contains(data, []byte("+"+l)) {
				t.Fatalf("chunk %q: line %q is not an added line of the input", c.Path, l)
			}
		}
	}
}

// wellFormedDiff is `git diff --cached -U0` output in Staged's format and what parseDiff
// must make of it.
type wellFormedDiff struct {
	text   []byte
	chunks []diffChunk
	cuts   []int // offsets inside a hunk, before its last line
	extra  []int // offsets just past a hunk's last line, where one more line breaks it
}

// buildDiff builds git diff output from p: text files with hunks of removed, added and
// context lines (diff.interHunkContext), binary files, renames, mode changes, unmerged
// paths, paths git quotes, lines without a final newline.
func buildDiff(p pieces, limit int) wellFormedDiff {
	var w wellFormedDiff
	line := func(s string) { w.text = append(w.text, s+"\n"...) }
	for range p.n(5) {
		path := string(p.text(10, "\x00"))
		if path == "" {
			path = "f"
		}
		old := path
		renamed := p.n(4) == 0
		if renamed {
			old = "old " + path
		}
		a, b := gitQuote("a/"+old), gitQuote("b/"+path)
		kind := p.n(8)
		if kind == 0 {
			line("* Unmerged path " + gitQuote(path))
			continue
		}
		line("diff --git " + a + " " + b)
		if renamed {
			line("similarity index 90%")
			line("rename from " + gitQuote(old))
			line("rename to " + gitQuote(path))
		}
		switch kind {
		case 1:
			line("index 1234567..89abcde 100644")
			line("Binary files " + a + " and " + b + " differ")
			w.chunks = append(w.chunks, diffChunk{Path: path, Skipped: "binary file"})
			continue
		case 2:
			line("old mode 100644")
			line("new mode 100755")
			continue
		}
		line("index 1234567..89abcde 100644")
		// git ends these lines with a tab when the path holds a space.
		line("--- " + a + tabIfSpace(old))
		line("+++ " + b + tabIfSpace(path))
		var (
			lines []string // the new file's lines that the diff shows, "" for the others
			last  int      // the number of the last added line
			end   int      // the new file's line the last hunk reached
		)
		for range 1 + p.n(4) {
			type item struct {
				op   byte
				text string
			}
			var items []item
			removed, added := 0, 0
			for range 1 + p.n(6) {
				it := item{"-+ "[p.n(3)], string(p.text(8, "\n"))}
				if it.op == ' ' && it.text == "" && p.n(2) == 0 {
					it.op = 0 // an empty context line, as diff.suppressBlankEmpty shows it
				}
				items = append(items, it)
				if it.op != '+' {
					removed++
				}
				if it.op != '-' {
					added++
				}
			}
			start := end + p.n(4)
			if added > 0 {
				start++
			}
			oldRange, newRange := fmt.Sprintf("-%d,%d", start, removed), fmt.Sprintf("+%d,%d", start, added)
			if removed == 1 && p.n(2) == 0 {
				oldRange = fmt.Sprintf("-%d", start)
			}
			if added == 1 && p.n(2) == 0 {
				newRange = fmt.Sprintf("+%d", start)
			}
			header := "@@ " + oldRange + " " + newRange + " @@"
			if p.n(3) == 0 {
				header += " func " + string(p.text(6, "\n"))
			}
			line(header)
			next := start
			for i, it := range items {
				if i == len(items)-1 {
					w.cuts = append(w.cuts, len(w.text))
				}
				switch it.op {
				case '-':
					line("-" + it.text)
				case '+':
					line("+" + it.text)
				case ' ':
					line(" " + it.text)
				default:
					line("")
				}
				if it.op != '-' {
					for len(lines) < next-1 {
						lines = append(lines, "")
					}
					if it.op == '+' {
						lines = append(lines, it.text)
						last = next
					} else {
						lines = append(lines, "")
					}
					next++
				}
			}
			w.extra = append(w.extra, len(w.text))
			if p.n(4) == 0 {
				line(`\ No newline at end of file`)
			}
			end = start
			if added > 0 {
				end = start + added - 1
			}
		}
		if last == 0 {
			continue
		}
		data := strings.Join(lines[:last], "\n") + "\n"
		if len(data) > limit {
			w.chunks = append(w.chunks, diffChunk{Path: path, Skipped: "staged lines are larger than the 4.0 KiB limit", Limit: scanner.LimitFileSize})
			continue
		}
		w.chunks = append(w.chunks, diffChunk{Path: path, Data: data})
	}
	// The last line without its newline, unless that would take an empty line away.
	if n := len(w.text); n > 1 && w.text[n-2] != '\n' && p.n(3) == 0 {
		w.text = w.text[:n-1]
		w.extra = slices.DeleteFunc(w.extra, func(at int) bool { return at >= n-1 })
	}
	return w
}

func tabIfSpace(path string) string {
	if strings.Contains(path, " ") {
		return "\t"
	}
	return ""
}

// gitQuote quotes a path as git does with core.quotePath=false: in double quotes, with C
// escapes, when it holds a double quote, a backslash or a control character.
func gitQuote(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == '"' || r == '\\' || r == 0x7f }) {
		return s
	}
	escape := map[byte]byte{}
	for letter, c := range cEscapes {
		escape[c] = letter
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if letter, ok := escape[c]; ok {
			b.WriteByte('\\')
			b.WriteByte(letter)
		} else if c < ' ' || c == 0x7f {
			fmt.Fprintf(&b, `\%03o`, c)
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
