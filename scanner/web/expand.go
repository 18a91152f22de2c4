package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dustin/go-humanize"

	"github.com/leakstop/leakstop/scanner"
	"github.com/leakstop/leakstop/scanner/files"
)

// Expander is the scanner/files Expand hook for build output on disk (leakstop dir
// dist/). A source map is scanned as its original files (sourcesContent), each finding
// placed at its original file and line. A script with a source map (a sourceMappingURL
// comment, inline data: or a file, or a .map file beside it) is scanned as a public bundle:
// each finding traced through the map to its origin, with the public variable that put it
// there when the bundle or the original source shows one. Anything else is left to the
// files source.
//
// A map is read and parsed once however many bundles name it: the first bundle that needs
// it reads it (a walk meets app.js before app.js.map) and scans its sources, and the map
// file is then passed over. A map is read only from inside the paths scanned (Roots: a
// folder, or the folder of a file), never through a symbolic link, and to the size limit:
// a bundle from somewhere else cannot make leakstop read, and report, a file outside what
// it was asked to scan. The zero value reads maps in the folders of the bundles that name
// them; an Expander serves one scan.
type Expander struct {
	// Roots are the paths the scan reads (files.Source Paths): maps are read inside the
	// folders among them and the folders of the files among them. Empty means the folder of
	// each bundle, taken to be walked by the scan.
	Roots []string
	// MaxFileSize bounds the size of a map read from disk; 0 means
	// files.DefaultMaxFileSize, negative means no limit.
	MaxFileSize int64

	once  sync.Once
	roots []mapRoot
	maps  *mapCache

	mu sync.Mutex
	// done holds the map files whose sources are scanned.
	done map[string]bool
	// noted holds the map files whose problem was reported.
	noted map[string]bool
}

// mapRoot is a folder source maps may be read from.
type mapRoot struct {
	abs, real string
	// walked says whether the scan walks the folder, and so meets its map files itself.
	walked bool
}

func (e *Expander) init() {
	e.once.Do(func() {
		e.maps = newMapCache(mapCacheBudget)
		for _, r := range e.Roots {
			if r == files.StdinPath {
				continue
			}
			info, err := os.Stat(r)
			if err != nil {
				continue
			}
			abs, err := filepath.Abs(r)
			if err != nil {
				continue
			}
			walked := info.IsDir()
			if !walked {
				abs = filepath.Dir(abs)
			}
			real, err := filepath.EvalSymlinks(abs)
			if err != nil {
				continue
			}
			e.roots = append(e.roots, mapRoot{abs: abs, real: real, walked: walked})
		}
	})
}

// Expand implements the files.Source Expand hook.
func (e *Expander) Expand(ctx context.Context, p string, data []byte, emit func(scanner.Chunk) error) (bool, error) {
	e.init()
	switch ext := strings.ToLower(path.Ext(p)); ext {
	case ".map":
		// A bundle met earlier has scanned its sources; else they are scanned now, and a
		// bundle met later does not scan them again.
		if !e.take(p) {
			return true, nil
		}
		return expandMapFile(p, data, emit)
	case ".js", ".mjs", ".cjs":
		return e.expandScriptFile(p, data, emit)
	}
	return false, nil
}

// take marks the sources of the map at p scanned, and says whether they were not yet.
func (e *Expander) take(p string) bool { return e.first(&e.done, p) }

// note says whether the problem of the map at p is to be reported: the first time only.
func (e *Expander) note(p string) bool { return e.first(&e.noted, p) }

// first adds p to the set and says whether it was not in it.
func (e *Expander) first(set *map[string]bool, p string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if *set == nil {
		*set = map[string]bool{}
	}
	if (*set)[p] {
		return false
	}
	(*set)[p] = true
	return true
}

// expandMapFile scans a .map file's sourcesContent. JSON that is no source map is left to
// the files source; a broken source map is reported and then scanned as plain text, so
// nothing in it goes unread.
func expandMapFile(p string, data []byte, emit func(scanner.Chunk) error) (bool, error) {
	if !looksLikeMap(data) {
		return false, nil
	}
	m, err := parseMap(data)
	if errors.Is(err, errNotSourceMap) {
		return false, nil
	}
	if err != nil {
		if err := emit(scanner.Chunk{Location: scanner.Location{Path: p}, Err: fmt.Errorf("%w; scanned as plain text", err)}); err != nil {
			return true, err
		}
		return false, nil
	}
	return true, emitSources(m, scanner.Location{Path: p}, originOnDisk(p), emit)
}

