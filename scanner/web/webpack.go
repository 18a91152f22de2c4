package web

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
)

// chunkFunc is webpack's chunk-URL function (__webpack_require__.u), read from a minified
// runtime without running it. Its body is a small expression: string concatenation of
// literals, the chunk id, and lookups in object literals keyed by chunk id, joined by ||
// and ?: —
//
//	e=>"static/chunks/"+e+".b9dbb0182a519dc1.js"
//	e=>"static/js/"+e+"."+{123:"ab12",456:"cd34"}[e]+".chunk.js"
//	function(e){return 917===e?"static/chunks/917-1a2b.js":"static/chunks/"+(({42:"x"})[e]||e)+"."+{42:"ff",7:"ee"}[e]+".js"}
//
// parseChunkFunc reads that much JavaScript and no more; anything else ends the parse.
type chunkFunc struct {
	param string
	body  node
	// text is the function's body as the script writes it: the same runtime met in
	// several scripts is one.
	text string
	// ids are the chunk ids the function itself names (object keys, compared constants).
	ids []string
}

// node is a parsed expression.
type node interface {
	eval(id string) value
}

// value is a JavaScript value as far as chunk URLs need one: a string (numbers keep their
// source text, which is what + makes of them), undefined, a boolean (s is "true" or
// "false"), or an object of values. A string that + made of something else than strings
// and numbers ("undefined.js", "[object Object]1.js") is opaque: JavaScript would make it
// too, but it names no chunk.
type value struct {
	defined bool
	s       string
	obj     map[string]node
	boolean bool
	opaque  bool
}

func (v value) truthy() bool {
	switch {
	case !v.defined:
		return false
	case v.obj != nil:
		return true
	case v.boolean:
		return v.s == "true"
	}
	return v.s != "" && v.s != "0"
}

type (
	litNode    struct{ v value }
	paramNode  struct{}
	objNode    struct{ fields map[string]node }
	concatNode struct{ parts []node }
	orNode     struct{ alts []node }
	indexNode  struct{ obj, key node }
	condNode   struct{ test, yes, no node }
	eqNode     struct {
		a, b node
		neg  bool
	}
)

func (n litNode) eval(string) value     { return n.v }
func (paramNode) eval(id string) value  { return value{defined: true, s: id} }
func (n objNode) eval(string) value     { return value{defined: true, obj: n.fields} }
func (n condNode) eval(id string) value { return pick(n.test.eval(id).truthy(), n.yes, n.no).eval(id) }

func pick(b bool, yes, no node) node {
	if b {
		return yes
	}
	return no
}

func (n concatNode) eval(id string) value {
	var b strings.Builder
	opaque := false
	for _, p := range n.parts {
		v := p.eval(id)
		switch {
		case !v.defined:
			b.WriteString("undefined")
			opaque = true
		case v.obj != nil:
			b.WriteString("[object Object]")
			opaque = true
		default:
			b.WriteString(v.s)
			opaque = opaque || v.boolean || v.opaque
		}
	}
	return value{defined: true, s: b.String(), opaque: opaque}
}

func (n orNode) eval(id string) value {
	var v value
	for _, a := range n.alts {
		if v = a.eval(id); v.truthy() {
			return v
		}
	}
	return v
}

func (n indexNode) eval(id string) value {
	o, k := n.obj.eval(id), n.key.eval(id)
	if o.obj == nil || !k.defined {
		return value{}
	}
	f, ok := o.obj[k.s]
	if !ok {
		return value{}
	}
	return f.eval(id)
}

func (n eqNode) eval(id string) value {
	a, b := n.a.eval(id), n.b.eval(id)
	eq := a.defined == b.defined && a.boolean == b.boolean && a.s == b.s && a.obj == nil && b.obj == nil
	if eq != n.neg {
		return value{defined: true, boolean: true, s: "true"}
	}
	return value{defined: true, boolean: true, s: "false"}
}

// URL returns the chunk path for a chunk id, or "" when the function has none for it (an
// object lookup came back undefined).
func (f *chunkFunc) URL(id string) string {
	v := f.body.eval(id)
	if !v.defined || v.obj != nil || v.boolean || v.opaque || v.s == "" || strings.Contains(v.s, "undefined") {
		return ""
	}
	return v.s
}

// parseChunkFunc parses the body of a chunk-URL function whose parameter is param.
func parseChunkFunc(src []byte, param string) *chunkFunc {
	p := &jsParser{src: src, param: param, ids: map[string]bool{}}
	body, ok := p.ternary()
	// A chunk URL ends in .js; an expression that goes on with a call or a member access
	// was not all read.
	if !ok || !p.usesParam || !p.sawScript || p.peek(".") || p.peek("(") {
		return nil
	}
	f := &chunkFunc{param: param, body: body, text: string(src[:p.pos])}
	for id := range p.ids {
		f.ids = append(f.ids, id)
	}
	sort.Strings(f.ids)
	return f
}

// maxNesting bounds how deep the parentheses, objects and lookups of a chunk-URL function
// may nest: webpack's go two or three deep, and a deeper text is no chunk-URL function.
const maxNesting = 64

// jsParser is a recursive-descent parser for the expression grammar of chunkFunc.
type jsParser struct {
	src       []byte
	pos       int
	param     string
	ids       map[string]bool
	usesParam bool
	sawScript bool // a string literal that ends a script name
	depth     int
}

func (p *jsParser) skip() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsParser) peek(s string) bool {
	p.skip()
	return bytes.HasPrefix(p.src[p.pos:], []byte(s))
}

