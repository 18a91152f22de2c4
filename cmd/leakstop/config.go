package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rs/zerolog"

	"github.com/leakstop/leakstop/rules"
)

// defaultConfigs are read, the first that exists, when --config is not given: at the root
// of what is scanned, then in the working directory.
var defaultConfigs = []string{".leakstop.toml", ".gitleaks.toml"}

// ignoreFile lists findings to drop by their place, in gitleaks' words; it is looked for
// where the configuration is.
const ignoreFile = ".gitleaksignore"

// projectRoot is where the project a scan reads keeps its configuration files: a folder, or
// a bare repository whose HEAD tree holds them.
type projectRoot struct {
	// dir is the folder; for a bare repository, its git directory.
	dir string
	// bare tells that the files are read from the HEAD tree of the repository at dir.
	bare bool
	// prefix is how the scan names dir in the paths it reports (`leakstop dir src` reports
	// src/app.js), for matching .gitleaksignore paths; empty when paths are relative to dir.
	prefix string
}

// dirRoot is the root of `leakstop dir PATH...`: the folder of the first path (the path
// itself when it is a folder; the working directory for "-").
func dirRoot(paths []string) projectRoot {
	if len(paths) == 0 || paths[0] == "-" {
		return projectRoot{dir: "."}
	}
	p := paths[0]
	if info, err := os.Stat(p); err == nil && !info.IsDir() {
		p = filepath.Dir(p)
	}
	return projectRoot{dir: p, prefix: p}
}

// gitRoot is the root of the repository at path (a folder in a working tree, the working
// tree, or a bare repository): the top of the working tree, or the bare repository's HEAD
// tree. A path that is no repository go-git can open is taken as a folder.
func gitRoot(path string) projectRoot {
	// A bare repository opens as it is; a folder inside a working tree by looking upwards
	// for its .git.
	repo, err := gogit.PlainOpenWithOptions(path, &gogit.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		repo, err = gogit.PlainOpenWithOptions(path, &gogit.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	}
	if err != nil {
		return projectRoot{dir: path}
	}
	wt, err := repo.Worktree()
	if errors.Is(err, gogit.ErrIsBareRepository) {
		return projectRoot{dir: path, bare: true}
	}
	if err != nil {
		return projectRoot{dir: path}
	}
	return projectRoot{dir: wt.Filesystem.Root()}
}

// workRoot is the project of the working directory, for the commands that scan nothing
// (`leakstop rules`, `leakstop revoke`): its repository's top, or the folder itself.
func workRoot() projectRoot { return gitRoot(".") }

// file is one configuration file found: its name for people and how to read it and the
// files it extends.
type file struct {
	name string
	read rules.ReadFunc
}

// find returns the first of names at the root, or false.
func (r projectRoot) find(names ...string) (file, bool) {
	if r.bare {
		tree, err := headTree(r.dir)
		if err != nil {
			return file{}, false
		}
		read := func(name string) ([]byte, error) {
			f, err := tree.File(filepath.ToSlash(strings.TrimPrefix(name, "HEAD:")))
			if err != nil {
				return nil, fmt.Errorf("%s in the HEAD tree of %s: %w", name, r.dir, err)
			}
			s, err := f.Contents()
			return []byte(s), err
		}
		for _, n := range names {
			if _, err := tree.File(n); err == nil {
				return file{name: "HEAD:" + n, read: read}, true
			}
		}
		return file{}, false
	}
	for _, n := range names {
		p := filepath.Join(r.dir, n)
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return file{name: p, read: os.ReadFile}, true
		}
	}
	return file{}, false
}

// headTree returns the tree of HEAD in the repository at dir.
func headTree(dir string) (*object.Tree, error) {
	repo, err := gogit.PlainOpen(dir)
	if err != nil {
		return nil, err
	}
	head, err := repo.Head()
	if err != nil {
		return nil, err
	}
	commit, err := repo.CommitObject(head.Hash())
	if err != nil {
		return nil, err
	}
	return commit.Tree()
}

// where says which file was read, for the log: a bare repository's file names its folder.
func (r projectRoot) where(f file) string {
	if r.bare {
		return f.name + " in " + r.dir
	}
	return f.name
}

// loadedRules is the rule set of a run, loaded once, with where it came from.
type loadedRules struct {
	set *rules.Set
	// path is the configuration file read, or empty for the built-in rules alone; extends
	// are the files it extends.
	path    string
	extends []string
	// notes are the configuration's words on what it left out.
	notes []string
	// ignore is the .gitleaksignore read, or empty; ignored its entries.
	ignore  string
	ignored int
}

// loadRules compiles the built-in rules with the configuration: the file at path (--config),
// or the first default configuration at the roots, in order, then in the working directory.
// A .gitleaksignore is looked for in the same places.
func loadRules(path string, roots ...projectRoot) (*loadedRules, error) {
	places := append(append([]projectRoot(nil), roots...), projectRoot{dir: "."})
	l := &loadedRules{}
	var cfg *rules.Config
	var err error
	switch {
	case path != "":
		if cfg, err = rules.LoadConfig(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, usageError("config %s does not exist", path).withHint("check --config")
			}
			return nil, failure(err, "fix "+path+", or give another file to --config")
		}
		l.path = path
	default:
		for _, root := range places {
			f, ok := root.find(defaultConfigs...)
			if !ok {
				continue
			}
			l.path = root.where(f)
			if cfg, err = rules.LoadConfigFrom(f.name, f.read); err != nil {
				return nil, failure(err, "fix "+l.path+", or give another file to --config")
			}
			break
		}
	}
	if cfg != nil {
		l.notes = cfg.Notes
		l.extends = cfg.Read[1:]
	}
	for _, root := range places {
		f, ok := root.find(ignoreFile)
		if !ok {
			continue
		}
		l.ignore = root.where(f)
		data, err := f.read(f.name)
		if err != nil {
			return nil, failure(fmt.Errorf("reading %s: %w", l.ignore, err))
		}
		ig, err := rules.ParseIgnore(data, l.ignore)
		if err != nil {
			return nil, failure(err, "fix the line, or remove it")
		}
		ig.Prefix = root.prefix
		if cfg == nil {
			cfg = &rules.Config{}
		}
		cfg.Ignore = ig
		l.ignored = ig.Len()
		break
	}
	set, err := rules.Compile(cfg)
	if err != nil {
		where := l.path
		if where == "" {
			where = "the built-in rules"
		}
		return nil, failure(fmt.Errorf("config %s: %w", where, err))
	}
	l.set = set
	if cfg != nil && cfg.Ignore != nil {
		var unknown []string
		for _, id := range cfg.Ignore.Rules {
			if set.Rule(id) == nil {
				unknown = append(unknown, id)
			}
		}
		if len(unknown) > 0 {
			l.notes = append(l.notes, fmt.Sprintf("%s names rules that are not in use (%s): its entries for them match nothing", l.ignore, strings.Join(unknown, ", ")))
		}
	}
	return l, nil
}

// logTo says on the log what the configuration was and what it left out.
func (l *loadedRules) logTo(log zerolog.Logger) {
	if l.path != "" {
		ev := log.Info().Str("config", l.path)
		if len(l.extends) > 0 {
			ev = ev.Strs("extends", l.extends)
		}
		ev.Msg("config loaded")
	} else {
		log.Debug().Msg("no config file found (.leakstop.toml, .gitleaks.toml): the built-in rules alone")
	}
	if l.ignore != "" {
		log.Info().Str("file", l.ignore).Int("entries", l.ignored).Msg("ignore list loaded")
	}
	for _, n := range l.notes {
		log.Warn().Str("config", l.path).Msg(n)
	}
}
