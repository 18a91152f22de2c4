package git

import (
	"bufio"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseLog reads `git log --raw -c -z` output, with a buffer small enough that most
// tokens do not fit in it.
func TestParseLog(t *testing.T) {
	z, a, b, c := strings.Repeat("0", 40), strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	log := "\x01" + c + "\x00\n" +
		":000000 100644 " + z + " " + a + " A\x00dir/a.txt\x00" +
		":100644 000000 " + b + " " + z + " D\x00gone.txt\x00" +
		":000000 160000 " + z + " " + b + " A\x00sub\x00" +
		"\x01" + b + "\x00\n" +
		"::100644 100644 100644 " + a + " " + b + " " + c + " MM\x00dir/a.txt\x00" +
		":100644 100644 " + a + " " + b + " M\x00" + strings.Repeat("long/", 10) + "last.txt"
	var got []visit
	var n int64
	err := parseLog(bufio.NewReaderSize(strings.NewReader(log), 16), visitor{blob: func(ci *commitInfo, path, blob string) {
		got = append(got, visit{ci.sha, path, blob})
	}}, &n)
	if err != nil {
		t.Fatal(err)
	}
	want := []visit{
		{c, "dir/a.txt", a},
		{b, "dir/a.txt", c},
		{b, strings.Repeat("long/", 10) + "last.txt", b},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(visit{})); diff != "" {
		t.Errorf("visits (-want +got):\n%s", diff)
	}
	if n != 2 {
		t.Errorf("%d commits, want 2", n)
	}
}

// TestParseLogErrors: output that is not in walkGit's format is an error, not a visit.
func TestParseLogErrors(t *testing.T) {
	a, b, c := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)
	record := ":100644 100644 " + a + " " + b + " M\x00"
	for _, tc := range []struct{ name, log string }{
		{"record before any commit", record + "x.txt\x00"},
		{"record without a path", "\x01" + c + "\x00\n" + record},
		{"record with an empty path", "\x01" + c + "\x00\n" + record + "\x00"},
		{"short commit id", "\x01" + c[:12] + "\x00"},
		{"object id not hexadecimal", "\x01" + c + "\x00\n:100644 100644 " + a + " " + strings.Repeat("g", 40) + " M\x00x\x00"},
		{"fields for another number of parents", "\x01" + c + "\x00\x00::100644 100644 " + a + " " + b + " M\x00x\x00"},
		{"something else", "\x01" + c + "\x00\ncommit " + c + "\x00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n int64
			var visits []visit
			err := parseLog(bufio.NewReader(strings.NewReader(tc.log)), visitor{blob: func(ci *commitInfo, path, blob string) {
				visits = append(visits, visit{ci.sha, path, blob})
			}}, &n)
			if !errors.Is(err, errLog) || len(visits) > 0 {
				t.Errorf("error %v and visits %v, want errLog and none", err, visits)
			}
		})
	}
}

// TestLogReaderCut: a token longer than the bound is cut there, whether it fits in the read
// buffer or not, and the tokens after it are read whole.
func TestLogReaderCut(t *testing.T) {
	long := strings.Repeat("p", 100)
	in := "short\x00" + long + "\x00" + long[:40] + "\x00next\x00" + long
	for _, size := range []int{16, 64, 4096} {
		l := logReader{r: bufio.NewReaderSize(strings.NewReader(in), size), max: 40}
		var got []string
		for {
			tok, err := l.next()
			if err != nil {
				break
			}
			got = append(got, string(tok))
		}
		want := []string{"short", long[:40], long[:40], "next", long[:40]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("buffer of %d: tokens (-want +got):\n%s", size, diff)
		}
	}
}
