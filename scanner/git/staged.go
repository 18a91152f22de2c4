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
	cmd := gitCmd(ctx, dir, "diff", "--cached", "--no-color", "--no-ext-diff", "--no-textconv",
		"--unified=0", "--diff-filter=d", "--src-prefix=a/", "--dst-prefix=b/", "--find-renames")
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

// parseDiff reads `git diff --unified=0` output and emits one chunk per file with added
// lines.
func parseDiff(r *bufio.Reader, limit int64, emit func(scanner.Chunk) error) error {
	var cur *stagedFile
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
	next := 0 // the line number of the next added line in the hunk
	left := 0 // lines of the hunk still to come, removed and added
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A very long line: read the rest of it.
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return flush()
			}
			return fmt.Errorf("reading staged changes: %w", err)
		}
		if left > 0 && cur != nil && (line[0] == '+' || line[0] == '-') {
			left--
			if line[0] == '-' {
				continue
			}
			if cur.skipped {
				next++
				continue
			}
			for cur.line < next-1 {
				cur.data = append(cur.data, '\n')
				cur.line++
			}
			cur.data = append(cur.data, line[1:]...)
			if line[len(line)-1] != '\n' {
				cur.data = append(cur.data, '\n')
			}
			cur.line++
			next++
			if int64(len(cur.data)) > limit {
				cur.skipped, cur.data = true, nil
			}
			continue
		}
		switch {
		case bytes.HasPrefix(line, []byte("diff --git ")):
			if err := flush(); err != nil {
				return err
			}
			cur = &stagedFile{path: diffGitPath(line)}
		case cur == nil:
		case bytes.HasPrefix(line, []byte("+++ ")):
			if p := bytes.TrimRight(line[4:], "\t\n"); !bytes.Equal(p, []byte("/dev/null")) {
				cur.path = unquote(strings.TrimPrefix(unquote(string(p)), "b/"))
			}
		case bytes.HasPrefix(line, []byte("Binary files ")):
			cur.binary = true
		case bytes.HasPrefix(line, []byte("@@ ")):
			var removed, added int
			next, removed, added = hunkHeader(line)
			left = removed + added
		}
	}
}

// hunkHeader reads "@@ -a,b +c,d @@": the new file's first line c and the counts b and d
// (1 when left out).
func hunkHeader(line []byte) (start, removed, added int) {
	fields := strings.Fields(string(line))
	if len(fields) < 3 {
		return 0, 0, 0
	}
	_, removed = hunkRange(fields[1])
	start, added = hunkRange(fields[2])
	return start, removed, added
}

func hunkRange(s string) (start, count int) {
	s = strings.TrimLeft(s, "+-")
	a, b, ok := strings.Cut(s, ",")
	start, _ = strconv.Atoi(a)
	count = 1
	if ok {
		count, _ = strconv.Atoi(b)
	}
	return start, count
}

// diffGitPath takes the new path from a "diff --git a/x b/x" line; the "+++" line, when
// there is one, replaces it.
func diffGitPath(line []byte) string {
	s := strings.TrimRight(string(line[len("diff --git "):]), "\n")
	if strings.HasPrefix(s, "\"") {
		if i := strings.Index(s, "\" \""); i >= 0 {
			return strings.TrimPrefix(unquote(s[i+2:]), "b/")
		}
	}
	if i := strings.Index(s, " b/"); i >= 0 {
		return s[i+3:]
	}
	return s
}

// unquote undoes git's C-style quoting of unusual paths.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	}
	return s
}
