package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/leakstop/leakstop/scanner"
)

// Staged is the source for what `git add` staged: the lines the index adds to HEAD (every
// line of a staged file in a repository with no commit yet). Each staged file is one chunk
// in which the added lines sit at their own line numbers and every other line is empty, so
// findings carry the staged path and line. It uses git's own diff of the index, which stays
// fast in working trees of a hundred thousand files.
type Staged struct {
	// Dir is the working tree (or a folder inside it).
	Dir string
	// MaxFileSize skips files whose added lines are larger; 0 means files.DefaultMaxFileSize.
	MaxFileSize int64
}

// Scan implements scanner.Source.
func (s *Staged) Scan(ctx context.Context, emit func(scanner.Chunk) error) error {
	dir := s.Dir
	if dir == "" {
		dir = "."
	}
	if _, err := gitOutput(ctx, dir, "rev-parse", "--git-dir"); err != nil {
		return fmt.Errorf("reading staged changes in %s: %w (run leakstop in a clone)", absDir(dir), errNotRepository)
	}
	limit := sizeLimit(s.MaxFileSize)
	// --submodule=short keeps a submodule's change to its one "Subproject commit" line,
	// whatever diff.submodule says.
	cmd := gitCmd(ctx, dir, "diff", "--cached", "--no-color", "--no-ext-diff", "--no-textconv",
		"--unified=0", "--diff-filter=d", "--src-prefix=a/", "--dst-prefix=b/", "--find-renames", "--submodule=short")
	pipe, stderr, err := startReading(cmd)
	if err != nil {
		return fmt.Errorf("reading staged changes: %w", err)
	}
	defer pipe.Close()
	parseErr := parseDiff(bufio.NewReaderSize(pipe, 256<<10), limit, emit)
	if parseErr != nil {
		cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	if parseErr != nil {
		return parseErr
	}
	if waitErr != nil {
		return fmt.Errorf("reading staged changes: %w", gitError("diff", stderr, waitErr))
	}
	return nil
}

// stagedFile gathers the added lines of one file of the diff.
type stagedFile struct {
	path    string
	binary  bool
	data    []byte
	line    int // lines in data so far
	skipped bool
}

// add puts text, an added line without its newline, at line n of f's chunk: after the empty
// lines that stand for those the diff leaves out. Past limit the file is skipped, before the
// empty lines are written.
func (f *stagedFile) add(n int, text []byte, limit int64) {
	if f.skipped {
		return
	}
	pad := n - 1 - f.line
	if int64(len(f.data))+int64(pad)+int64(len(text))+1 > limit {
		f.skipped, f.data = true, nil
		return
	}
	for ; pad > 0; pad-- {
		f.data = append(f.data, '\n')
	}
	f.data = append(f.data, text...)
	f.data = append(f.data, '\n')
	f.line = n
}

// errDiff is the error of `git diff` output that is not in the format Staged asks for.
var errDiff = errors.New("unexpected git diff output")

// maxLine bounds the line numbers and counts of a hunk header.
const maxLine = 1<<31 - 1

// parseDiff reads `git diff --unified=0` output and emits one chunk per file with added
// lines, each at its line number in the new file (the lines between are empty). Hunks may
// hold context lines too (diff.interHunkContext joins nearby hunks). Output it cannot read
// as a diff (a hunk cut short or out of order, diff lines outside a hunk) is an error.
func parseDiff(r *bufio.Reader, limit int64, emit func(scanner.Chunk) error) error {
	var (
		cur *stagedFile
		// hunks tells that cur's header is over: a hunk of it has been read.
		hunks bool
		// removed and added count the lines of the hunk still to come on either side; next
		// is the new file's number of the next added or context line.
		removed, added, next int
		// end is the new file's line number where cur's last hunk ended (a hunk with no
		// new lines sits after its start line).
		end  int
		long []byte
	)
	flush := func() error {
		f := cur
		cur = nil
		switch {
		case f == nil:
			return nil
		case f.binary:
			return emit(scanner.Chunk{Location: scanner.Location{Path: f.path}, Skipped: "binary file"})
		case f.skipped:
			return emit(scanner.Chunk{Location: scanner.Location{Path: f.path}, Skipped: fmt.Sprintf("staged lines are larger than the %s limit", humanize.IBytes(uint64(limit))), Limit: scanner.LimitFileSize})
		case len(f.data) == 0:
			return nil
		}
		return emit(scanner.Chunk{Data: f.data, Kind: scanner.KindFile, Location: scanner.Location{Path: f.path}})
	}
	for n := 1; ; n++ {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A very long line: read the rest of it.
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) == 0 && err != nil {
			if !errors.Is(err, io.EOF) {
				return fmt.Errorf("reading staged changes: %w", err)
			}
			if removed > 0 || added > 0 {
				return fmt.Errorf("reading staged changes: %w: the diff ends inside a hunk", errDiff)
			}
			return flush()
		}
		malformed := func(what string) error {
			return fmt.Errorf("reading staged changes: %w: line %d: %s", errDiff, n, what)
		}
		text := bytes.TrimSuffix(line, []byte("\n"))
		if removed > 0 || added > 0 {
			switch {
			case line[0] == '-' && removed > 0:
				removed--
			case line[0] == '+' && added > 0:
				added--
				cur.add(next, text[1:], limit)
				next++
			case (line[0] == ' ' || len(text) == 0) && removed > 0 && added > 0:
				// A context line (empty with diff.suppressBlankEmpty).
				removed--
				added--
				next++
			case line[0] == '\\':
				// "\ No newline at end of file" after a line of the hunk.
			default:
				return malformed("a line that does not fit the hunk header's counts")
			}
			continue
		}
		switch {
		case bytes.HasPrefix(line, []byte("diff --git ")):
			if err := flush(); err != nil {
				return err
			}
			p := diffGitPath(string(text[len("diff --git "):]))
			if p == "" {
				return malformed("a file without a path")
			}
			cur, hunks, end = &stagedFile{path: p}, false, 0
		case bytes.HasPrefix(line, []byte("* ")):
			// "* Unmerged path x": a conflict, which has no staged lines.
			if err := flush(); err != nil {
				return err
			}
		case bytes.HasPrefix(line, []byte("@@ ")):
			start, r, a, ok := hunkHeader(text)
			switch {
			case cur == nil:
				return malformed("a hunk outside a file")
			case !ok:
				return malformed("a hunk header that does not parse")
			case a > 0 && start <= end || start < end:
				return malformed("a hunk before the end of the one before it")
			}
			removed, added, next, hunks = r, a, start, true
			end = start
			if a > 0 {
				end = start + a - 1
			}
		case line[0] == '\\' && hunks:
			// "\ No newline at end of file" after the last line of a hunk.
		case cur == nil:
			if line[0] == '+' || line[0] == '-' || line[0] == ' ' || line[0] == '\\' {
				return malformed("a diff line outside a file")
			}
		case !hunks && bytes.HasPrefix(line, []byte("+++ ")):
			// git ends the line with a tab when the path holds a space.
			if p := bytes.TrimRight(text[4:], "\t"); !bytes.Equal(p, []byte("/dev/null")) {
				if cur.path = strings.TrimPrefix(unquote(string(p)), "b/"); cur.path == "" {
					return malformed("a file without a path")
				}
			}
		case !hunks && bytes.HasPrefix(line, []byte("--- ")):
		case !hunks && bytes.HasPrefix(line, []byte("rename to ")):
			if cur.path = unquote(string(text[len("rename to "):])); cur.path == "" {
				return malformed("a file without a path")
			}
		case !hunks && bytes.HasPrefix(line, []byte("Binary files ")):
			cur.binary = true
		case line[0] == '+' || line[0] == '-' || line[0] == ' ' || line[0] == '\\':
			return malformed("a diff line outside a hunk")
		}
	}
}

