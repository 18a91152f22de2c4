package rules

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestWordScans checks the scans that read eight bytes at a time against reading every
// byte, on text made of the bytes they tell apart (every stop, both base64 alphabets, the
// bytes just outside them) at every offset.
func TestWordScans(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("\"'`\n \t\v\r\f!*+,-./09:;<=>?@AZ[_`az{~\x00\x1f\x7f\x80\xff%\\")
	for round := range 3000 {
		n := r.IntN(80)
		text := make([]byte, n)
		for i := range text {
			switch {
			case round%3 == 0 && r.IntN(4) > 0:
				text[i] = 'a' + byte(r.IntN(26)) // long runs
			default:
				text[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		for from := 0; from <= n; from++ {
			for _, set := range []string{"\"'`", "\"'`\n", "%"} {
				want := n
				for i := from; i < n; i++ {
					if strings.IndexByte(set, text[i]) >= 0 {
						want = i
						break
					}
				}
				stops := newByteStops(text, n, []byte(set)...)
				if got := stops.from(from); got != want {
					t.Fatalf("byteStops(%q).from(%q, %d) = %d, want %d", set, text, from, got, want)
				}
				// Asked again from a later offset, it finds the next one.
				if want < n {
					want2 := n
					for i := want + 1; i < n; i++ {
						if strings.IndexByte(set, text[i]) >= 0 {
							want2 = i
							break
						}
					}
					if got := stops.from(want + 1); got != want2 {
						t.Fatalf("byteStops(%q).from(%q, %d) after %d = %d, want %d", set, text, want+1, want, got, want2)
					}
				}
			}
			for _, to := range []int{n, from + r.IntN(n-from+1)} {
				for _, lo := range []int{0, from} {
					wl, wh := naiveLongRun(text[:n:n], lo, from, to)
					if gl, gh := nextLongRun(text, from, to, lo, n); gl != wl || gh != wh {
						t.Fatalf("nextLongRun(%q, %d, %d, %d) = [%d,%d), want [%d,%d)", text, from, to, lo, gl, gh, wl, wh)
					}
				}
			}
		}
	}
}

// naiveLongRun is nextLongRun byte by byte: the first run of minBase64 base64 bytes or more
// in text[start:] that holds a word starting at a multiple of 8 in [from, to).
func naiveLongRun(text []byte, start, from, to int) (int, int) {
	for lo := start; lo < len(text); {
		if scanClass[text[lo]]&sB64 == 0 {
			lo++
			continue
		}
		hi := lo
		for hi < len(text) && scanClass[text[hi]]&sB64 != 0 {
			hi++
		}
		if hi-lo >= minBase64 {
			if w := (max(lo, from) + 7) &^ 7; w+8 <= hi && w < to {
				return lo, hi
			}
		}
		lo = hi
	}
	return -1, -1
}
