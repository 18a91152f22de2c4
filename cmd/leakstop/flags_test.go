package main

import "testing"

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"10MiB", 10 << 20}, {"512KiB", 512 << 10}, {"1GiB", 1 << 30}, {"100", 100},
		{"10 MiB", 10 << 20}, {"5MB", 5e6}, {"1.5MiB", 3 << 19},
		// A bare unit letter is decimal, as go-humanize reads it.
		{"2M", 2e6},
	} {
		got, err := parseSize("--max-file-size", tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "ten", "-1", "0", "10XB", "99999999999EiB"} {
		if _, err := parseSize("--max-file-size", bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
	// The default a flag shows reads back as the same size.
	for _, n := range []int64{10 << 20, 256 << 20, 1 << 30, 512 << 10} {
		if got, err := parseSize("--max-bytes", sizeText(n)); err != nil || got != n {
			t.Errorf("sizeText(%d) = %q, read back as %d, %v", n, sizeText(n), got, err)
		}
	}
}
