package ci

import (
	"encoding/json"
	"testing"
)

// FuzzGitHubEvent feeds the event parser payloads of every event name: it never returns an
// event and an error, never panics, and an event it returns is one the plan can use — a
// range of two full commit ids that differ, a new branch with its pushed commit, and never
// an all-zeros commit to scan from or to.
func FuzzGitHubEvent(f *testing.F) {
	sha := func(c byte) string {
		b := make([]byte, 40)
		for i := range b {
			b[i] = c
		}
		return string(b)
	}
	seed := func(name string, v any) {
		data, _ := json.Marshal(v)
		f.Add(name, data)
	}
	repo := map[string]any{"full_name": "acme/app", "default_branch": "main", "html_url": "https://github.com/acme/app"}
	seed("push", map[string]any{"ref": "refs/heads/main", "before": sha('a'), "after": sha('b'), "commits": []any{map[string]any{}}, "repository": repo})
	seed("push", map[string]any{"ref": "refs/heads/x", "before": sha('0'), "after": sha('b'), "created": true, "repository": repo})
	seed("push", map[string]any{"ref": "refs/tags/v1", "before": sha('0'), "after": sha('b')})
	seed("push", map[string]any{"ref": "refs/heads/x", "before": sha('b'), "after": sha('0'), "deleted": true})
	seed("pull_request", map[string]any{"pull_request": map[string]any{"number": 7, "commits": 3,
		"head": map[string]any{"sha": sha('c'), "ref": "f", "repo": map[string]any{"full_name": "m/app"}},
		"base": map[string]any{"sha": sha('d'), "ref": "main", "repo": repo}}, "repository": repo})
	seed("pull_request", map[string]any{"pull_request": map[string]any{
		"head": map[string]any{"sha": sha('c')}, "base": map[string]any{"sha": sha('c')}}})
	seed("merge_group", map[string]any{"merge_group": map[string]any{"head_sha": sha('e'), "base_sha": sha('f')}})
	seed("schedule", map[string]any{"schedule": "0 0 * * *"})
	f.Add("pull_request_target", []byte(`{"pull_request":{"head":{"sha":null},"base":[]}}`))
	f.Add("push", []byte(`{"before":"`+sha('1')+`","after":"`+sha('1')+`"}`))
	f.Add("release", []byte(`not json`))
	f.Fuzz(func(t *testing.T, name string, payload []byte) {
		ev, err := GitHub(name, payload)
		if (ev == nil) == (err == nil) {
			t.Fatalf("GitHub(%q) = %v, %v: want an event or an error", name, ev, err)
		}
		if err != nil {
			return
		}
		_ = ev.Describe()
		switch ev.Want {
		case WantRange:
			if !isSHA(ev.Base) || !isSHA(ev.Head) || ev.Base == ev.Head || ZeroSHA(ev.Base) || ZeroSHA(ev.Head) {
				t.Fatalf("range %q..%q", ev.Base, ev.Head)
			}
		case WantBranch:
			if !isSHA(ev.Head) || ZeroSHA(ev.Head) || ev.Base != "" {
				t.Fatalf("new branch at %q (base %q)", ev.Head, ev.Base)
			}
		case WantNothing, WantHistory:
			if ev.Base != "" {
				t.Fatalf("%v with base %q", ev.Want, ev.Base)
			}
		default:
			t.Fatalf("want %v", ev.Want)
		}
		if ev.Commits < 0 {
			t.Fatalf("%d commits", ev.Commits)
		}
	})
}
