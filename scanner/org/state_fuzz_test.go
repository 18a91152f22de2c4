package org

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzStateLoad: any bytes after a state's header line either open (a line cut short at
// the end is dropped) or are refused with a StateError, never a panic; a state that opens
// holds each repository once, in order, compacts to what reopens the same, and takes a new
// record that reads back.
func FuzzStateLoad(f *testing.F) {
	f.Add([]byte(`{"id":1,"full_name":"acme/a","digest":"d","refs":{"refs/heads/main":"c1"}}` + "\n"))
	f.Add([]byte(`{"id":2,"full_name":"acme/b"}` + "\n" + `{"id":2,"deleted":true}` + "\n"))
	f.Add([]byte(`{"id":3,"full_name":"acme/c","refs":{"refs/heads/ma`))
	f.Add([]byte("not json\n"))
	f.Add([]byte(`{"id":4,"pending":[{"rule":"r","secret":"s","fingerprint":"f","locations":[]}]}` + "\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "state.jsonl")
		head := `{"leakstop_state":1,"target":"organisation acme"}` + "\n"
		if err := os.WriteFile(path, append([]byte(head), body...), 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := OpenState(path, "organisation acme")
		if err != nil {
			if _, ok := err.(*StateError); !ok {
				t.Fatalf("error %T %v, want a *StateError", err, err)
			}
			return
		}
		ids := st.IDs()
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Fatalf("ids %v are not sorted and unique", ids)
		}
		for _, id := range ids {
			if _, err := st.Get(id); err != nil {
				t.Fatalf("Get(%d): %v", id, err)
			}
		}
		if err := st.Put(&Record{ID: 1 << 40, FullName: "acme/new", Refs: map[string]string{"refs/heads/main": "abc"}}); err != nil {
			t.Fatal(err)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := OpenState(path, "organisation acme")
		if err != nil {
			t.Fatalf("a compacted state does not open: %v", err)
		}
		defer again.Close()
		want := append(slices.Clone(ids), 1<<40)
		slices.Sort(want)
		if got := again.IDs(); !slices.Equal(slices.Compact(want), got) {
			t.Fatalf("ids after reopening %v, want %v", got, want)
		}
		if r, err := again.Get(1 << 40); err != nil || r == nil || r.Refs["refs/heads/main"] != "abc" {
			t.Fatalf("the new record reads back as %+v, %v", r, err)
		}
	})
}
