package org

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/leakstop/leakstop/scanner"
)

// Record is what the state remembers of one repository: the ref tips its last scan read
// from, with the digest of the rules it read them with, and the findings of that scan until
// a report has said them (a run killed before its report loses none).
type Record struct {
	ID       int64  `json:"id"`
	FullName string `json:"full_name"`
	// Digest is the rules' digest (and the scan settings that change what is found) the
	// refs were scanned with.
	Digest    string    `json:"digest,omitempty"`
	ScannedAt time.Time `json:"scanned_at,omitzero"`
	// Refs maps each ref to the commit it pointed at when scanned.
	Refs map[string]string `json:"refs,omitempty"`
	// Pending are the findings of the last scan that no report has said yet.
	Pending []PendingFinding `json:"pending,omitempty"`
	// Deleted marks a repository forgotten: the record says so until the state is next
	// compacted.
	Deleted bool `json:"deleted,omitempty"`
}

// PendingFinding is a finding kept in the state, with the redacted form the report shows.
type PendingFinding struct {
	*scanner.Finding
	Redacted string `json:"redacted,omitempty"`
}

// stateHeader is the first line of a state file.
type stateHeader struct {
	Version int    `json:"leakstop_state"`
	Target  string `json:"target"`
}

const stateVersion = 1

// maxRecord bounds one line of a state file: a repository with a million refs.
const maxRecord = 256 << 20

// State is the state file: a first line that names what it is the state of, then one JSON
// line per repository. A repository's line is appended, and synced to disk, as soon as its
// scan ends; a later line for the same repository replaces an earlier one, and a line cut
// short by a crash is not read. The file is rewritten (into a temporary file beside it,
// synced, then renamed over it) when it is opened and when a report has been written, so
// that it holds one line per repository. Each write costs what one repository's line
// costs, however many repositories the state holds, and a run killed at any moment has
// lost only the repositories it was scanning. Only an index (an offset and a length per
// repository) is held in memory. The file may hold secrets (the pending findings) and is
// created readable by its owner alone.
type State struct {
	path   string
	target string

	mu     sync.Mutex
	f      *os.File
	size   int64
	index  map[int64]span
	unlock func()
	// torn is set when the last line was cut short.
	torn bool
}

type span struct{ off, n int64 }

// StateError is a state file that cannot be used.
type StateError struct {
	Path string
	Err  error
}

func (e *StateError) Error() string { return "state " + e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *StateError) Unwrap() error { return e.Err }

// Hint says what to do.
func (e *StateError) Hint() string {
	return "move the file away to scan every repository in full again, or name another state file"
}

// OpenState opens (or creates) the state file at path for target (Target.String()), and
// locks it for this run: two runs sharing a state would lose each other's lines.
func OpenState(path, target string) (*State, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, &StateError{Path: path, Err: err}
	}
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, &StateError{Path: path, Err: err}
	}
	s := &State{path: path, target: target, unlock: unlock, index: map[int64]span{}}
	if err := s.load(); err != nil {
		unlock()
		return nil, err
	}
	if err := s.compact(false); err != nil {
		unlock()
		return nil, err
	}
	return s, nil
}

// load reads the file and indexes its lines; the last line of each repository wins.
func (s *State) load() error {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &StateError{Path: s.path, Err: err}
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var off int64
	for n := 1; ; n++ {
		line, err := readLine(r)
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return nil
		}
		complete := err == nil
		if err != nil && !errors.Is(err, io.EOF) {
			return &StateError{Path: s.path, Err: err}
		}
		if n == 1 {
			var h stateHeader
			if json.Unmarshal(bytes.TrimSpace(line), &h) != nil || h.Version == 0 {
				return &StateError{Path: s.path, Err: errors.New("not a leakstop state file")}
			}
			if h.Version != stateVersion {
				return &StateError{Path: s.path, Err: fmt.Errorf("state version %d, want %d", h.Version, stateVersion)}
			}
			if h.Target != s.target {
				return &StateError{Path: s.path, Err: fmt.Errorf("it is the state of %s, not of %s", h.Target, s.target)}
			}
		} else {
			var id struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(line, &id); err != nil || id.ID == 0 {
				if !complete {
					// The last line, cut short by a crash: that repository is scanned again.
					s.torn = true
					return nil
				}
				return &StateError{Path: s.path, Err: fmt.Errorf("line %d is not a repository's record", n)}
			}
			s.index[id.ID] = span{off: off, n: int64(len(line))}
		}
		off += int64(len(line))
		if complete {
			off++ // the newline
		} else {
			return nil
		}
	}
}

