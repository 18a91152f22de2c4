// Package webtest serves the web fixtures to tests: the Vite and Next.js apps under
// testdata/apps, built by testdata/apps/build.sh with a placeholder key, copied with a key
// generated at run time in its place, and served over loopback as a static host would.
package webtest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// placeholder is the key the committed build output holds: as long as a real OpenAI
// project key (sk-proj- + 74 + T3BlbkFJ + 74), made of a pattern leakstop does not report.
// testdata/apps/build.sh makes the same string.
var placeholder = "sk-proj-" + pad("LEAKSTOP_FIXTURE_PLACEHOLDER_", 74) + "T3BlbkFJ" + pad("", 74)

func pad(s string, n int) string { return s + strings.Repeat("x", n-len(s)) }

// Apps are the fixture apps and the folder of each one's build output.
var Apps = map[string]string{
	"vite": "dist",
	"next": "out",
}

// appsDir returns testdata/apps of the module, found from the working directory up.
func appsDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "apps"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// CopyBuild copies the build output of app ("vite" or "next") into dst, with key in place
// of the placeholder in every file: bundles, maps and HTML. key must be as long as the
// placeholder, so that every column and every mapping stays right.
func CopyBuild(app, dst, key string) error {
	if len(key) != len(placeholder) {
		return fmt.Errorf("key has %d characters, the placeholder %d", len(key), len(placeholder))
	}
	out, ok := Apps[app]
	if !ok {
		return fmt.Errorf("no fixture app %q", app)
	}
	apps, err := appsDir()
	if err != nil {
		return err
	}
	src := filepath.Join(apps, app, out)
	found := false
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(placeholder)) {
			found = true
			data = bytes.ReplaceAll(data, []byte(placeholder), []byte(key))
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("copying the %s fixture: %w", app, err)
	}
	if !found {
		return fmt.Errorf("the %s fixture holds no placeholder key (rebuild it with testdata/apps/build.sh)", app)
	}
	return nil
}

// Handler serves dir as a static host serves a build: index.html for a folder, NAME.html
// for a NAME without extension (Next.js's static export links /about to about.html), 404
// otherwise.
func Handler(dir string) http.Handler {
	fsys := http.Dir(dir)
	files := http.FileServer(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean("/" + r.URL.Path)
		if p != "/" && path.Ext(p) == "" {
			if f, err := fsys.Open(p + ".html"); err == nil {
				f.Close()
				r2 := r.Clone(r.Context())
				r2.URL.Path = p + ".html"
				files.ServeHTTP(w, r2)
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}
