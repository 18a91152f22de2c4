package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// encodeVLQ is the inverse of decodeVLQ, for building mappings in tests.
func encodeVLQ(v int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	u := v << 1
	if v < 0 {
		u = (-v << 1) | 1
	}
	var b strings.Builder
	for {
		d := u & 31
		u >>= 5
		if u > 0 {
			d |= 32
		}
		b.WriteByte(alphabet[d])
		if u == 0 {
			return b.String()
		}
	}
}

// seg is a mapping for tests, in absolute numbers: generated column, then source, line and
// column (src -1: a segment with no source).
type seg struct{ col, src, line, srcCol int }

// encodeMappings writes lines of absolute segments as a "mappings" string.
func encodeMappings(lines [][]seg) string {
	var b strings.Builder
	var src, line, srcCol int
	for i, l := range lines {
		if i > 0 {
			b.WriteByte(';')
		}
		col := 0
		for j, s := range l {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(encodeVLQ(s.col - col))
			col = s.col
			if s.src < 0 {
				continue
			}
			b.WriteString(encodeVLQ(s.src - src))
			b.WriteString(encodeVLQ(s.line - line))
			b.WriteString(encodeVLQ(s.srcCol - srcCol))
			src, line, srcCol = s.src, s.line, s.srcCol
		}
	}
	return b.String()
}

func mapJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeVLQ(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"A", 0}, {"C", 1}, {"D", -1}, {"E", 2}, {"F", -2}, {"e", 15}, {"f", -15},
		{"gB", 16}, {"hB", -16}, {"2H", 123}, {"+/B", 1023},
	}
	for _, tt := range tests {
		got, next, err := decodeVLQ(tt.in, 0)
		if err != nil || got != tt.want || next != len(tt.in) {
			t.Errorf("decodeVLQ(%q) = %d, %d, %v; want %d", tt.in, got, next, err, tt.want)
		}
	}
	for _, v := range []int{1<<31 - 1, -(1<<31 - 1), 1 << 20} {
		s := encodeVLQ(v)
		if got, _, err := decodeVLQ(s, 0); err != nil || got != int64(v) {
			t.Errorf("round trip of %d through %q gave %d, %v", v, s, got, err)
		}
	}
	for v := -5000; v <= 5000; v += 37 {
		s := encodeVLQ(v)
		if got, _, err := decodeVLQ(s, 0); err != nil || got != int64(v) {
			t.Errorf("round trip of %d through %q gave %d, %v", v, s, got, err)
		}
	}
}

