// Command mkhistory writes a git fast-import stream of a large, deterministic history to
// standard output: tens of thousands of commits that edit the same files over and over, as
// real projects do, a few branches, merges and tags, and a handful of generated secrets (some
// deleted again, one only on a branch). bench/make-history.sh pipes it into git fast-import;
// bench/history.sh times leakstop against git on the result.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"

	"github.com/leakstop/leakstop/rules"
)

func main() {
	commits := flag.Int("commits", 30000, "commits on the main line")
	files := flag.Int("files", 2000, "files in the tree")
	avgLines := flag.Int("lines", 300, "average lines per file")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	g := &gen{
		w:   w,
		rnd: rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15)),
		key: rules.NewGenerator(*seed),
	}
	g.run(*commits, *files, *avgLines)
}

type gen struct {
	w     *bufio.Writer
	rnd   *rand.Rand
	key   *rules.Generator
	mark  int
	when  int64
	files map[string][]string
	names []string
}

var words = strings.Fields(`the a value result config client server request response handler error
	index count total buffer reader writer parse format token session user account name path file
	open close read write start stop update create delete list find match scan limit offset size
	data item entry record field column table query cache store load save check verify build run`)

func (g *gen) word() string { return words[g.rnd.IntN(len(words))] }

func (g *gen) line() string {
	switch g.rnd.IntN(12) {
	case 0:
		return ""
	case 1:
		return "// " + g.word() + " " + g.word() + " " + g.word() + " " + g.word() + " " + g.word()
	case 2:
		return fmt.Sprintf("\tconst %s%s = %d", g.word(), strings.Title(g.word()), g.rnd.IntN(100000))
	case 3:
		return fmt.Sprintf("\t%s_token := os.Getenv(%q)", g.word(), strings.ToUpper(g.word())+"_TOKEN")
	case 4:
		return "}"
	case 5:
		return fmt.Sprintf("func %s%s(%s string, %s int) error {", g.word(), strings.Title(g.word()), g.word(), g.word())
	}
	n := 2 + g.rnd.IntN(6)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.word()
	}
	return "\t" + parts[0] + " := " + strings.Join(parts[1:], ".") + fmt.Sprintf("(%d)", g.rnd.IntN(1000))
}

