package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// sourceMap is a parsed source map (version 3): a basic map, or an index map made of
// sections. go-sourcemap/sourcemap was weighed and not taken: it gives no way to list the
// sources (which leakstop scans), panics on a mapping that names a source the map does not
// have, and applies a section's column offset to every line of the section.
type sourceMap struct {
	// sources are the original files as the map names them, sourceRoot applied; sections'
	// sources follow each other.
	sources []string
	// contents holds each source's text where the map embeds it (sourcesContent), nil where
	// it does not.
	contents []*string

	sections []section

	once      sync.Once
	decodeErr error
}

// section is one basic map placed at an offset of the generated file (0-based line and
// UTF-16 column); a basic map is one section at 0,0.
type section struct {
	line, col int
	// first is the index of the section's first source in sourceMap.sources.
	first    int
	nsources int
	mappings string

	// Decoded mappings: segs holds every segment, lines[i] the index of line i's first one.
	segs  []segment
	lines []int32
}

// segment is one decoded mapping: a generated column and where it came from. src is -1 for
// a segment that maps to no source.
type segment struct {
	col, src, line, srcCol int32
}

// position is a place in an original source: source indexes sourceMap.sources; line and
// column are 0-based, the column in UTF-16 code units as source maps count them.
type position struct {
	source       int
	line, column int
}

type rawMap struct {
	Version        *int         `json:"version"`
	SourceRoot     string       `json:"sourceRoot"`
	Sources        []*string    `json:"sources"`
	SourcesContent []*string    `json:"sourcesContent"`
	Mappings       *string      `json:"mappings"`
	Sections       []rawSection `json:"sections"`
}

type rawSection struct {
	Offset struct {
		Line   int `json:"line"`
		Column int `json:"column"`
	} `json:"offset"`
	Map *rawMap `json:"map"`
	URL string  `json:"url"`
}

// errNotSourceMap is returned by parseMap for JSON that is not a source map at all (no
// version 3, no mappings, no sections), as opposed to a source map that is broken.
var errNotSourceMap = errors.New("not a source map")

// parseMap reads a source map. Mappings are decoded on first use (decode, lookup), so that a
// map read only for its sourcesContent costs no more than its JSON.
func parseMap(data []byte) (*sourceMap, error) {
	var raw rawMap
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("source map is not valid JSON: %w", jsonError(data, err))
	}
	if raw.Version == nil && raw.Mappings == nil && raw.Sections == nil {
		return nil, errNotSourceMap
	}
	if raw.Version != nil && *raw.Version != 3 {
		return nil, fmt.Errorf("source map version %d is not supported (only version 3 exists in the wild)", *raw.Version)
	}
	m := &sourceMap{}
	if raw.Sections == nil {
		if raw.Mappings == nil {
			return nil, errors.New(`source map has neither "mappings" nor "sections"`)
		}
		m.add(&raw, 0, 0)
		return m, nil
	}
	prevLine, prevCol := -1, -1
	for i, s := range raw.Sections {
		if s.Map == nil {
			if s.URL != "" {
				return nil, fmt.Errorf("source map section %d points at another map by url, which leakstop does not follow", i)
			}
			return nil, fmt.Errorf("source map section %d has no map", i)
		}
		if s.Map.Sections != nil {
			return nil, fmt.Errorf("source map section %d is itself an index map, which the format forbids", i)
		}
		if s.Map.Mappings == nil {
			return nil, fmt.Errorf(`source map section %d has no "mappings"`, i)
		}
		o := s.Offset
		if o.Line < 0 || o.Column < 0 || o.Line < prevLine || (o.Line == prevLine && o.Column < prevCol) {
			return nil, fmt.Errorf("source map section %d starts at %d:%d, before the section ahead of it", i, o.Line, o.Column)
		}
		prevLine, prevCol = o.Line, o.Column
		m.add(s.Map, o.Line, o.Column)
	}
	return m, nil
}

func (m *sourceMap) add(raw *rawMap, line, col int) {
	first := len(m.sources)
	for i, s := range raw.Sources {
		name := ""
		if s != nil {
			name = joinSourceRoot(raw.SourceRoot, *s)
		}
		m.sources = append(m.sources, name)
		var content *string
		if i < len(raw.SourcesContent) {
			content = raw.SourcesContent[i]
		}
		m.contents = append(m.contents, content)
	}
	m.sections = append(m.sections, section{
		line: line, col: col, first: first, nsources: len(raw.Sources), mappings: *raw.Mappings,
	})
}

// joinSourceRoot applies a map's sourceRoot to one of its sources.
func joinSourceRoot(root, src string) string {
	if root == "" || strings.Contains(src, "://") || strings.HasPrefix(src, "/") {
		return src
	}
	if strings.HasSuffix(root, "/") {
		return root + src
	}
	return root + "/" + src
}

// decode decodes the mappings, once; it reports broken mappings (a bad base64 VLQ
// character, a segment of two or three fields, a source index the map does not have).
func (m *sourceMap) decode() error {
	m.once.Do(func() {
		for i := range m.sections {
			s := &m.sections[i]
			segs, lines, err := decodeMappings(s.mappings, s.nsources)
			if err != nil {
				if len(m.sections) > 1 {
					err = fmt.Errorf("section %d: %w", i, err)
				}
				m.decodeErr = err
				return
			}
			s.segs, s.lines, s.mappings = segs, lines, ""
		}
	})
	return m.decodeErr
}

