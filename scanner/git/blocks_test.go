package git

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/leakstop/leakstop/scanner"
)

// filler returns n lines that hold no keyword, numbered from first.
func filler(first, n int) string {
	var b strings.Builder
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "line %d of the notes, nothing here to find\n", i)
	}
	return b.String()
}

// TestContextBlocks: rules that read more than their line (a private key's block, an AWS
// key id with its secret on another line) find in line mode what they find in whole
// blobs, when the lines around an unchanged keyword line change from one version to the
// next, far (more than the filter's reach) from the start and end of a large blob.
func TestContextBlocks(t *testing.T) {
	f := newFixture(t)
	keyID := "AKIA" + f.gen.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	secret := f.gen.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
	pem := f.gen.PrivateKey("RSA", 600)
	head, tail := filler(0, 3000), filler(3000, 3000)
	// 1: the key id alone, no secret near it: no AWS finding.
	f.commit("id only", map[string]string{
		"notes.txt": head + "[default]\naws_access_key_id = " + keyID + "\n\n" + tail,
	})
	// 2: the secret comes two lines below the unchanged id line.
	f.commit("secret added", map[string]string{
		"notes.txt": head + "[default]\naws_access_key_id = " + keyID + "\n\naws_secret_access_key = " + secret + "\n" + tail,
	})
	// 3: a private key's block, its BEGIN line first in one commit, its body in the next.
	f.commit("key begins", map[string]string{
		"keys.txt": head + strings.SplitAfter(pem, "\n")[0] + tail,
	})
	f.commit("key whole", map[string]string{
		"keys.txt": head + pem + "\n" + tail,
	})
	// 4: far lines change; the blocks stay as they were.
	f.commit("notes grow", map[string]string{
		"notes.txt": filler(10000, 50) + head + "[default]\naws_access_key_id = " + keyID + "\n\naws_secret_access_key = " + secret + "\n" + tail + filler(20000, 50),
		"keys.txt":  head + pem + "\n" + tail + filler(30000, 10),
	})
	var results []*scanner.Result
	for _, r := range readers {
		res := run(t, r.source(f.dir))
		var rules []string
		for _, fd := range res.Findings {
			rules = append(rules, fd.Rule)
		}
		if len(res.Findings) != 2 {
			t.Errorf("reader %s: findings of rules %v, want the AWS pair and the private key", r, rules)
		}
		results = append(results, res)
	}
	sameResults(t, results, false)
}

// TestSelectionBlocks: a blob with one line that needs more than itself goes to the
// matcher as the block of lines around that line, not whole, and lines far from it are left
// out unless they hold a keyword.
func TestSelectionBlocks(t *testing.T) {
	lf := builtin().LineFilter()
	reach := lf.Reach([]byte("-----BEGIN RSA PRIVATE KEY-----"))
	if reach <= 0 {
		t.Fatalf("reach %d", reach)
	}
	far := reach/40 + 100 // lines of filler farther than the reach
	data := filler(0, far) + "-----BEGIN RSA PRIVATE KEY-----\n" + filler(far, far) + "token = " + strings.Repeat("x", 20) + "\n" + filler(2*far, far)
	c := newLineCache(lf)
	var s selection
	c.sel([]byte(data), &s)
	if s.whole {
		t.Fatal("the blob went whole")
	}
	if len(s.data) >= len(data)/2 || len(s.lineMap) == 0 {
		t.Fatalf("selected %d of %d bytes", len(s.data), len(data))
	}
	begin := far + 1
	if !strings.Contains(string(s.data), "-----BEGIN RSA PRIVATE KEY-----\n") || !slices.Contains(s.lineMap, int32(begin)) {
		t.Errorf("the BEGIN line (line %d) is not selected", begin)
	}
	if strings.Contains(string(s.data), "line 0 of") || strings.Contains(string(s.data), fmt.Sprintf("line %d of", 3*far-1)) {
		t.Error("lines far from the BEGIN line are selected")
	}
	if !strings.Contains(string(s.data), "token = ") {
		t.Error("the keyword line outside the block is not selected")
	}
	// Every selected line is the line of data that lineMap names.
	lines := strings.Split(data, "\n")
	for i, sl := range strings.Split(strings.TrimSuffix(string(s.data), "\n"), "\n") {
		if n := s.lineMap[i]; n == 0 && sl == "" {
			continue // the empty line between lines that are not consecutive
		} else if lines[n-1] != sl {
			t.Fatalf("selected line %d is %q, line %d of the blob is %q", i+1, sl, n, lines[n-1])
		}
	}
	// Blocks that would be all of the blob send it whole.
	c.sel([]byte(filler(0, 10)+"-----BEGIN RSA PRIVATE KEY-----\n"+filler(10, 10)), &s)
	if !s.whole {
		t.Error("a small blob around a BEGIN line did not go whole")
	}
}

