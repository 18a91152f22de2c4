package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/leakstop/leakstop/scanner"
)

// maxMapFile caps the size of a source map read from disk beside a bundle: a map is about
// three times its bundle, and the files source's own limit does not reach this read.
const maxMapFile = 256 << 20

// Expander is the scanner/files Expand hook for build output on disk (leakstop dir
// dist/). A source map is scanned as its original files (sourcesContent), each finding
// placed at its original file and line. A script with a source map (a sourceMappingURL
// comment, inline data: or a file, or a .map file beside it) is scanned as a public bundle:
// each finding traced through the map to its origin, with the public variable that put it
// there when the bundle or the original source shows one. Anything else is left to the
// files source.
//
// A map is read once: the bundle that needs it reads it first (a walk meets app.js before
// app.js.map) and scans its sources, and the map file is then passed over. The zero value
// is ready to use; an Expander serves one scan.
type Expander struct {
	mu sync.Mutex
	// done holds the map files whose sources a bundle has scanned.
	done map[string]bool
}

// Expand implements the files.Source Expand hook.
func (e *Expander) Expand(ctx context.Context, p string, data []byte, emit func(scanner.Chunk) error) (bool, error) {
	switch ext := strings.ToLower(path.Ext(p)); ext {
	case ".map":
		if e.taken(p) {
			return true, nil
		}
		return expandMapFile(p, data, emit)
	case ".js", ".mjs", ".cjs":
		return e.expandScriptFile(p, data, emit)
	}
	return false, nil
}

// taken reports whether a bundle has scanned the sources of the map at p.
func (e *Expander) taken(p string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.done[p]
}

func (e *Expander) take(p string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done == nil {
		e.done = map[string]bool{}
	}
	e.done[p] = true
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
	case ref != "" && !strings.Contains(ref, "://") && !strings.HasPrefix(ref, "/"):
		m, _ = mapBeside(path.Join(path.Dir(p), ref))
	case ref == "":
		// No comment: a map file beside the script still makes it a bundle, even a broken
		// one (which is reported when the walk reaches it).
		var exists bool
		if m, exists = mapBeside(p + ".map"); !exists {
			return false, nil
		}
	}
	if mp := mapPathFor(p, ref); m != nil && !strings.HasPrefix(ref, "data:") && !e.taken(mp) {
		if err := emitSources(m, scanner.Location{Path: mp}, originOnDisk(mp), emit); err != nil {
			return true, err
		}
		e.take(mp)
	}
	if m != nil {
		if err := m.decode(); err != nil {
			where := "source map " + mapPathFor(p, ref)
			if strings.HasPrefix(ref, "data:") {
				where = "inline source map"
			}
			err = fmt.Errorf("%s: %w; findings in the script are not traced to their sources", where, err)
			if err := emit(scanner.Chunk{Location: loc, Err: err}); err != nil {
				return true, err
			}
			m = nil
		}
	}
	b := &bundle{m: m, origin: originOnDisk(mapPathFor(p, ref))}
	return true, emit(scanner.Chunk{Data: data, Kind: scanner.KindFile, Location: loc, Annotate: b.annotate})
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

// mapBeside reads and parses the map file at mp; exists says whether there is one. A map
// that is broken is not reported here: the files source reads it (or does not) on its own,
// and reports it there once.
func mapBeside(mp string) (m *sourceMap, exists bool) {
	name := filepath.FromSlash(mp)
	info, err := os.Stat(name)
	if err != nil || !info.Mode().IsRegular() {
		return nil, false
	}
	if info.Size() > maxMapFile {
		return nil, true
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, true
	}
	if m, err = parseMap(data); err != nil {
		return nil, true
	}
	return m, true
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
