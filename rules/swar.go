package rules

import "encoding/binary"

// The decoding stage's search for base64 runs, which tests eight bytes at a time with bit
// tricks on a 64-bit word in place of eight table lookups: most text holds no base64 run,
// and on such text the test decides a word in a few instructions.

const (
	ones8 = 0x0101010101010101
	high8 = 0x8080808080808080
)

// belowBytes sets a high bit when some byte of x is below n (n <= 128); exact as to
// whether one is.
func belowBytes(x uint64, n byte) uint64 { return (x - ones8*uint64(n)) &^ x & high8 }

// nextLongRun returns the first run of minBase64 or more base64 bytes (scanClass sB64) in
// text[lo:hi] that holds an 8-byte word starting in [from, to) (words start at multiples of
// 8; from >= lo), or -1. Every such run holds one: a run of 16 bytes holds a whole word
// however it sits.
//
// It probes one byte in 16, the last of every other word: a run of 16 holds one of each
// 16th byte, and a run of 16 through a probe holds the word the probe ends or the word
// after. A test of eight bytes at once tells most words of prose and code (a blank, a
// quote, a parenthesis) from base64 (notBase64): when neither word passes, no run of 16 goes through
// the probe; else the probe's byte is looked at, and a run through it measured.
func nextLongRun(text []byte, from, to, lo, hi int) (int, int) {
	// The first probe that may be in a run of text[lo:hi] holding a word from from on.
	for p := max((from-8)&^15+15, lo&^15+15); p < hi && p-15 < to; p += 16 {
		if p+9 <= hi {
			if notBase64(binary.LittleEndian.Uint64(text[p-7:])) != 0 && notBase64(binary.LittleEndian.Uint64(text[p+1:])) != 0 {
				continue
			}
		} else if notBase64(binary.LittleEndian.Uint64(text[p-7:])) != 0 {
			continue
		}
		if scanClass[text[p]]&sB64 == 0 {
			continue
		}
		rl, rh := b64RunAround(text, p, lo, hi)
		if rh-rl >= minBase64 && holdsWord(rl, rh, from, to) {
			return rl, rh
		}
		// The next run of 16 starts after this one, and holds the first probe after it.
		p = max(p, (rh+1)&^15+15-16)
	}
	return -1, -1
}

// notBase64 is 0 when x may be eight base64 bytes: none is below '+' (a blank, a line
// end, a quote, a parenthesis). Bytes above 'z' pass, to be turned down by the
// byte's class; the test is three instructions.
func notBase64(x uint64) uint64 { return belowBytes(x, '+') }

// holdsWord reports whether text[rl:rh] holds an 8-byte word (at a multiple of 8) that
// starts in [from, to).
func holdsWord(rl, rh, from, to int) bool {
	w := (max(rl, from) + 7) &^ 7
	return w < to && w+8 <= rh
}
