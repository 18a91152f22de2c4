package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	k8syaml "sigs.k8s.io/yaml"
)

// orgDocs is the folder of the org scan's workflow, Dockerfile and manifests.
var orgDocs = filepath.Join(repoRootDir, "docs", "org")

func readOrgDoc(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(orgDocs, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestOrgWorkflow: the nightly org workflow passes actionlint, and has what the README says
// it has: a schedule, a matrix of shards that do not cancel each other, the mirrors and
// state cached per shard, a report uploaded per shard, and one job after them that merges,
// revokes and opens issues with the App's credentials.
func TestOrgWorkflow(t *testing.T) {
	data := readOrgDoc(t, "leakstop-org.yml")
	var wf struct {
		On   map[string]any `yaml:"on"`
		Env  map[string]any `yaml:"env"`
		Jobs map[string]struct {
			Needs    any `yaml:"needs"`
			If       string
			Strategy struct {
				FailFast *bool `yaml:"fail-fast"`
				Matrix   struct {
					Shard []int `yaml:"shard"`
				}
			}
			Steps []struct {
				Uses string
				Run  string
				With map[string]any
				Env  map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if _, ok := wf.On["schedule"]; !ok {
		t.Errorf("no schedule")
	}
	scan, act := wf.Jobs["scan"], wf.Jobs["act"]
	if scan.Strategy.FailFast == nil || *scan.Strategy.FailFast {
		t.Errorf("the shard matrix does not say fail-fast: false")
	}
	if n := len(scan.Strategy.Matrix.Shard); n < 2 || wf.Env["SHARDS"] != n {
		t.Errorf("%d shards in the matrix, SHARDS=%v", n, wf.Env["SHARDS"])
	}
	uses := func(steps []struct {
		Uses string
		Run  string
		With map[string]any
		Env  map[string]string
	}, prefix string) int {
		n := 0
		for _, s := range steps {
			if strings.HasPrefix(s.Uses, prefix) {
				n++
			}
		}
		return n
	}
	if uses(scan.Steps, "actions/cache/restore@") != 1 || uses(scan.Steps, "actions/cache/save@") != 1 || uses(scan.Steps, "actions/upload-artifact@") != 1 {
		t.Errorf("a shard does not restore and save its cache and upload its report")
	}
	var scanRun, actRun string
	for _, s := range scan.Steps {
		if strings.Contains(s.Run, "leakstop org") {
			scanRun = s.Run
			if s.Env["LEAKSTOP_GITHUB_APP_ID"] == "" || s.Env["LEAKSTOP_GITHUB_APP_KEY"] == "" {
				t.Errorf("the scan step has no App credentials: %v", s.Env)
			}
		}
	}
	for _, s := range act.Steps {
		if strings.Contains(s.Run, "leakstop merge") {
			actRun = s.Run
		}
	}
	for _, want := range []string{"--shard", "--state", "--show-secrets"} {
		if !strings.Contains(scanRun, want) {
			t.Errorf("the scan step lacks %s:\n%s", want, scanRun)
		}
	}
	for _, want := range []string{"--revoke", "--issues-per-repo"} {
		if !strings.Contains(actRun, want) {
			t.Errorf("the merge step lacks %s:\n%s", want, actRun)
		}
	}
	if act.Needs != "scan" || act.If != "always()" || uses(act.Steps, "actions/download-artifact@") != 1 {
		t.Errorf("the act job does not run after every shard, with their reports")
	}

	lint := needActionlint(t)
	dir := actionlintProject(t, map[string]string{"leakstop-org.yml": string(data)})
	cmd := exec.Command(lint, "-no-color")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

// TestOrgKubernetes: every manifest decodes strictly into its Kubernetes type (an unknown
// or misspelt field is an error), and the scan is an Indexed Job whose pods take their shard
// from JOB_COMPLETION_INDEX, as non-root, with the shared volume; the merge runs leakstop
// merge over the night's reports.
func TestOrgKubernetes(t *testing.T) {
	var pvc corev1.PersistentVolumeClaim
	if err := k8syaml.UnmarshalStrict(readOrgDoc(t, "kubernetes/pvc.yaml"), &pvc); err != nil {
		t.Fatalf("pvc.yaml: %v", err)
	}
	var scan, merge batchv1.CronJob
	if err := k8syaml.UnmarshalStrict(readOrgDoc(t, "kubernetes/scan-cronjob.yaml"), &scan); err != nil {
		t.Fatalf("scan-cronjob.yaml: %v", err)
	}
	if err := k8syaml.UnmarshalStrict(readOrgDoc(t, "kubernetes/merge-cronjob.yaml"), &merge); err != nil {
		t.Fatalf("merge-cronjob.yaml: %v", err)
	}
	for _, cj := range []*batchv1.CronJob{&scan, &merge} {
		if cj.APIVersion != "batch/v1" || cj.Kind != "CronJob" || cj.Spec.Schedule == "" {
			t.Errorf("%s: %s %s, schedule %q", cj.Name, cj.APIVersion, cj.Kind, cj.Spec.Schedule)
		}
		pod := cj.Spec.JobTemplate.Spec.Template.Spec
		if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
			t.Errorf("%s runs as root", cj.Name)
		}
		claimed := false
		for _, v := range pod.Volumes {
			claimed = claimed || (v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == pvc.Name)
		}
		if !claimed {
			t.Errorf("%s does not mount the volume %s", cj.Name, pvc.Name)
		}
	}
	// The Job the CronJob starts, as a Job of its own (kubectl create job --from=cronjob/...).
	job := batchv1.Job{Spec: scan.Spec.JobTemplate.Spec}
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || s.Completions == nil || s.Parallelism == nil || *s.Completions != *s.Parallelism {
		t.Fatalf("the scan is not an Indexed Job of N pods at once: %+v", s)
	}
	c := s.Template.Spec.Containers[0]
	script := strings.Join(c.Args, "\n")
	for _, want := range []string{`--shard "$JOB_COMPLETION_INDEX/$SHARDS"`, "--state", "--cache", "--show-secrets"} {
		if !strings.Contains(script, want) {
			t.Errorf("the scan's command lacks %s:\n%s", want, script)
		}
	}
	shards := ""
	for _, e := range c.Env {
		if e.Name == "SHARDS" {
			shards = e.Value
		}
	}
	if shards != strconv.Itoa(int(*s.Completions)) {
		t.Errorf("SHARDS=%q, but the Job has %d completions", shards, *s.Completions)
	}
	mergeScript := strings.Join(merge.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args, "\n")
	if !strings.Contains(mergeScript, "leakstop merge") || !strings.Contains(mergeScript, "--revoke") {
		t.Errorf("the merge step does not merge and revoke:\n%s", mergeScript)
	}
}

// TestOrgDockerfile: the image holds leakstop and git and runs as a user that is not
// root.
func TestOrgDockerfile(t *testing.T) {
	df := string(readOrgDoc(t, "Dockerfile"))
	for _, want := range []string{"./cmd/leakstop", "install -y --no-install-recommends git", "USER 10001"} {
		if !strings.Contains(df, want) {
			t.Errorf("the Dockerfile lacks %q", want)
		}
	}
}