// lookup returns where the generated position (0-based line, 0-based UTF-16 column) came
// from. ok is false when the mappings say nothing about it, or are broken.
func (m *sourceMap) lookup(line, col int) (pos position, ok bool) {
	if m.decode() != nil || line < 0 || col < 0 {
		return position{}, false
	}
	// The last section starting at or before the position holds it.
	i := sort.Search(len(m.sections), func(i int) bool {
		s := &m.sections[i]
		return s.line > line || (s.line == line && s.col > col)
	}) - 1
	if i < 0 {
		return position{}, false
	}
	s := &m.sections[i]
	rl, rc := line-s.line, col
	if rl == 0 {
		rc -= s.col
	}
	if rl >= len(s.lines) {
		return position{}, false
	}
	lo, hi := int(s.lines[rl]), len(s.segs)
	if rl+1 < len(s.lines) {
		hi = int(s.lines[rl+1])
	}
	segs := s.segs[lo:hi]
	// The last segment of the line that starts at or before the column.
	j := sort.Search(len(segs), func(j int) bool { return int(segs[j].col) > rc }) - 1
	if j < 0 || segs[j].src < 0 {
		return position{}, false
	}
	g := segs[j]
	return position{source: s.first + int(g.src), line: int(g.line), column: int(g.srcCol)}, true
}

// base64 digit values; -1 marks a byte that is not one.
var vlqDigits = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// decodeMappings decodes a "mappings" string: lines separated by ';', segments by ',', each
// segment 1, 4 or 5 base64 VLQ fields, every field but the generated column relative to the
// previous segment's across lines.
func decodeMappings(s string, nsources int) ([]segment, []int32, error) {
	segs := make([]segment, 0, strings.Count(s, ",")+strings.Count(s, ";")+1)
	lines := make([]int32, 1, strings.Count(s, ";")+1)
	var col, src, line, srcCol, name int64
	genLine := 0
	var fields [5]int64
	for i := 0; i < len(s); {
		switch s[i] {
		case ';':
			genLine++
			lines = append(lines, int32(len(segs)))
			col = 0
			i++
			continue
		case ',':
			i++
			continue
		}
		n := 0
		for i < len(s) && s[i] != ',' && s[i] != ';' {
			if n == len(fields) {
				return nil, nil, fmt.Errorf("broken mappings at generated line %d: a segment has more than 5 fields", genLine+1)
			}
			v, next, err := decodeVLQ(s, i)
			if err != nil {
				return nil, nil, fmt.Errorf("broken mappings at generated line %d: %w", genLine+1, err)
			}
			fields[n], i = v, next
			n++
		}
		col += fields[0]
		if col < 0 {
			return nil, nil, fmt.Errorf("broken mappings at generated line %d: negative column", genLine+1)
		}
		seg := segment{col: int32(col), src: -1}
		switch n {
		case 1:
		case 4, 5:
			src += fields[1]
			line += fields[2]
			srcCol += fields[3]
			if n == 5 {
				name += fields[4]
			}
			if src < 0 || src >= int64(nsources) {
				return nil, nil, fmt.Errorf("broken mappings at generated line %d: source %d, but the map has %d sources", genLine+1, src, nsources)
			}
			if line < 0 || srcCol < 0 || line > 1<<31-1 || srcCol > 1<<31-1 {
				return nil, nil, fmt.Errorf("broken mappings at generated line %d: negative or huge original position", genLine+1)
			}
			seg.src, seg.line, seg.srcCol = int32(src), int32(line), int32(srcCol)
		default:
			return nil, nil, fmt.Errorf("broken mappings at generated line %d: a segment has %d fields (1, 4 or 5 are allowed)", genLine+1, n)
		}
		if col > 1<<31-1 {
			return nil, nil, fmt.Errorf("broken mappings at generated line %d: huge column", genLine+1)
		}
		segs = append(segs, seg)
	}
	// Segments of a line are usually in column order; sort the few lines that are not, so
	// lookup can search them.
	for l := range lines {
		lo, hi := int(lines[l]), len(segs)
		if l+1 < len(lines) {
			hi = int(lines[l+1])
		}
		part := segs[lo:hi]
		if !sort.SliceIsSorted(part, func(a, b int) bool { return part[a].col < part[b].col }) {
			sort.SliceStable(part, func(a, b int) bool { return part[a].col < part[b].col })
		}
	}
	return segs, lines, nil
}

// decodeVLQ reads one base64 VLQ number starting at s[i]: five value bits a digit, the
// sixth a continuation bit, the lowest bit of the result the sign.
func decodeVLQ(s string, i int) (int64, int, error) {
	var v int64
	shift := uint(0)
	for {
		if i >= len(s) || s[i] == ',' || s[i] == ';' {
			return 0, i, errors.New("a VLQ number is cut short")
		}
		d := vlqDigits[s[i]]
		if d < 0 {
			return 0, i, fmt.Errorf("%q is not a base64 VLQ digit", s[i])
		}
		i++
		v |= int64(d&31) << shift
		if d&32 == 0 {
			break
		}
		shift += 5
		if shift > 31 {
			return 0, i, errors.New("a VLQ number is longer than 32 bits")
		}
	}
	if v&1 == 1 {
		return -(v >> 1), i, nil
	}
	return v >> 1, i, nil
}

// jsonError adds the line and column of a syntax error, which encoding/json gives only as
// an offset.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 && int(se.Offset) <= len(data) {
		line := 1 + bytes.Count(data[:se.Offset-1], []byte("\n"))
		return fmt.Errorf("%v (at line %d, byte %d)", se, line, se.Offset)
	}
	return err
}