// TestContextBlocksReachBack: a keyword line whose rule reads further back than the block
// of a context line before it (a service-account key whose client_email is above a netrc
// "machine" line) gets its whole reach: blocks are merged by where they start, not in the
// order of their lines. Before, the key's block began where the machine line's did, the
// client_email above was not sent with it, and the key was lost in line mode.
func TestContextBlocksReachBack(t *testing.T) {
	f := newFixture(t)
	pem := strings.ReplaceAll(f.gen.PrivateKey("", 1200), "\n", `\n`)
	head, tail := filler(0, 3000), filler(3000, 3000)
	// 800 bytes between the client_email and the machine line (beyond that line's reach),
	// 100 between the machine line and the key (whose companion window holds the email).
	pad := func(n int) string {
		return strings.Repeat(`  "note": "nothing to see on this line of the key file, move on",`+"\n", n)
	}
	body := "{\n" + `  "type": "service_account",` + "\n" + `  "client_email": "deployer@acme-prod.iam.gserviceaccount.com",` + "\n" +
		pad(12) + `  "proxy": "machine example.com login ci",` + "\n" + pad(1) +
		`  "private_key": "` + pem + `\n",` + "\n" + "}\n"
	f.commit("key file", map[string]string{"sa.json": head + body + tail})
	f.commit("key file again", map[string]string{"sa.json": filler(9000, 10) + head + body + tail})
	var results []*scanner.Result
	for _, r := range readers {
		res := run(t, r.source(f.dir))
		found := false
		for _, fd := range res.Findings {
			found = found || fd.Rule == "google-service-account-key"
		}
		if !found {
			t.Errorf("reader %s: the service-account key was not found", r)
		}
		results = append(results, res)
	}
	sameResults(t, results, false)
}

// TestSelectionNotATable: in line mode the first line selected from a blob is not the blob's
// first line, and is not read as a table's header even when it reads like one ("service,
// token"): a row below it (a line with a keyword of its own) is no table cell there, as
// in the whole blob, which starts otherwise. Before, which line came first in a selection
// depended on what the readers had learnt, and a history scan now and then reported a cell
// that the whole blob does not hold.
func TestSelectionNotATable(t *testing.T) {
	f := newFixture(t)
	cell := f.gen.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4) + f.gen.Chars("0123456789", 4) + f.gen.Chars("abcdefghijklmnopqrstuvwxyz", 4) + f.gen.Chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 20)
	notes := "# the services and what they need\n" + filler(0, 20) + "service,token\n" + filler(20, 5) + "auth-service," + cell + "\n" + filler(25, 20)
	f.commit("notes", map[string]string{"notes.txt": notes})
	var results []*scanner.Result
	for _, r := range readers {
		res := run(t, r.source(f.dir))
		for _, fd := range res.Findings {
			t.Errorf("reader %s: %s found %q: the blob holds no table", r, fd.Rule, fd.Secret)
		}
		results = append(results, res)
	}
	sameResults(t, results, false)
}