// readLine reads one line without its newline; io.EOF with what was read when the file ends
// without one.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxRecord {
			return nil, fmt.Errorf("a line is longer than %d MiB", maxRecord>>20)
		}
		if err == nil {
			return line[:len(line)-1], nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
}

// readAt reads the record at sp from f.
func readAt(f *os.File, sp span) (*Record, error) {
	buf := make([]byte, sp.n)
	if _, err := f.ReadAt(buf, sp.off); err != nil {
		return nil, err
	}
	rec := &Record{}
	if err := json.Unmarshal(buf, rec); err != nil {
		return nil, err
	}
	for _, p := range rec.Pending {
		if p.Finding != nil {
			p.Finding.Redacted = p.Redacted
		}
	}
	return rec, nil
}

// compact rewrites the file with one line per repository still known: into a temporary
// file beside it, synced, renamed over it, and the folder synced. With reported, the
// pending findings are dropped: a report has said them.
func (s *State) compact(reported bool) error {
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(s.path)+".*")
	if err != nil {
		return &StateError{Path: s.path, Err: err}
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return &StateError{Path: s.path, Err: err}
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	w := bufio.NewWriterSize(tmp, 64<<10)
	head, _ := json.Marshal(stateHeader{Version: stateVersion, Target: s.target})
	w.Write(append(head, '\n'))
	off := int64(len(head) + 1)
	index := map[int64]span{}
	var old *os.File
	if len(s.index) > 0 {
		if old, err = s.reader(); err != nil {
			return fail(err)
		}
	}
	ids := make([]int64, 0, len(s.index))
	for id := range s.index {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		rec, err := readAt(old, s.index[id])
		if err != nil {
			return fail(fmt.Errorf("reading the record of repository %d: %w", id, err))
		}
		if rec.Deleted {
			continue
		}
		if reported {
			rec.Pending = nil
		}
		line, err := json.Marshal(rec)
		if err != nil {
			return fail(err)
		}
		w.Write(append(line, '\n'))
		index[id] = span{off: off, n: int64(len(line))}
		off += int64(len(line)) + 1
	}
	if old != nil && old != s.f {
		old.Close()
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		os.Remove(tmp.Name())
		return &StateError{Path: s.path, Err: err}
	}
	syncDir(dir)
	if s.f != nil {
		s.f.Close()
	}
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return &StateError{Path: s.path, Err: err}
	}
	s.f, s.size, s.index, s.torn = f, off, index, false
	return nil
}

// reader is the open file to read records from: the one written to, or, before the first
// compaction, the file as found.
func (s *State) reader() (*os.File, error) {
	if s.f != nil {
		return s.f, nil
	}
	return os.Open(s.path)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Get returns the record of repository id, or nil when there is none.
func (s *State) Get(id int64) (*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.index[id]
	if !ok {
		return nil, nil
	}
	rec, err := readAt(s.f, sp)
	if err != nil {
		return nil, &StateError{Path: s.path, Err: fmt.Errorf("reading the record of repository %d: %w", id, err)}
	}
	if rec.Deleted {
		return nil, nil
	}
	return rec, nil
}

// IDs returns the repositories the state holds, in order.
func (s *State) IDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.index))
	for id := range s.index {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Put records rec, replacing what the state held of its repository, and syncs it to disk
// before it returns.
func (s *State) Put(rec *Record) error {
	for _, p := range rec.Pending {
		if p.Finding != nil && p.Redacted == "" {
			p.Redacted = p.Finding.Redacted
		}
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return &StateError{Path: s.path, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.Write(append(line, '\n')); err != nil {
		return &StateError{Path: s.path, Err: err}
	}
	if err := s.f.Sync(); err != nil {
		return &StateError{Path: s.path, Err: err}
	}
	s.index[rec.ID] = span{off: s.size, n: int64(len(line))}
	s.size += int64(len(line)) + 1
	return nil
}

// Forget drops repository id from the state.
func (s *State) Forget(id int64, fullName string) error {
	return s.Put(&Record{ID: id, FullName: fullName, Deleted: true})
}

// Reported drops every pending finding, once a report holds them, and compacts the file.
func (s *State) Reported() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.compact(true)
}

// Close compacts the file (keeping pending findings) and releases it.
func (s *State) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.compact(false)
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
	return err
}
