// Package files is the source for files and folders on disk and for standard input: it
// walks folders (skipping .git, binary files, files over the size limit and whatever is not
// a regular file), reads each file once and hands it to the engine as one chunk.
//
// Nothing a folder holds can make it block or read without end: named pipes, devices and
// sockets are passed over without being opened for reading, symbolic links inside folders
// are not followed (so a link that loops ends nothing), a file is read to the size limit
// and no further whatever its size claims, binary content is told from its first bytes, the
// walk goes no deeper than its limit, and standard input is read to the limit and no more.
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
	"syscall"

	"github.com/dustin/go-humanize"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/scanner"
)

// DefaultMaxFileSize is the size above which files are skipped unless told otherwise.
const DefaultMaxFileSize = 10 << 20

// DefaultMaxDepth is how many folders deep a walk goes below each path unless told
// otherwise: deeper than any real tree (node_modules nests a few dozen), shallow enough that
// a tree made to be endless ends.
const DefaultMaxDepth = 100

// StdinPath is the path argument that reads standard input, and the path its findings get.
const StdinPath = "-"

// binaryHead is how many bytes decide whether content is binary, as git decides it.
const binaryHead = 8000

// Source reads files and folders.
type Source struct {
	// Paths are files or folders; "-" reads Stdin. A path that is a symbolic link is
	// followed (a link to a folder scans the folder); links met inside folders are not.
	Paths []string
	// MaxFileSize skips larger files; 0 means DefaultMaxFileSize, negative means no limit.
	MaxFileSize int64
	// MaxDepth is how many folders deep a walk goes below each path; 0 means
	// DefaultMaxDepth, negative means no limit.
	MaxDepth int
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Expand, when set, is offered every file read; it may emit further chunks derived from
	// it (source maps beside bundles, say) and reports whether the file itself was handled.
	Expand func(ctx context.Context, path string, data []byte, emit func(scanner.Chunk) error) (handled bool, err error)
	// Logger receives, at debug level, what the walk passes over without a word to the
	// engine: symbolic links.
	Logger zerolog.Logger
}

