package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The corpus test writes a folder of files as a repository holds them (source in several
// languages, .env, YAML, JSON, a Dockerfile, shell scripts): one file for each rule holding
// the key of its first true example among ordinary code and configuration, and one file for
// each false example of every rule, and for each documented sample and public-by-design
// value, as decoys. It scans every file and wants exactly one finding per planted key, of the
// right rule and provider, at the right file and line, and nothing else: no finding in the
// code around the keys, none at all on a documented sample, and on a false example none of
// its rule nor of any rule of a provider that issues secrets. (A false example says "not a
// key of this format", not "not a secret": a random value assigned to API_TOKEN that is one
// character too long for its provider is still what the generic rule is for.) New rules and
// their examples are picked up as they are added.

// host is a kind of file an example is placed in.
type host struct {
	name string
	// fits reports whether an example can stand in this kind of file.
	fits func(example string) bool
	// wrap returns the file's text with the example in it, and how many lines come before
	// the example's first line.
	wrap func(example string) (text string, before int)
}

var (
	envLine  = regexp.MustCompile(`^(?:export )?[A-Za-z_][A-Za-z0-9_]*=\S[^\n]*$`)
	yamlLine = regexp.MustCompile(`^[A-Za-z_][\w.-]*: \S[^\n]*$`)
)

// around puts lines before and after the example; before counts the lines of pre.
func around(pre, example, post string) (string, int) {
	return pre + example + "\n" + post, strings.Count(pre, "\n")
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(s, "\n", "\n"+by)
}

var hosts = []host{
	{
		name: "service/.env",
		fits: func(e string) bool { return envLine.MatchString(e) && !strings.HasPrefix(e, "export ") },
		wrap: func(e string) (string, int) {
			return around("# Settings of the billing service; see docs/ops/configuration.md.\nAPP_ENV=production\nLOG_LEVEL=info\nPORT=8080\nDATABASE_POOL_SIZE=20\n", e,
				"FEATURE_FLAGS=beta-search,new-invoices\nTZ=UTC\n")
		},
	},
	{
		name: "deploy/Dockerfile",
		fits: func(e string) bool { return envLine.MatchString(e) && !strings.HasPrefix(e, "export ") },
		wrap: func(e string) (string, int) {
			return around("FROM node:20-alpine AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nCOPY . .\n", "ENV "+e,
				"EXPOSE 8080\nUSER node\nCMD [\"node\", \"dist/server.js\"]\n")
		},
	},
	{
		name: "scripts/deploy.sh",
		fits: func(e string) bool { return envLine.MatchString(e) },
		wrap: func(e string) (string, int) {
			if !strings.HasPrefix(e, "export ") {
				e = "export " + e
			}
			return around("#!/bin/sh\n# Deploys the current build to the staging cluster.\nset -eu\n\nREGION=${REGION:-eu-west-1}\n", e,
				"\nkubectl --context \"staging-$REGION\" apply -f deploy/k8s/\nkubectl rollout status deployment/billing --timeout=120s\n")
		},
	},
	{
		name: "config/app.yaml",
		fits: func(e string) bool { return true },
		wrap: func(e string) (string, int) {
			pre := "# Application settings, read at start-up.\nserver:\n  port: 8080\n  read_timeout: 15s\nintegrations:\n"
			if !yamlLine.MatchString(e) {
				// Anything else as a block scalar: a template the service renders.
				pre += "  template: |\n"
				e = indent(e, "  ")
			}
			return around(pre, indent(e, "  "), "  retries: 3\nlogging:\n  level: info\n  format: json\n")
		},
	},
	{
		name: "config/settings.json",
		fits: func(e string) bool {
			return strings.HasPrefix(e, "{") && strings.HasSuffix(e, "}") && !strings.Contains(e, "\n")
		},
		wrap: func(e string) (string, int) {
			return around("{\n  \"service\": \"billing\",\n  \"region\": \"eu-west-1\",\n  \"integration\":\n", indent(e, "    "),
				",\n  \"retries\": 3\n}\n")
		},
	},
	{
		name: "config/integrations.json",
		// A line as a JSON string, where escaping leaves it as it is.
		fits: func(e string) bool { return !strings.ContainsAny(e, "\"\\\n\t") },
		wrap: func(e string) (string, int) {
			return around("{\n  \"service\": \"billing\",\n  \"integrations\": {\n    \"retries\": 3,\n", "    \"legacy\": \""+e+"\"",
				"  },\n  \"region\": \"eu-west-1\"\n}\n")
		},
	},
	{
		name: "app/settings.py",
		fits: func(e string) bool { return !strings.Contains(e, `"""`) },
		wrap: func(e string) (string, int) {
			return around("\"\"\"Settings of the billing worker.\"\"\"\nimport os\n\nTIMEOUT = float(os.environ.get(\"TIMEOUT\", \"30\"))\n\n# The configuration this worker was first deployed with.\nLEGACY_CONFIG = r\"\"\"\n", e,
				"\"\"\"\n\n\ndef load():\n    return {\"timeout\": TIMEOUT, \"legacy\": LEGACY_CONFIG}\n")
		},
	},
	{
		name: "src/config.js",
		fits: func(e string) bool { return !strings.ContainsAny(e, "`") && !strings.Contains(e, "${") },
		wrap: func(e string) (string, int) {
			return around("import { readFileSync } from \"node:fs\";\n\nexport const timeoutMs = Number(process.env.TIMEOUT_MS ?? 30000);\n\n// The integration settings as the vendor's console printed them.\nexport const integration = String.raw`\n", e,
				"`;\n\nexport function load(path) {\n  return JSON.parse(readFileSync(path, \"utf8\"));\n}\n")
		},
	},
	{
		name: "internal/config/fixture.go",
		fits: func(e string) bool { return !strings.Contains(e, "`") },
		wrap: func(e string) (string, int) {
			return around("package config\n\nimport \"time\"\n\n// Timeout bounds every call to the vendor.\nconst Timeout = 30 * time.Second\n\n// seed is the configuration the service was first deployed with.\nconst seed = `\n", e,
				"`\n\n// Seed returns the first configuration.\nfunc Seed() string { return seed }\n")
		},
	},
}

// pick returns the kinds of file an example fits, from the nth on: so that the rules' keys
// spread over every kind.
func pick(example string, n int) host {
	var fit []host
	for _, h := range hosts {
		if h.fits(example) {
			fit = append(fit, h)
		}
	}
	return fit[n%len(fit)]
}

// documentedSamples are values the providers publish as examples, and values that are public
// by design: no rule may report them. Rules' false examples are decoys too; these are kept
// here as well because no one rule owns them.
var documentedSamples = []string{
	// AWS's documented example access key pair.
	"[default]\naws_access_key_id = AKIA" + "IOSFODNN7EXAMPLE\naws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	// Stripe's documentation test keys.
	"STRIPE_SECRET_KEY=sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc",
	// Stripe publishable keys ship to browsers.
	`const stripe = Stripe("pk_live_51H{{alnum 90}}");`,
	// A Sentry DSN's key is public: it ships with every browser bundle.
	"SENTRY_DSN=https://{{hex 32}}@o{{digits 6}}.ingest.sentry.io/{{digits 7}}",
	// A Supabase anon key is meant for browsers.
	`createClient("https://acme.supabase.co", "{{jwt ` + "`" + `{"iss":"supabase","ref":"acme","role":"anon"}` + "`" + `}}")`,
}

func TestCorpus(t *testing.T) {
	set := builtinSet(t)
	dir := t.TempDir()
	type planted struct {
		rule, provider, file string
		line                 int
		secret               string
	}
	var plants []planted
	type decoy struct {
		file, owner string
		sample      bool // a documented sample: no rule may report it
	}
	var decoys []decoy
	// Each file in a folder of its own, so that no rule sees two examples at once and files
	// keep their real names (.env, Dockerfile).
	write := func(kind, name string, text string) string {
		path := fmt.Sprintf("%s/%03d/%s", kind, len(plants)+len(decoys), name)
		full := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	g := NewGenerator(16)
	for i, r := range set.Rules {
		example := strings.Trim(expand(t, g, r.Examples.True[0]), "\n")
		ms := set.Find([]byte(example), "")
		if len(ms) != 1 || ms[0].Rule != r {
			t.Errorf("rule %s: its first true example alone gives%s", r.ID, describe(ms))
			continue
		}
		h := pick(example, i)
		text, before := h.wrap(example)
		path := write("keys", h.name, text)
		plants = append(plants, planted{rule: r.ID, provider: r.Provider, file: path, line: before + ms[0].Line, secret: ms[0].Secret})
	}
	var falses []string
	for _, r := range set.Rules {
		for _, tmpl := range r.Examples.False {
			falses = append(falses, r.ID+"\x00"+tmpl)
		}
	}
	for _, s := range documentedSamples {
		falses = append(falses, "documented sample\x00"+s)
	}
	for i, f := range falses {
		owner, tmpl, _ := strings.Cut(f, "\x00")
		example := strings.Trim(expand(t, g, tmpl), "\n")
		h := pick(example, i)
		text, _ := h.wrap(example)
		path := write("decoys", h.name, text)
		decoys = append(decoys, decoy{file: path, owner: owner, sample: owner == "documented sample"})
	}
	kinds := map[string]int{}
	for _, p := range plants {
		kinds[p.file[strings.LastIndex(p.file, "/")+1:]]++
	}
	if len(kinds) < 6 {
		t.Errorf("the keys are in %d kinds of file only: %v", len(kinds), kinds)
	}
	if len(plants) != len(set.Rules) {
		t.Fatalf("%d keys planted for %d rules", len(plants), len(set.Rules))
	}

	// Scan the folder as it is on disk.
	found := map[string][]Match{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		found[rel] = set.Find(data, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plants {
		ms := found[p.file]
		delete(found, p.file)
		if len(ms) != 1 {
			t.Errorf("%s (rule %s): want one finding, got%s", p.file, p.rule, describe(ms))
			continue
		}
		m := ms[0]
		// A secret over several lines takes the file's indentation.
		same := strings.Join(strings.Fields(m.Secret), "") == strings.Join(strings.Fields(p.secret), "")
		if m.Rule.ID != p.rule || m.Rule.Provider != p.provider || m.Line != p.line || !same {
			t.Errorf("%s: want %s (%s) at line %d, got %s (%s) at line %d (the planted secret: %v)", p.file, p.rule, p.provider, p.line, m.Rule.ID, m.Rule.Provider, m.Line, same)
		}
		if m.Rule.Provider == "" {
			t.Errorf("%s: rule %s names no provider", p.file, p.rule)
		}
	}
	for _, d := range decoys {
		for _, m := range found[d.file] {
			if d.sample || m.Rule.ID == d.owner || !GenericProvider(m.Rule.Provider) {
				t.Errorf("decoy %s (%s): unwanted finding:%s", d.file, d.owner, describe([]Match{m}))
			}
		}
		delete(found, d.file)
	}
	for path, ms := range found {
		t.Errorf("%s: a file the corpus did not write, with findings%s", path, describe(ms))
	}
}