func (g *gen) run(commits, nfiles, avgLines int) {
	g.files = map[string][]string{}
	g.when = 1600000000
	for i := 0; i < nfiles; i++ {
		name := fmt.Sprintf("src/pkg%02d/%s_%d.go", i%40, g.word(), i)
		n := 1 + g.rnd.IntN(2*avgLines)
		if i%100 == 0 {
			n *= 8 // a few large files
		}
		lines := make([]string, n)
		for j := range lines {
			lines[j] = g.line()
		}
		g.files[name] = lines
		g.names = append(g.names, name)
	}
	sort.Strings(g.names)

	// The first commit holds every file.
	all := make([]string, len(g.names))
	copy(all, g.names)
	main := g.commit("refs/heads/main", 0, 0, "Initial import", all)

	// Secrets: placed at fixed points of the history, some removed later.
	type event struct {
		at     int
		file   string
		add    bool
		secret string
	}
	var events []event
	for i := 0; i < 5; i++ {
		file := g.names[(i*397)%len(g.names)]
		secret := g.key.OpenAIKey("sk-proj-", 74)
		at := commits / 6 * (i + 1)
		events = append(events, event{at: at, file: file, add: true, secret: secret})
		if i%2 == 0 {
			events = append(events, event{at: at + 50, file: file, add: false, secret: secret})
		}
	}

	cur := g.names[0]
	branch := 0
	for i := 1; i <= commits; i++ {
		var touched []string
		for _, e := range events {
			if e.at != i {
				continue
			}
			lines := g.files[e.file]
			if e.add {
				pos := g.rnd.IntN(len(lines) + 1)
				lines = append(lines[:pos], append([]string{"\topenaiKey := \"" + e.secret + "\""}, lines[pos:]...)...)
			} else {
				for j, l := range lines {
					if strings.Contains(l, e.secret) {
						lines = append(lines[:j], lines[j+1:]...)
						break
					}
				}
			}
			g.files[e.file] = lines
			touched = append(touched, e.file)
		}
		// Edits come in sessions: most commits touch the file the previous one touched.
		if g.rnd.IntN(10) >= 7 {
			cur = g.names[g.rnd.IntN(len(g.names))]
		}
		g.edit(cur)
		touched = append(touched, cur)
		if g.rnd.IntN(20) == 0 {
			other := g.names[g.rnd.IntN(len(g.names))]
			g.edit(other)
			touched = append(touched, other)
		}
		main = g.commit("refs/heads/main", main, 0, fmt.Sprintf("Change %s (%d)", cur, i), touched)

		// Every few thousand commits a short branch is made and merged back; the last one
		// is never merged and holds a secret of its own.
		if i%5000 == 0 {
			branch++
			name := fmt.Sprintf("refs/heads/feature-%d", branch)
			saved := g.snapshot()
			var tip int
			for j := 0; j < 20; j++ {
				f := g.names[g.rnd.IntN(len(g.names))]
				g.edit(f)
				from := tip
				if j == 0 {
					from = main
				}
				if i+5000 > commits && j == 10 {
					lines := g.files[f]
					g.files[f] = append(lines, "\tbranchKey := \""+g.key.OpenAIKey("sk-proj-", 74)+"\"")
				}
				tip = g.commit(name, from, 0, fmt.Sprintf("Feature %d step %d", branch, j), []string{f})
			}
			if i+5000 > commits {
				g.restore(saved)
				fmt.Fprintf(g.w, "reset refs/heads/main\nfrom :%d\n\n", main)
				continue
			}
			main = g.commit("refs/heads/main", main, tip, fmt.Sprintf("Merge feature %d", branch), nil)
			fmt.Fprintf(g.w, "tag v0.%d.0\nfrom :%d\ntagger Bench <bench@example.com> %d +0000\ndata 13\nrelease tag\n\n", branch, main, g.when)
		}
	}
}

func (g *gen) snapshot() map[string][]string {
	s := make(map[string][]string, len(g.files))
	for k, v := range g.files {
		s[k] = append([]string(nil), v...)
	}
	return s
}

func (g *gen) restore(s map[string][]string) { g.files = s }

// edit changes a few lines of a file: replaced, inserted or deleted.
func (g *gen) edit(name string) {
	lines := g.files[name]
	for k := 1 + g.rnd.IntN(4); k > 0; k-- {
		pos := g.rnd.IntN(len(lines) + 1)
		switch op := g.rnd.IntN(3); {
		case op == 0 && pos < len(lines):
			lines[pos] = g.line()
		case op == 1 || len(lines) < 5:
			lines = append(lines[:pos], append([]string{g.line()}, lines[pos:]...)...)
		case pos < len(lines):
			lines = append(lines[:pos], lines[pos+1:]...)
		}
	}
	g.files[name] = lines
}

// commit writes the files' current contents and a commit on ref; from and merge are marks
// (0: none). It returns the commit's mark.
func (g *gen) commit(ref string, from, merge int, msg string, touched []string) int {
	g.when += 600
	fmt.Fprintf(g.w, "commit %s\n", ref)
	g.mark++
	mark := g.mark
	fmt.Fprintf(g.w, "mark :%d\n", mark)
	fmt.Fprintf(g.w, "author Bench Author <author@example.com> %d +0000\n", g.when)
	fmt.Fprintf(g.w, "committer Bench Author <author@example.com> %d +0000\n", g.when)
	fmt.Fprintf(g.w, "data %d\n%s\n", len(msg), msg)
	if from != 0 {
		fmt.Fprintf(g.w, "from :%d\n", from)
	}
	if merge != 0 {
		fmt.Fprintf(g.w, "merge :%d\n", merge)
	}
	seen := map[string]bool{}
	for _, name := range touched {
		if seen[name] {
			continue
		}
		seen[name] = true
		content := strings.Join(g.files[name], "\n") + "\n"
		fmt.Fprintf(g.w, "M 100644 inline %s\ndata %d\n%s\n", name, len(content), content)
	}
	fmt.Fprintln(g.w)
	return mark
}
