// Package files is the source for files and folders on disk and for standard input: it
// walks folders (skipping .git, binary files and files over the size limit), reads each file
// once and hands it to the engine as one chunk.
package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dustin/go-humanize"
	"github.com/leakstop/leakstop/scanner"
)

// DefaultMaxFileSize is the size above which files are skipped unless told otherwise.
const DefaultMaxFileSize = 10 << 20

// StdinPath is the path argument that reads standard input, and the path its findings get.
const StdinPath = "-"

// Source reads files and folders.
type Source struct {
	// Paths are files or folders; "-" reads Stdin.
	Paths []string
	// MaxFileSize skips larger files; 0 means DefaultMaxFileSize, negative means no limit.
	MaxFileSize int64
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Expand, when set, is offered every file read; it may emit further chunks derived from
	// it (source maps beside bundles, say) and reports whether the file itself was handled.
	Expand func(ctx context.Context, path string, data []byte, emit func(scanner.Chunk) error) (handled bool, err error)
}

// Scan implements scanner.Source.
func (s *Source) Scan(ctx context.Context, emit func(scanner.Chunk) error) error {
	limit := s.MaxFileSize
	if limit == 0 {
		limit = DefaultMaxFileSize
	}
	for _, root := range s.Paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if root == StdinPath {
			if err := s.stdin(ctx, limit, emit); err != nil {
				return err
			}
			continue
		}
		if err := s.walk(ctx, root, limit, emit); err != nil {
			return err
		}
	}
	return nil
}

func (s *Source) stdin(ctx context.Context, limit int64, emit func(scanner.Chunk) error) error {
	loc := scanner.Location{Path: StdinPath}
	if s.Stdin == nil {
		return emit(scanner.Chunk{Location: loc, Err: errors.New("no standard input to read")})
	}
	r := s.Stdin
	if limit > 0 {
		r = io.LimitReader(r, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return emit(scanner.Chunk{Location: loc, Err: fmt.Errorf("reading standard input: %w", err)})
	}
	if limit > 0 && int64(len(data)) > limit {
		return emit(scanner.Chunk{Location: loc, Skipped: fmt.Sprintf("standard input is larger than the %s limit", humanize.IBytes(uint64(limit))), Limit: scanner.LimitFileSize})
	}
	return s.file(ctx, StdinPath, data, emit)
}

func (s *Source) walk(ctx context.Context, root string, limit int64, emit func(scanner.Chunk) error) error {
	info, err := os.Stat(root)
	if err != nil {
		return emit(scanner.Chunk{Location: scanner.Location{Path: root}, Err: pathError(root, err)})
	}
	if !info.IsDir() {
		return s.read(ctx, root, limit, emit)
	}
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if eerr := emit(scanner.Chunk{Location: scanner.Location{Path: slash(path)}, Err: pathError(path, err)}); eerr != nil {
				return eerr
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" && path != root {
				if err := emit(scanner.Chunk{Location: scanner.Location{Path: slash(path)}, Skipped: "git metadata (leakstop git scans history)"}); err != nil {
					return err
				}
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks, sockets, devices: not followed
		}
		return s.read(ctx, path, limit, emit)
	})
}

func (s *Source) read(ctx context.Context, path string, limit int64, emit func(scanner.Chunk) error) error {
	loc := scanner.Location{Path: slash(path)}
	f, err := os.Open(path)
	if err != nil {
		return emit(scanner.Chunk{Location: loc, Err: pathError(path, err)})
	}
	defer f.Close()
	if limit > 0 {
		if info, err := f.Stat(); err == nil && info.Size() > limit {
			return emit(scanner.Chunk{Location: loc, Skipped: fmt.Sprintf("%s is larger than the %s limit", humanize.IBytes(uint64(info.Size())), humanize.IBytes(uint64(limit))), Limit: scanner.LimitFileSize})
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return emit(scanner.Chunk{Location: loc, Err: fmt.Errorf("reading %s: %w", path, err)})
	}
	return s.file(ctx, loc.Path, data, emit)
}

func (s *Source) file(ctx context.Context, path string, data []byte, emit func(scanner.Chunk) error) error {
	if IsBinary(data) {
		return emit(scanner.Chunk{Location: scanner.Location{Path: path}, Skipped: "binary file"})
	}
	if s.Expand != nil {
		handled, err := s.Expand(ctx, path, data, emit)
		if err != nil {
			return err
		}
		if handled {
			return nil
		}
	}
	return emit(scanner.Chunk{Data: data, Kind: scanner.KindFile, Location: scanner.Location{Path: path}})
}

// IsBinary reports whether data looks binary the way git decides it: a NUL byte in the
// first 8000 bytes.
func IsBinary(data []byte) bool {
	head := data
	if len(head) > 8000 {
		head = head[:8000]
	}
	return bytes.IndexByte(head, 0) >= 0
}

func pathError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist (check the path)", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s cannot be read: permission denied (run as a user who can read it, or allowlist the path)", path)
	}
	return fmt.Errorf("reading %s: %w", path, err)
}

func slash(p string) string {
	return filepath.ToSlash(filepath.Clean(p))
}
