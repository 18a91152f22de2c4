package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
	"github.com/leakstop/leakstop/scanner/ci/citest"
)

// repoRootDir is the repository's root, where action.yml is, seen from this package.
const repoRootDir = "../.."

// actionMeta is action.yml, as GitHub's action metadata syntax has it.
type actionMeta struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Inputs map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
	If               string            `yaml:"if"`
}

func readAction(t *testing.T) *actionMeta {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRootDir, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var meta actionMeta
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&meta); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &meta
}

// expression matches ${{ … }} in action metadata.
var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// TestActionMetadata checks action.yml against GitHub's metadata syntax for a composite
// action: the required keys, input and output names and their parts, every step either a
// `uses` or a `run` with a `shell`, and every expression naming an input, step or context
// that exists.
func TestActionMetadata(t *testing.T) {
	meta := readAction(t)
	if meta.Name == "" || meta.Description == "" {
		t.Errorf("name and description are required")
	}
	icons := []string{"shield", "lock", "alert-triangle", "key"}
	if !slices.Contains(icons, meta.Branding.Icon) || meta.Branding.Color == "" {
		t.Errorf("branding %+v", meta.Branding)
	}
	name := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	var inputs, outputs []string
	for k, in := range meta.Inputs {
		inputs = append(inputs, k)
		if !name.MatchString(k) || in.Description == "" {
			t.Errorf("input %q: a name of letters, digits, - and _, and a description", k)
		}
		if in.Required || in.Default == nil {
			t.Errorf("input %q: every input is optional, with a default", k)
		}
	}
	slices.Sort(inputs)
	if diff := cmp.Diff([]string{"args", "config", "fail-on", "issues", "revoke", "sarif", "token", "verify"}, inputs); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	for k, out := range meta.Outputs {
		outputs = append(outputs, k)
		if !name.MatchString(k) || out.Description == "" || out.Value == "" {
			t.Errorf("output %q: a composite action's output needs a description and a value", k)
		}
	}
	slices.Sort(outputs)
	if diff := cmp.Diff([]string{"findings", "live", "range", "report", "revoked", "sarif"}, outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if meta.Runs.Using != "composite" || len(meta.Runs.Steps) == 0 {
		t.Fatalf("runs: using %q with %d steps, want a composite action", meta.Runs.Using, len(meta.Runs.Steps))
	}
	ids := map[string]bool{}
	for i, s := range meta.Runs.Steps {
		switch {
		case (s.Uses == "") == (s.Run == ""):
			t.Errorf("step %d: exactly one of uses and run", i)
		case s.Run != "" && s.Shell == "":
			t.Errorf("step %d (%s): a composite step with run needs shell", i, s.Name)
		case s.Uses != "" && (s.Shell != "" || s.WorkingDirectory != ""):
			t.Errorf("step %d (%s): uses takes no shell or working-directory", i, s.Name)
		case s.Uses != "" && !regexp.MustCompile(`^[\w.-]+/[\w./-]+@v\d+$`).MatchString(s.Uses):
			t.Errorf("step %d: uses %q is not an action pinned to a major version", i, s.Uses)
		}
		if s.ID != "" {
			ids[s.ID] = true
		}
	}
	// Every expression refers to something that exists; inputs reach run scripts through
	// env only, never spliced into the script's text.
	check := func(where, text string) {
		for _, m := range expression.FindAllStringSubmatch(text, -1) {
			e := m[1]
			switch {
			case e == "github.action_path" || e == "github.token":
			case strings.HasPrefix(e, "inputs."):
				if _, ok := meta.Inputs[strings.TrimPrefix(e, "inputs.")]; !ok {
					t.Errorf("%s: %s names no input", where, e)
				}
			case strings.HasPrefix(e, "steps."):
				id, _, _ := strings.Cut(strings.TrimPrefix(e, "steps."), ".")
				if !ids[id] {
					t.Errorf("%s: %s names no step", where, e)
				}
			default:
				t.Errorf("%s: expression %q is not one the tests know", where, e)
			}
		}
	}
	for k, out := range meta.Outputs {
		check("output "+k, out.Value)
	}
	for i, s := range meta.Runs.Steps {
		if expression.MatchString(s.Run) {
			t.Errorf("step %d (%s): run holds an expression; pass it through env", i, s.Name)
		}
		check(s.Name+" working-directory", s.WorkingDirectory)
		for k, v := range s.With {
			check(s.Name+" with "+k, v)
		}
		for k, v := range s.Env {
			check(s.Name+" env "+k, v)
		}
	}
	for k, in := range meta.Inputs {
		if in.Default != nil {
			check("default of "+k, *in.Default)
		}
	}
	// Go is set up from the action's own go.mod, its module cache keyed on the action's
	// own go.sum, and nothing is downloaded but modules.
	setup := meta.Runs.Steps[0]
	if !strings.HasPrefix(setup.Uses, "actions/setup-go@") || setup.With["cache-dependency-path"] != "${{ github.action_path }}/go.sum" ||
		setup.With["go-version-file"] != "${{ github.action_path }}/go.mod" {
		t.Errorf("the first step sets up Go keyed on the action's go.sum: %+v", setup)
	}
	for _, s := range meta.Runs.Steps {
		if strings.Contains(s.Run, "curl") || strings.Contains(s.Run, "wget") || strings.Contains(s.Run, "releases/download") {
			t.Errorf("step %s downloads something", s.Name)
		}
	}
}

// runner runs action.yml's steps as the GitHub Actions runner runs a composite action's:
// each `run` step through bash -e -o pipefail with the runner's variables, its own
// GITHUB_OUTPUT file, expressions evaluated; `uses` steps stand in by the test.
type runner struct {
	t         *testing.T
	meta      *actionMeta
	workspace string
	temp      string
	env       map[string]string
	inputs    map[string]string
	// stepOutputs are the outputs each step set, by step id.
	stepOutputs map[string]map[string]string
	summary     string
	stdout      string
}

func (r *runner) eval(s string) string {
	return expression.ReplaceAllStringFunc(s, func(m string) string {
		e := expression.FindStringSubmatch(m)[1]
		switch {
		case e == "github.action_path":
			abs, err := filepath.Abs(repoRootDir)
			if err != nil {
				r.t.Fatal(err)
			}
			return abs
		case e == "github.token":
			return r.env["GITHUB_TOKEN"]
		case strings.HasPrefix(e, "inputs."):
			name := strings.TrimPrefix(e, "inputs.")
			if v, ok := r.inputs[name]; ok {
				return v
			}
			in, ok := r.meta.Inputs[name]
			if !ok || in.Default == nil {
				r.t.Fatalf("input %s has no value", name)
			}
			return r.eval(*in.Default)
		case strings.HasPrefix(e, "steps."):
			parts := strings.Split(e, ".")
			if len(parts) != 4 || parts[2] != "outputs" {
				r.t.Fatalf("expression %s", e)
			}
			return r.stepOutputs[parts[1]][parts[3]]
		}
		r.t.Fatalf("the simulated runner does not know %s", e)
		return ""
	})
}

// run runs the steps until one fails; it returns the exit status of the step that failed (0
// when none did) and the action's outputs, which a failed step sets too.
func (r *runner) run() (int, map[string]string) {
	r.stepOutputs = map[string]map[string]string{}
	failed := 0
	for i, s := range r.meta.Runs.Steps {
		if s.Uses != "" {
			r.standIn(s)
			continue
		}
		out := filepath.Join(r.temp, "output-"+string(rune('a'+i)))
		summary := filepath.Join(r.temp, "summary-"+string(rune('a'+i)))
		script := filepath.Join(r.temp, "step-"+string(rune('a'+i))+".sh")
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			r.t.Fatal(err)
		}
		if s.Shell != "bash" {
			r.t.Fatalf("step %s: shell %q; the simulated runner knows bash", s.Name, s.Shell)
		}
		// What the runner runs for shell: bash.
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = r.workspace
		if s.WorkingDirectory != "" {
			cmd.Dir = r.eval(s.WorkingDirectory)
		}
		env := map[string]string{}
		for k, v := range r.env {
			env[k] = v
		}
		env["GITHUB_ACTION_PATH"] = r.eval("${{ github.action_path }}")
		env["GITHUB_OUTPUT"], env["GITHUB_STEP_SUMMARY"] = out, summary
		for k, v := range s.Env {
			env[k] = r.eval(v)
		}
		cmd.Env = os.Environ()
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		r.stdout += stdout.String()
		if data, _ := os.ReadFile(summary); len(data) > 0 {
			r.summary += string(data)
		}
		if data, _ := os.ReadFile(out); s.ID != "" {
			r.stepOutputs[s.ID] = parseOutputs(r.t, string(data))
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			r.t.Logf("step %q failed with %d:\n%s", s.Name, exit.ExitCode(), stderr.String())
			failed = exit.ExitCode()
			break
		}
		if err != nil {
			r.t.Fatalf("step %s: %v", s.Name, err)
		}
	}
	outs := map[string]string{}
	for k, o := range r.meta.Outputs {
		outs[k] = r.eval(o.Value)
	}
	return failed, outs
}