// expandScriptFile scans a script that has a source map as a public bundle, and the map's
// sources with it.
func (e *Expander) expandScriptFile(p string, data []byte, emit func(scanner.Chunk) error) (bool, error) {
	loc := scanner.Location{Path: p}
	ref := sourceMappingURL(data)
	var m *sourceMap
	switch {
	case strings.HasPrefix(ref, "data:"):
		// An inline map: no file will be scanned for it, so its sources are scanned here.
		var err error
		if m, err = inlineMap(ref); err != nil {
			if err := emit(scanner.Chunk{Location: loc, Err: fmt.Errorf("inline source map: %w; findings in the script are not traced to their sources", err)}); err != nil {
				return true, err
			}
			m = nil
		} else if err := emitSources(m, loc, originOnDisk(p), emit); err != nil {
			return true, err
		}
		if m != nil && m.decode() != nil {
			err := fmt.Errorf("inline source map: %w; findings in the script are not traced to their sources", m.decode())
			if err := emit(scanner.Chunk{Location: loc, Err: err}); err != nil {
				return true, err
			}
		}
	case ref != "" && !strings.Contains(ref, "://") && !strings.HasPrefix(ref, "/"):
		var err error
		if m, _, err = e.mapFile(path.Join(path.Dir(p), ref), loc, true, emit); err != nil {
			return true, err
		}
	case ref == "":
		// No comment: a map file beside the script still makes it a bundle, even a broken
		// one (which is reported when the walk reaches it).
		var exists bool
		var err error
		if m, exists, err = e.mapFile(p+".map", loc, false, emit); err != nil || !exists {
			return err != nil, err
		}
	}
	b := &bundle{m: m, origin: originOnDisk(mapPathFor(p, ref))}
	return true, emit(scanner.Chunk{Data: data, Kind: scanner.KindFile, Location: loc, Annotate: b.annotate})
}

// mapFile returns the map file at mp that the script at script names (named: by a comment;
// else it is only beside it), read and parsed once, its sources scanned the first time;
// exists says whether there is one. A map outside the roots, or reached through a symbolic
// link, is not read: named, that is reported; beside, the script is no bundle. What is
// wrong with a map is reported once: where the walk will not meet the map file itself, or
// when it is the mappings that are broken (the walk reads a map for its sources only).
func (e *Expander) mapFile(mp string, script scanner.Location, named bool, emit func(scanner.Chunk) error) (m *sourceMap, exists bool, err error) {
	if _, err := os.Lstat(filepath.FromSlash(mp)); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	abs, walked, ok := e.inside(mp, script.Path)
	if !ok {
		if !named || !e.note(mp) {
			return nil, named, nil
		}
		return nil, true, emit(scanner.Chunk{Location: script, Skipped: "source map " + mp +
			" is outside the paths scanned, or reached through a symbolic link: not read; findings in the script are not traced to their sources"})
	}
	var problem *scanner.Chunk
	m, _, _ = e.maps.get(abs, func() (*sourceMap, *url.URL, int64) {
		m, size, p := e.loadMap(abs, mp, script.Path)
		problem = p
		return m, nil, size
	})
	// The walk reports a map file where it meets it: only one it will not meet is
	// reported here.
	if problem != nil && !walked && e.note(mp) {
		if err := emit(*problem); err != nil {
			return nil, true, err
		}
	}
	if m == nil {
		return nil, true, nil
	}
	if e.take(mp) {
		if err := emitSources(m, scanner.Location{Path: mp}, originOnDisk(mp), emit); err != nil {
			return m, true, err
		}
	}
	// Broken mappings are the bundle's problem: the walk reads a map for its sources only.
	if derr := m.decode(); derr != nil && e.note(mp) {
		err := fmt.Errorf("source map %s: %w; findings in the script are not traced to their sources", mp, derr)
		if err := emit(scanner.Chunk{Location: script, Err: err}); err != nil {
			return m, true, err
		}
	}
	return m, true, nil
}