// hunkHeader reads "@@ -a,b +c,d @@" (and what follows, a function's name): the new file's
// first line c and the counts b and d (1 when left out).
func hunkHeader(line []byte) (start, removed, added int, ok bool) {
	f := strings.Fields(string(line))
	if len(f) < 4 || f[0] != "@@" || f[3] != "@@" || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, 0, 0, false
	}
	_, removed, ok1 := hunkRange(f[1][1:])
	start, added, ok2 := hunkRange(f[2][1:])
	if !ok1 || !ok2 || added > 0 && start == 0 {
		return 0, 0, 0, false
	}
	return start, removed, added, true
}

// hunkRange reads "a,b" or "a" (b is then 1).
func hunkRange(s string) (start, count int, ok bool) {
	a, b, comma := strings.Cut(s, ",")
	start, ok = lineNumber(a)
	count = 1
	if comma && ok {
		count, ok = lineNumber(b)
	}
	return start, count, ok && start+count <= maxLine
}

// lineNumber reads a hunk header's number: decimal digits only, at most maxLine.
func lineNumber(s string) (int, bool) {
	if s == "" || len(s) > 10 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= maxLine
}

// diffGitPath takes the new path from what follows "diff --git ": "a/P b/P", or quoted; a
// "rename to" or "+++" line, when there is one, replaces it.
func diffGitPath(s string) string {
	if end := quotedEnd(s); end > 0 && strings.HasPrefix(s[end:], " ") {
		return strings.TrimPrefix(unquote(s[end+1:]), "b/")
	}
	// The same path twice (a path may hold " b/" itself).
	if half := len(s) / 2; len(s)%2 == 1 && s[half] == ' ' && strings.HasPrefix(s, "a/") &&
		strings.HasPrefix(s[half+1:], "b/") && s[2:half] == s[half+3:] {
		return s[2:half]
	}
	if i := strings.Index(s, " b/"); i >= 0 {
		return s[i+3:]
	}
	return s
}

// quotedEnd returns the length of the C-quoted string at the start of s (a quote inside it is
// escaped), or 0 if s does not start with one.
func quotedEnd(s string) int {
	if !strings.HasPrefix(s, "\"") {
		return 0
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return 0
}

// cEscapes maps the letter of each C escape that git writes in a quoted path to the byte
// it stands for; other bytes below a space are written in octal.
var cEscapes = map[byte]byte{'a': '\a', 'b': '\b', 't': '\t', 'n': '\n', 'v': '\v', 'f': '\f', 'r': '\r', '"': '"', '\\': '\\'}

// unquote undoes git's C-style quoting of unusual paths: in double quotes, \a \b \t \n \v
// \f \r \" \\ and three octal digits for a byte, every other byte as it is (with
// core.quotePath=false, a path's UTF-8 stays as it is, valid or not). s is returned as it is
// when it is not quoted that way.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	in := s[1 : len(s)-1]
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '"':
			return s
		case c != '\\':
			out = append(out, c)
			continue
		}
		if i++; i == len(in) {
			return s
		}
		c = in[i]
		if e, ok := cEscapes[c]; ok {
			out = append(out, e)
			continue
		}
		switch c {
		case '0', '1', '2', '3':
			if i+2 >= len(in) || !isOctal(in[i+1]) || !isOctal(in[i+2]) {
				return s
			}
			out = append(out, (c-'0')<<6|(in[i+1]-'0')<<3|(in[i+2]-'0'))
			i += 2
		default:
			return s
		}
	}
	return string(out)
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
