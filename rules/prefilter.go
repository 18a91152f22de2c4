package rules

import (
	"maps"
	"slices"
	"strings"
)

// prefilter is a cheap test run at a keyword hit before an anchored rule's regex: false
// means the regex cannot match there. at and end are where the keyword starts and ends.
// A prefilter may pass hits the regex then turns down; it must never turn down a hit the
// regex would take.
type prefilter func(data []byte, at, end int) bool

// prefilters is the explicit registry of named prefilters.
var prefilters = map[string]prefilter{
	"assignment": assignmentFollows,
	"userinfo":   userinfoFollows,
}

// prefilterNames lists the names rules may use in their prefilter field.
func prefilterNames() []string { return slices.Sorted(maps.Keys(prefilters)) }

// assignmentFollows is the generic rule's prefilter. It reports whether, after the keyword,
// the rest of a name, a backslash, a quote, a ] and blanks, there comes an assignment (=,
// :, :=, =>, ?=, the > of an XML element, the value= of an XML attribute) and then a value
// of at least 10 characters, behind an optional quote and scheme word (Bearer, Basic,
// token), that a quote, a blank, a backslash, one of ;,&)]}< or the end of the data closes:
// "api_key = …", "password: …", "\"token\": …", $config['db_password'] = ….
// It mirrors the rule's regex and the generic-secret check's minimum length, and runs
// about ten times faster than the regex on the many keyword hits of ordinary code.
func assignmentFollows(data []byte, at, end int) bool {
	n := len(data)
	i := end
	for i < n && nameByte[data[i]] {
		i++
	}
	if i < n && (data[i] == '"' || data[i] == '\'') {
		// define('AUTH_KEY', '…'), getenv("TOKEN", "…"): a quoted name, a comma.
		if j := skipBlanks(data, i+1); j < n && data[j] == ',' && valueFollows(data, skipBlanks(data, j+1)) {
			return true
		}
	}
	if i < n && data[i] == '\\' {
		i++
	}
	if i < n && (data[i] == '"' || data[i] == '\'') {
		i++
	}
	if i < n && data[i] == ']' {
		i++ // $config['db_password'] = …
	}
	i = skipBlanks(data, i)
	if i+5 <= n && strings.EqualFold(string(data[i:i+5]), "value") {
		i = skipBlanks(data, i+5) // <add key="ApiKey" value="…">
	}
	if j := afterType(data, i); j != i {
		if k, ok := afterOperator(data, j); ok && valueFollows(data, skipBlanks(data, k)) {
			return true // apiKey: string = "…", var secret string = "…", TOKEN: &str = "…"
		}
	}
	k, ok := afterOperator(data, i)
	return ok && valueFollows(data, skipBlanks(data, k))
}

// afterType returns where a type between a name and its = ends (": &'static str", " string",
// ": String" and the blanks after it), or i when there is none.
func afterType(data []byte, i int) int {
	n, j := len(data), i
	if j < n && data[j] == ':' {
		j = skipBlanks(data, j+1)
		if j < n && data[j] == '&' {
			j++
		}
		if j+7 <= n && strings.EqualFold(string(data[j:j+7]), "'static") {
			j += 7
			if k := skipBlanks(data, j); k > j {
				j = k
			} else {
				return i
			}
		}
	}
	if j+3 > n || !strings.EqualFold(string(data[j:j+3]), "str") {
		return i
	}
	j += 3
	if j+3 <= n && strings.EqualFold(string(data[j:j+3]), "ing") {
		j += 3
	}
	return skipBlanks(data, j)
}

// afterOperator returns where the assignment at data[i] ends (=, :, :=, =>, ?=, the > of an
// XML element), and whether there is one.
func afterOperator(data []byte, i int) (int, bool) {
	n := len(data)
	if i >= n {
		return i, false
	}
	switch {
	case data[i] == '>':
		return i + 1, true // <password>…</password>
	case data[i] == '=' || data[i] == ':':
		i++
		if i < n && (data[i] == '=' || data[i] == '>') {
			i++ // := or =>, or the == of a comparison, which the regex reads as = then a value
		}
		return i, true
	case data[i] == '?' && i+1 < n && data[i+1] == '=':
		return i + 2, true
	}
	return i, false
}

// quotedStop marks what ends a quoted value in the generic rule's regex: a quote, a blank,
// a backslash.
var quotedStop = func() (t [256]bool) {
	for _, c := range []byte("\"'`\\ \t\n\f\r") {
		t[c] = true
	}
	return t
}()

// valueFollows reports whether a value of at least 10 characters starts at data[i]: quoted
// (any character but quotes, blanks and backslashes, then the closing quote), or behind an
// optional quote and scheme word (Bearer, Basic, token), characters of a secret that a quote,
// a blank, a backslash, one of ;,&)]}< or the end of the data closes.
func valueFollows(data []byte, i int) bool {
	n := len(data)
	if i < n && (data[i] == '"' || data[i] == '\'') {
		v := i + 1
		for v < n && !quotedStop[data[v]] {
			v++
		}
		if v-i-1 >= 10 && v < n && data[v] == data[i] {
			return true
		}
	}
	if i < n && data[i] == '\\' {
		i++
	}
	if i < n && (data[i] == '"' || data[i] == '\'' || data[i] == '`') {
		i++
	}
	// "Bearer abc…": the regex skips a scheme word and blanks; the value is what follows.
	j := i
	for j < n && j-i < 7 && isLetter(data[j]) {
		j++
	}
	if k := skipBlanks(data, j); k > j && k < n && j-i >= 5 {
		switch strings.ToLower(string(data[i:j])) {
		case "bearer", "basic", "token":
			i = k
		}
	}
	v := i
	for v < n && valueByte[data[v]] {
		v++
	}
	if v-i < 10 {
		return false
	}
	if v < n {
		switch data[v] {
		case '"', '\'', '`', ';', ',', '&', ')', ']', '}', '<', ' ', '\t', '\r', '\n', '\v', '\f', '\\':
		default:
			return false
		}
	}
	// The regex takes the whole run as the value (it ends where no value byte does), and
	// a name of names (options.apiKey, req.headers.authorization) is never a secret: the
	// generic check turns it down, after a costly regex in code that is full of them.
	return !isDottedName(string(data[i:v]))
}

func skipBlanks(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return i
}

// valueByte marks the characters of a generic secret value, as the generic rule's regex
// writes them.
var valueByte = func() (t [256]bool) {
	for _, c := range []byte(setAlnum + "_~+/.=!@#%^*$-") {
		t[c] = true
	}
	return t
}()

// nameByte marks the characters of a name: letters, digits, _, . and -.
var nameByte = func() (t [256]bool) {
	for _, c := range []byte(setAlnum + "_.-") {
		t[c] = true
	}
	return t
}()

// userinfoFollows reports whether "user:password@" follows a "://" keyword: a colon within
// 129 characters and then an @ within 257, with no blank, slash, quote or bracket between.
func userinfoFollows(data []byte, at, end int) bool {
	i, stop := end, min(end+129, len(data))
	for ; i < stop && data[i] != ':'; i++ {
		if urlStop[data[i]] || data[i] == '@' {
			return false
		}
	}
	if i >= stop {
		return false
	}
	for j, stop := i+1, min(i+258, len(data)); j < stop; j++ {
		if data[j] == '@' {
			return j > i+1
		}
		if urlStop[data[j]] {
			return false
		}
	}
	return false
}

// urlStop marks the bytes that end a URL's user info.
var urlStop = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n/?#\"'<>\\") {
		t[c] = true
	}
	return t
}()