// standIn does what a `uses` step would have done: actions/setup-go puts Go on PATH, which
// the test's machine has; what it is given must exist.
func (r *runner) standIn(s actionStep) {
	if !strings.HasPrefix(s.Uses, "actions/setup-go@") {
		r.t.Fatalf("no stand-in for %s", s.Uses)
	}
	for _, k := range []string{"go-version-file", "cache-dependency-path"} {
		if _, err := os.Stat(r.eval(s.With[k])); err != nil {
			r.t.Errorf("setup-go %s: %v", k, err)
		}
	}
}

// TestActionSteps runs action.yml's own steps in a simulated runner on a pull request of a
// real repository, checked out one commit deep, and checks the outputs, the job summary and
// the exit status for each fail-on.
func TestActionSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds leakstop")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH")
	}
	h := newCIHistory(t)
	admin := rules.NewGenerator(3).OpenAIKey("sk-admin-", 58)
	openai := fake.NewOpenAI(t, admin)
	meta := readAction(t)
	temp := t.TempDir()
	event := citest.WriteEvent(t, citest.PullRequest(7, h.m[2], h.f[2], 3, "acme/app"))
	for _, c := range []struct {
		name   string
		inputs map[string]string
		live   bool
		code   int
		want   map[string]string
	}{
		{"any", map[string]string{}, false, 1, map[string]string{"findings": "1", "live": "0", "revoked": "0"}},
		{"live, not live", map[string]string{"fail-on": "live"}, false, 0, map[string]string{"findings": "1", "live": "0", "revoked": "0"}},
		{"live", map[string]string{"fail-on": "live"}, true, exitLive, map[string]string{"findings": "1", "live": "1", "revoked": "0"}},
		{"never", map[string]string{"fail-on": "never", "verify": "true", "sarif": "out/leak.sarif"}, true, 0,
			map[string]string{"findings": "1", "live": "1", "revoked": "0"}},
		{"bad input", map[string]string{"verify": "yes"}, false, 2, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.live {
				openai.AddKey("proj_default", "", h.keys[1])
			}
			workspace := h.o.Checkout(h.merge, "refs/remotes/pull/7/merge", 1)
			os.MkdirAll(filepath.Join(workspace, "out"), 0o755)
			r := &runner{t: t, meta: meta, workspace: workspace, temp: temp, inputs: c.inputs, env: map[string]string{
				"GITHUB_ACTIONS": "true", "CI": "true", "RUNNER_TEMP": temp, "GITHUB_WORKSPACE": workspace,
				"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event, "GITHUB_SHA": h.merge,
				"GITHUB_REPOSITORY": "acme/app", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_TOKEN": "ghs_jobtoken",
				"LEAKSTOP_OPENAI_URL": openai.URL, "LEAKSTOP_BACKOFF": "1ms",
				"XDG_STATE_HOME": filepath.Join(temp, "state"), "NO_COLOR": "1",
			}}
			code, outs := r.run()
			if code != c.code {
				t.Fatalf("exit status %d, want %d", code, c.code)
			}
			if c.code == 2 {
				return
			}
			sarif := c.inputs["sarif"]
			if sarif == "" {
				sarif = "leakstop.sarif"
			}
			for k, v := range c.want {
				if outs[k] != v {
					t.Errorf("output %s=%q, want %q", k, outs[k], v)
				}
			}
			if outs["range"] != h.m[2]+".."+h.f[2] || outs["sarif"] != sarif || outs["report"] != filepath.Join(temp, "leakstop-report.json") {
				t.Errorf("outputs %v", outs)
			}
			if _, err := os.Stat(filepath.Join(workspace, sarif)); err != nil {
				t.Errorf("the SARIF file: %v", err)
			}
			if !strings.Contains(r.summary, "## leakstop: 1 leaked secret found") || !strings.Contains(r.summary, "| openai |") {
				t.Errorf("job summary:\n%s", r.summary)
			}
			checkMasks(t, r.stdout, h.keys)
			if !strings.Contains(r.stdout, "::error title=Leaked openai secret") && !strings.Contains(r.stdout, "::error title=Live openai secret") {
				t.Errorf("no annotation:\n%s", r.stdout)
			}
		})
	}
}