// Scan implements scanner.Source.
func (s *Source) Scan(ctx context.Context, emit func(scanner.Chunk) error) error {
	w := &walker{s: s, ctx: ctx, emit: emit, limit: s.MaxFileSize, depth: s.MaxDepth}
	if w.limit == 0 {
		w.limit = DefaultMaxFileSize
	}
	if w.depth == 0 {
		w.depth = DefaultMaxDepth
	}
	for _, root := range s.Paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if root == StdinPath {
			err = w.stdin()
		} else {
			err = w.root(root)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// walker is one run of a Source.
type walker struct {
	s     *Source
	ctx   context.Context
	emit  func(scanner.Chunk) error
	limit int64
	depth int
}

// stdin reads standard input to the size limit. Content past the limit is not read: what
// was read is scanned and the cut is reported. The read gives way when the scan is
// cancelled, so a standard input that never ends (a terminal) does not hold the process.
func (w *walker) stdin() error {
	loc := scanner.Location{Path: StdinPath}
	if w.s.Stdin == nil {
		return w.emit(scanner.Chunk{Location: loc, Err: errors.New("no standard input to read")})
	}
	type result struct {
		data []byte
		over bool
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, over, err := readBounded(w.s.Stdin, 0, w.limit)
		done <- result{data, over, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
	if r.err != nil {
		return w.emit(scanner.Chunk{Location: loc, Err: fmt.Errorf("reading standard input: %w", r.err)})
	}
	if r.over {
		msg := fmt.Sprintf("standard input is longer than the %s limit: the rest is not read, the first %s are scanned", size(w.limit), size(w.limit))
		if err := w.emit(scanner.Chunk{Location: loc, Skipped: msg, Limit: scanner.LimitFileSize}); err != nil {
			return err
		}
		r.data = r.data[:w.limit]
	}
	return w.file(StdinPath, r.data)
}

// root scans one path argument: a file or a folder, through a symbolic link if it is one.
// Anything else is an error: the user named it, and it cannot be scanned.
func (w *walker) root(root string) error {
	loc := scanner.Location{Path: slash(root)}
	info, err := os.Lstat(root)
	if err == nil && info.Mode()&fs.ModeSymlink != 0 {
		info, err = os.Stat(root)
	}
	if err != nil {
		return w.emit(scanner.Chunk{Location: loc, Err: pathError(root, err)})
	}
	switch {
	case info.IsDir():
		return w.dir(root, 0)
	case info.Mode().IsRegular():
		return w.read(root, true)
	}
	return w.emit(scanner.Chunk{Location: loc, Err: &SpecialFileError{Path: root, Mode: info.Mode()}})
}

// dir scans the folder at path, depth folders below its root.
func (w *walker) dir(path string, depth int) error {
	entries, err := os.ReadDir(path)
	if err != nil {
		// ReadDir returns what it read before the error: the rest is still scanned.
		if err := w.emit(scanner.Chunk{Location: scanner.Location{Path: slash(path)}, Err: pathError(path, err)}); err != nil {
			return err
		}
	}
	for _, d := range entries {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		p := filepath.Join(path, d.Name())
		loc := scanner.Location{Path: slash(p)}
		var err error
		switch t := d.Type(); {
		case t.IsDir() && d.Name() == ".git":
			err = w.emit(scanner.Chunk{Location: loc, Skipped: "git metadata (leakstop git scans history)"})
		case t.IsDir() && w.depth > 0 && depth+1 > w.depth:
			err = w.emit(scanner.Chunk{Location: loc, Limit: scanner.LimitDepth,
				Skipped: fmt.Sprintf("folder is %d levels deep, beyond the limit of %d: not read", depth+1, w.depth)})
		case t.IsDir():
			err = w.dir(p, depth+1)
		case t.IsRegular():
			err = w.read(p, false)
		case t&fs.ModeSymlink != 0:
			w.s.Logger.Debug().Str("path", loc.Path).Msg("symbolic link, not followed")
		default:
			err = w.emit(scanner.Chunk{Location: loc, Skipped: describe(t) + ", not a file: not read"})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// read scans the regular file at path. follow says whether a symbolic link may be followed
// (a path argument) or not (a file met in a folder, which may have been replaced by a link
// since the folder was listed). The file is opened without blocking, and read only if it is
// still a regular file: a named pipe put in its place cannot hold the scan.
func (w *walker) read(path string, follow bool) error {
	loc := scanner.Location{Path: slash(path)}
	f, err := openFile(path, follow)
	if err != nil {
		return w.emit(scanner.Chunk{Location: loc, Err: pathError(path, err)})
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return w.emit(scanner.Chunk{Location: loc, Err: pathError(path, err)})
	}
	if !info.Mode().IsRegular() {
		if follow {
			return w.emit(scanner.Chunk{Location: loc, Err: &SpecialFileError{Path: path, Mode: info.Mode()}})
		}
		return w.emit(scanner.Chunk{Location: loc, Skipped: describe(info.Mode()) + ", not a file: not read"})
	}
	if w.limit > 0 && info.Size() > w.limit {
		return w.emit(w.tooLarge(loc, info.Size()))
	}
	// The head first: binary content is told from it, and the rest is then not read.
	head, err := io.ReadAll(io.LimitReader(f, binaryHead))
	if err != nil {
		return w.emit(scanner.Chunk{Location: loc, Err: fmt.Errorf("reading %s: %w", path, err)})
	}
	if IsBinary(head) {
		return w.emit(scanner.Chunk{Location: loc, Skipped: "binary file"})
	}
	data, over, err := readBounded(io.MultiReader(bytes.NewReader(head), f), info.Size(), w.limit)
	if err != nil {
		return w.emit(scanner.Chunk{Location: loc, Err: fmt.Errorf("reading %s: %w", path, err)})
	}
	if over {
		// The file grew past the limit since it was looked at, or its size said less
		// than it holds (files under /proc say 0).
		return w.emit(w.tooLarge(loc, int64(len(data))))
	}
	return w.file(loc.Path, data)
}

// tooLarge is the chunk of a file skipped for its size, n bytes or more.
func (w *walker) tooLarge(loc scanner.Location, n int64) scanner.Chunk {
	return scanner.Chunk{Location: loc, Limit: scanner.LimitFileSize,
		Skipped: fmt.Sprintf("%s is larger than the %s limit", size(n), size(w.limit))}
}

func (w *walker) file(path string, data []byte) error {
	if IsBinary(data) {
		return w.emit(scanner.Chunk{Location: scanner.Location{Path: path}, Skipped: "binary file"})
	}
	if w.s.Expand != nil {
		handled, err := w.s.Expand(w.ctx, path, data, w.emit)
		if err != nil {
			return err
		}
		if handled {
			return nil
		}
	}
	return w.emit(scanner.Chunk{Data: data, Kind: scanner.KindFile, Location: scanner.Location{Path: path}})
}

// readBounded reads r to its end, or to limit+1 bytes when limit is positive; over says
// that r holds more than limit bytes (data then holds limit+1 of them). sizeHint, when
// known, sizes the buffer once.
func readBounded(r io.Reader, sizeHint, limit int64) (data []byte, over bool, err error) {
	if limit > 0 {
		r = io.LimitReader(r, limit+1)
		sizeHint = min(sizeHint, limit)
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(sizeHint, 0)+bytes.MinRead))
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, false, err
	}
	data = buf.Bytes()
	return data, limit > 0 && int64(len(data)) > limit, nil
}

// ReadFile reads the regular file at path, to limit bytes (no limit when limit is 0 or
// less), without following a symbolic link when nofollow is set. Anything but a regular
// file is refused without being read (a named pipe is not even opened for reading); over
// says the file holds more than limit bytes, and then no data is returned.
func ReadFile(path string, limit int64, nofollow bool) (data []byte, over bool, err error) {
	f, err := openFile(path, !nofollow)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if !info.Mode().IsRegular() {
		return nil, false, &SpecialFileError{Path: path, Mode: info.Mode()}
	}
	if limit > 0 && info.Size() > limit {
		return nil, true, nil
	}
	data, over, err = readBounded(f, info.Size(), limit)
	if over {
		return nil, true, err
	}
	return data, false, err
}

// IsBinary reports whether data looks binary the way git decides it: a NUL byte in the
// first 8000 bytes.
func IsBinary(data []byte) bool {
	head := data
	if len(head) > binaryHead {
		head = head[:binaryHead]
	}
	return bytes.IndexByte(head, 0) >= 0
}

// SpecialFileError is a path named to be scanned that is neither a file nor a folder: a
// named pipe, a device or a socket. It is never opened for reading: a pipe may never end
// (or block for good before the first byte), a device such as /dev/zero never ends.
type SpecialFileError struct {
	Path string
	Mode fs.FileMode
}

func (e *SpecialFileError) Error() string {
	return fmt.Sprintf("%s is %s, not a file or folder: not read", e.Path, describe(e.Mode))
}

// Hint says how to scan what a pipe carries.
func (e *SpecialFileError) Hint() string {
	if e.Mode&fs.ModeNamedPipe != 0 {
		return "to scan what the pipe carries, send it to standard input and scan the path -"
	}
	return ""
}

// describe names a kind of file that is not a regular file or a folder.
func describe(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}

func pathError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist (check the path)", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s cannot be read: permission denied (run as a user who can read it, or allowlist the path)", path)
	case errors.Is(err, syscall.ELOOP):
		return fmt.Errorf("%s is a symbolic link that loops (it leads back to itself): not read", path)
	}
	return fmt.Errorf("reading %s: %w", path, err)
}

func size(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }

func slash(p string) string {
	return filepath.ToSlash(filepath.Clean(p))
}