func (p *jsParser) eat(s string) bool {
	if p.peek(s) {
		p.pos += len(s)
		return true
	}
	return false
}

// ternary := or ("?" ternary ":" ternary)?
func (p *jsParser) ternary() (node, bool) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxNesting {
		return nil, false
	}
	test, ok := p.or()
	if !ok {
		return nil, false
	}
	if !p.eat("?") {
		return test, true
	}
	yes, ok := p.ternary()
	if !ok || !p.eat(":") {
		return nil, false
	}
	no, ok := p.ternary()
	if !ok {
		return nil, false
	}
	return condNode{test, yes, no}, true
}

// or := eq ("||" eq)*
func (p *jsParser) or() (node, bool) {
	return p.chain(p.eq, func() bool { return p.eat("||") }, func(alts []node) node { return orNode{alts} })
}

// chain parses operand (sep operand)*, a chain of one operator: the operand alone, or join
// of them all.
func (p *jsParser) chain(operand func() (node, bool), sep func() bool, join func([]node) node) (node, bool) {
	n, ok := operand()
	if !ok {
		return nil, false
	}
	nodes := []node{n}
	for sep() {
		if n, ok = operand(); !ok {
			return nil, false
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return nodes[0], true
	}
	return join(nodes), true
}

// eq := concat (("===" | "==" | "!==" | "!=") concat)?
func (p *jsParser) eq() (node, bool) {
	a, ok := p.concat()
	if !ok {
		return nil, false
	}
	neg := false
	switch {
	case p.eat("==="), p.eat("=="):
	case p.eat("!=="), p.eat("!="):
		neg = true
	default:
		return a, true
	}
	b, ok := p.concat()
	if !ok {
		return nil, false
	}
	// A constant compared with the id names a chunk: 917===e.
	for _, n := range []node{a, b} {
		if l, ok := n.(litNode); ok && l.v.defined {
			p.ids[l.v.s] = true
		}
	}
	return eqNode{a, b, neg}, true
}

// concat := member ("+" member)*
func (p *jsParser) concat() (node, bool) {
	plus := func() bool {
		if p.peek("+") && !p.peek("++") {
			p.pos++
			return true
		}
		return false
	}
	return p.chain(p.member, plus, func(parts []node) node { return concatNode{parts} })
}

// member := primary ("[" ternary "]")*; each lookup counts as a level of nesting, since
// evaluating a chain of them recurses.
func (p *jsParser) member() (node, bool) {
	n, ok := p.primary()
	if !ok {
		return nil, false
	}
	depth := p.depth
	defer func() { p.depth = depth }()
	for p.eat("[") {
		if p.depth++; p.depth > maxNesting {
			return nil, false
		}
		key, ok := p.ternary()
		if !ok || !p.eat("]") {
			return nil, false
		}
		n = indexNode{n, key}
	}
	return n, true
}

// primary := string | number | param | "(" ternary ")" | object
func (p *jsParser) primary() (node, bool) {
	p.skip()
	if p.pos >= len(p.src) {
		return nil, false
	}
	switch c := p.src[p.pos]; {
	case c == '"' || c == '\'':
		s, ok := p.str()
		if isScriptPath(s) {
			p.sawScript = true
		}
		return litNode{value{defined: true, s: s}}, ok
	case c >= '0' && c <= '9':
		return litNode{value{defined: true, s: p.number()}}, true
	case c == '(':
		p.pos++
		n, ok := p.ternary()
		if !ok || !p.eat(")") {
			return nil, false
		}
		return n, true
	case c == '{':
		return p.object()
	}
	name := p.ident()
	if name == p.param {
		p.usesParam = true
		return paramNode{}, true
	}
	return nil, false
}

// object := "{" (key ":" ternary ("," key ":" ternary)*)? "}"; a key is a number, string
// or name. Each key is a chunk id.
func (p *jsParser) object() (node, bool) {
	p.pos++ // {
	fields := map[string]node{}
	for !p.eat("}") {
		p.skip()
		if p.pos >= len(p.src) {
			return nil, false
		}
		var key string
		switch c := p.src[p.pos]; {
		case c == '"' || c == '\'':
			s, ok := p.str()
			if !ok {
				return nil, false
			}
			key = s
		case c >= '0' && c <= '9':
			key = p.number()
		default:
			if key = p.ident(); key == "" {
				return nil, false
			}
		}
		if !p.eat(":") {
			return nil, false
		}
		v, ok := p.ternary()
		if !ok {
			return nil, false
		}
		fields[key] = v
		p.ids[key] = true
		if !p.eat(",") && !p.peek("}") {
			return nil, false
		}
	}
	return objNode{fields}, true
}

func (p *jsParser) str() (string, bool) {
	q := p.src[p.pos]
	var b strings.Builder
	for i := p.pos + 1; i < len(p.src); i++ {
		switch c := p.src[i]; c {
		case q:
			p.pos = i + 1
			return b.String(), true
		case '\\':
			if i+1 < len(p.src) {
				i++
				b.WriteByte(p.src[i])
			}
		case '\n':
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

func (p *jsParser) number() string {
	start := p.pos
	for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == 'e' || p.src[p.pos] == '.') {
		p.pos++
	}
	s := string(p.src[start:p.pos])
	// Minifiers write 1000 as 1e3; + makes "1000" of it.
	if strings.ContainsAny(s, "e.") {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return s
}

func (p *jsParser) ident() string {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (p.pos > start && c >= '0' && c <= '9') {
			p.pos++
			continue
		}
		break
	}
	return string(p.src[start:p.pos])
}