// loadMap reads and parses the map file at abs (mp as the scan names it) to the size limit,
// without following a symbolic link, and decodes its mappings. It returns the map and its
// size, or what went wrong as the chunk that reports it.
func (e *Expander) loadMap(abs, mp, script string) (*sourceMap, int64, *scanner.Chunk) {
	limit := e.MaxFileSize
	if limit == 0 {
		limit = files.DefaultMaxFileSize
	}
	loc := scanner.Location{Path: mp}
	data, over, err := files.ReadFile(abs, limit, true)
	switch {
	case over:
		return nil, 0, &scanner.Chunk{Location: loc, Limit: scanner.LimitFileSize,
			Skipped: fmt.Sprintf("source map is larger than the %s limit: not read; findings in %s are not traced to their sources", humanize.IBytes(uint64(limit)), script)}
	case err != nil:
		return nil, 0, &scanner.Chunk{Location: loc, Err: fmt.Errorf("reading the source map: %w", err)}
	}
	m, err := parseMap(data)
	switch {
	case errors.Is(err, errNotSourceMap):
		return nil, 0, nil
	case err != nil:
		return nil, 0, &scanner.Chunk{Location: loc, Err: fmt.Errorf("%w; findings in %s are not traced to their sources", err, script)}
	}
	_ = m.decode()
	return m, int64(len(data)), nil
}

// inside returns the absolute path of the map at mp when it may be read: inside a root,
// with no symbolic link on the way from the root to it (itself included). walked says
// whether the root is a folder the scan walks. Without roots, the folder of the script is
// the root.
func (e *Expander) inside(mp, script string) (abs string, walked, ok bool) {
	abs, err := filepath.Abs(filepath.FromSlash(mp))
	if err != nil {
		return "", false, false
	}
	roots := e.roots
	if len(e.Roots) == 0 {
		dir, err := filepath.Abs(filepath.Dir(filepath.FromSlash(script)))
		if err != nil {
			return "", false, false
		}
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return "", false, false
		}
		roots = []mapRoot{{abs: dir, real: real, walked: true}}
	}
	for _, r := range roots {
		rel, err := filepath.Rel(r.abs, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		real, err := filepath.EvalSymlinks(abs)
		if errors.Is(err, fs.ErrNotExist) {
			// Nothing there: nothing to read, and nothing outside read either.
			return abs, r.walked, true
		}
		if err != nil || real != filepath.Join(r.real, rel) {
			continue
		}
		return abs, r.walked, true
	}
	return "", false, false
}

// mapPathFor is the path that a script's map sources are relative to: the map file, or the
// script itself for an inline map.
func mapPathFor(script, ref string) string {
	if ref == "" {
		return script + ".map"
	}
	if strings.HasPrefix(ref, "data:") {
		return script
	}
	return path.Join(path.Dir(script), ref)
}

// inlineMap parses a data: URL source map.
func inlineMap(ref string) (*sourceMap, error) {
	data, err := decodeDataURL(ref)
	if err != nil {
		return nil, err
	}
	m, err := parseMap(data)
	if errors.Is(err, errNotSourceMap) {
		return nil, errors.New("the data: URL holds JSON that is not a source map")
	}
	return m, err
}

// emitSources emits the original sources a map embeds, each as a chunk located at the map
// with its origin.
func emitSources(m *sourceMap, loc scanner.Location, origin func(string) string, emit func(scanner.Chunk) error) error {
	for i, c := range m.contents {
		if c == nil || *c == "" {
			continue
		}
		if err := emit(scanner.Chunk{
			Data: []byte(*c), Kind: scanner.KindOther, Location: loc,
			Annotate: annotateSource(origin(m.sources[i])),
		}); err != nil {
			return err
		}
	}
	return nil
}

// looksLikeMap reports whether a .map file could be a source map: a JSON object that names
// mappings or sections. Other files that end in .map (a game level, an nginx map) are left
// alone.
func looksLikeMap(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	head := t
	if len(head) > 4096 {
		head = head[:4096]
	}
	return bytes.Contains(data, []byte(`"mappings"`)) || bytes.Contains(head, []byte(`"sections"`)) || bytes.Contains(head, []byte(`"sources"`))
}