func TestDecodeMappingsErrors(t *testing.T) {
	tests := []struct {
		name, mappings string
		sources        int
		want           string
	}{
		{"bad digit", "AAAA;AA!A", 1, `broken mappings at generated line 2: '!' is not a base64 VLQ digit`},
		{"two fields", "AAAA,CA", 1, "broken mappings at generated line 1: a segment has 2 fields (1, 4 or 5 are allowed)"},
		{"six fields", "AAAAAA", 1, "broken mappings at generated line 1: a segment has more than 5 fields"},
		{"source out of range", "AAAA;ACAA", 1, "broken mappings at generated line 2: source 1, but the map has 1 sources"},
		{"negative line", "AADA", 1, "broken mappings at generated line 1: negative or huge original position"},
		{"cut short", "AAAg", 1, "broken mappings at generated line 1: a VLQ number is cut short"},
		{"too long", "gggggggggB", 1, "broken mappings at generated line 1: a VLQ number is longer than 32 bits"},
		{"negative column", "D", 1, "broken mappings at generated line 1: negative column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeMappings(tt.mappings, tt.sources)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestParseMapErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not JSON", "{not json", "source map is not valid JSON: invalid character 'n' looking for beginning of object key string (at line 1, byte 2)"},
		{"not a map", `{"name": "package"}`, "not a source map"},
		{"version", `{"version": 2, "mappings": ""}`, "source map version 2 is not supported (only version 3 exists in the wild)"},
		{"no mappings", `{"version": 3, "sources": []}`, `source map has neither "mappings" nor "sections"`},
		{"section url", `{"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "url": "a.map"}]}`, "source map section 0 points at another map by url, which leakstop does not follow"},
		{"section order", `{"version": 3, "sections": [{"offset": {"line": 2, "column": 0}, "map": {"mappings": ""}}, {"offset": {"line": 1, "column": 0}, "map": {"mappings": ""}}]}`, "source map section 1 starts at 1:0, before the section ahead of it"},
		{"nested sections", `{"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "map": {"sections": []}}]}`, "source map section 0 is itself an index map, which the format forbids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseMap([]byte(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

// lookupCase is a generated position and where lookup places it (ok false: nowhere).
type lookupCase struct {
	line, col int
	want      position
	ok        bool
}

func checkLookups(t *testing.T, m *sourceMap, tests []lookupCase) {
	t.Helper()
	for _, tt := range tests {
		got, ok := m.lookup(tt.line, tt.col)
		if ok != tt.ok || got != tt.want {
			t.Errorf("lookup(%d, %d) = %v, %v; want %v, %v", tt.line, tt.col, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLookup(t *testing.T) {
	content := "const a = 1;\nconst key = 'x';\n"
	m, err := parseMap(mapJSON(t, map[string]any{
		"version": 3, "sourceRoot": "webpack://app/", "sources": []any{"./src/a.js", nil},
		"sourcesContent": []any{content},
		"mappings": encodeMappings([][]seg{
			{{0, 0, 0, 0}, {6, 0, 0, 6}, {12, -1, 0, 0}, {20, 0, 1, 12}},
			{},
			{{4, 1, 9, 2}, {2, 0, 1, 0}}, // out of column order: sorted on decoding
		}),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"webpack://app/./src/a.js", ""}, m.sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if m.contents[0] == nil || *m.contents[0] != content || m.contents[1] != nil {
		t.Errorf("contents = %v", m.contents)
	}
	tests := []lookupCase{
		{0, 0, position{0, 0, 0}, true},
		{0, 5, position{0, 0, 0}, true},
		{0, 6, position{0, 0, 6}, true},
		{0, 14, position{}, false}, // a segment with no source
		{0, 500, position{0, 1, 12}, true},
		{1, 0, position{}, false}, // a line with no segments
		{2, 1, position{}, false}, // before the line's first segment
		{2, 3, position{0, 1, 0}, true},
		{2, 4, position{1, 9, 2}, true},
		{3, 0, position{}, false}, // past the last line
		{-1, 0, position{}, false},
	}
	checkLookups(t, m, tests)
}

// TestLookupSections checks index maps: a section's column offset applies to its first
// line only, and each section's sources follow the previous one's.
func TestLookupSections(t *testing.T) {
	section := func(line, col int, source string, mappings string) map[string]any {
		return map[string]any{
			"offset": map[string]int{"line": line, "column": col},
			"map":    map[string]any{"version": 3, "sources": []string{source}, "mappings": mappings},
		}
	}
	m, err := parseMap(mapJSON(t, map[string]any{
		"version": 3,
		"sections": []any{
			section(0, 0, "a.js", encodeMappings([][]seg{{{0, 0, 0, 0}}})),
			section(0, 100, "b.js", encodeMappings([][]seg{{{0, 0, 0, 0}, {5, 0, 0, 7}}, {{2, 0, 3, 1}}})),
			section(2, 0, "c.js", encodeMappings([][]seg{{{0, 0, 4, 4}}})),
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.js", "b.js", "c.js"}, m.sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	tests := []lookupCase{
		{0, 99, position{0, 0, 0}, true},
		{0, 100, position{1, 0, 0}, true},
		{0, 106, position{1, 0, 7}, true},
		{1, 2, position{1, 3, 1}, true}, // no column offset on the section's second line
		{1, 1, position{}, false},
		{2, 9, position{2, 4, 4}, true},
	}
	checkLookups(t, m, tests)
}

// TestDecodeReportsOnce checks that broken mappings are an error of decode, and that lookup
// then finds nothing rather than a wrong place.
func TestDecodeReportsOnce(t *testing.T) {
	m, err := parseMap([]byte(`{"version":3,"sources":["a.js"],"mappings":"AAAA;AC!A"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `broken mappings at generated line 2: '!' is not a base64 VLQ digit`
	for i := 0; i < 2; i++ {
		if err := m.decode(); err == nil || err.Error() != want {
			t.Errorf("decode = %v, want %s", err, want)
		}
	}
	if _, ok := m.lookup(0, 0); ok {
		t.Error("lookup found a place in a map with broken mappings")
	}
}
