// Package ci decides what a CI run scans: it reads the event the CI system hands the job
// (GitHub Actions' event payload, GitLab CI's variables, or a base and head given by hand),
// turns it into a plan — the commits a push, pull request or merge queue adds, nothing new,
// or the whole history — and makes a shallow checkout hold what the plan needs, fetching
// from origin by commit id and deepening until the range is complete. The scanning itself
// is the git source's (scanner/git, with its Range); this package only reads the event and
// runs git.
package ci

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// System names the CI system an event came from.
type System string

// Systems.
const (
	GitHubActions System = "github-actions"
	GitLabCI      System = "gitlab-ci"
	// Manual is a base and head given by hand, anywhere.
	Manual System = "manual"
)

// Want says what an event asks to scan, before anything is fetched.
type Want int

// What events ask for.
const (
	// WantRange is the commits reachable from Head and not from Base.
	WantRange Want = iota
	// WantBranch is a new branch (or a first push): the commits of Head not reachable from
	// the default branch, or Head's whole history when Head is on the default branch.
	WantBranch
	// WantNothing is an event that adds no commit: a tag push, a deleted branch, a push
	// whose before and after are the same.
	WantNothing
	// WantHistory is the whole history: every branch and tag (a scheduled or manual run).
	WantHistory
)

func (w Want) String() string {
	switch w {
	case WantRange:
		return "range"
	case WantBranch:
		return "new branch"
	case WantNothing:
		return "nothing new"
	case WantHistory:
		return "whole history"
	}
	return "want(" + strconv.Itoa(int(w)) + ")"
}

// Event is what the CI system says happened, in the words this package needs.
type Event struct {
	System System
	// Name is the event: GitHub's event name (push, pull_request, …), GitLab's pipeline
	// source (push, merge_request_event, schedule, …), or "manual".
	Name string
	// Want is what the event asks to scan.
	Want Want
	// Base and Head are the commits of the range, as the CI gave them: full ids, or any
	// revision for a manual run. Base is empty for WantBranch and WantHistory.
	Base, Head string
	// Ref is the ref the event is about ("refs/heads/main", "refs/pull/7/merge").
	Ref string
	// Branch is the branch the commits were pushed to, for WantBranch ("feature").
	Branch string
	// DefaultBranch is the repository's default branch ("main"), when the CI says it.
	DefaultBranch string
	// Commits is how many commits the CI says the range holds (a pull request's commit
	// count, a push's commit list), 0 when unknown: the first depth to fetch.
	Commits int
	// Forced marks a force push.
	Forced bool
	// Fork marks a pull or merge request from another repository: it runs without the
	// repository's secrets and with a read-only token, so nothing may act on its findings.
	Fork bool
	// Repository is "owner/name" (GitHub) or the project path (GitLab).
	Repository string
	// ServerURL is the web address of the forge ("https://github.com").
	ServerURL string
	// Number is the pull or merge request's number, 0 for other events.
	Number int
	// Note says, for people, why the event asks for what it asks ("tag push").
	Note string
}

// ZeroSHA reports whether s is the all-zeros object id that CI systems send for "no commit".
func ZeroSHA(s string) bool {
	return len(s) >= 40 && strings.Trim(s, "0") == ""
}

// ErrNoCI is returned by Detect outside every CI system it knows, when no base and head are
// given either.
var ErrNoCI = &noCIError{}

type noCIError struct{}

func (*noCIError) Error() string {
	return "no CI event: this is neither GitHub Actions (GITHUB_ACTIONS) nor GitLab CI (GITLAB_CI)"
}

// Hint says what to do instead.
func (*noCIError) Hint() string {
	return "elsewhere, name the commits to scan: a base (what is already scanned) and a head"
}

// EventError is an event payload or variable set that cannot be read.
type EventError struct {
	System System
	What   string
	Err    error
}

func (e *EventError) Error() string {
	return fmt.Sprintf("reading the %s event: %s: %v", e.System, e.What, e.Err)
}

func (e *EventError) Unwrap() error { return e.Err }

// Hint says what to check.
func (e *EventError) Hint() string {
	if e.System == GitHubActions {
		return "GITHUB_EVENT_PATH must name the event payload the runner wrote; outside a runner, unset GITHUB_ACTIONS"
	}
	return "run inside a GitLab CI job, or unset GITLAB_CI"
}

// Detect reads the event of the CI system the process runs in, from its environment. base
// and head, when given, override the event's range (and are all that is read outside CI).
func Detect(getenv func(string) string, base, head string) (*Event, error) {
	var ev *Event
	var err error
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		ev, err = githubFromEnv(getenv)
	case getenv("GITLAB_CI") == "true":
		ev, err = GitLab(getenv)
	case base == "" && head == "":
		return nil, ErrNoCI
	default:
		ev = &Event{System: Manual, Name: "manual"}
	}
	if err != nil {
		return nil, err
	}
	if base != "" || head != "" {
		ev.override(base, head)
	}
	return ev, nil
}

// override replaces the event's range with a base and head given by hand.
func (ev *Event) override(base, head string) {
	if head == "" {
		head = "HEAD"
	}
	ev.Head = head
	ev.Base = base
	ev.Want = WantRange
	ev.Note = "base and head given"
	if base == "" || ZeroSHA(base) {
		// No lower bound: the whole history of head.
		ev.Base = ""
	}
	ev.Commits = 0
}

func githubFromEnv(getenv func(string) string) (*Event, error) {
	name := getenv("GITHUB_EVENT_NAME")
	if name == "" {
		return nil, &EventError{System: GitHubActions, What: "GITHUB_EVENT_NAME", Err: errors.New("not set")}
	}
	var payload []byte
	if p := getenv("GITHUB_EVENT_PATH"); p != "" {
		var err error
		if payload, err = os.ReadFile(p); err != nil {
			return nil, &EventError{System: GitHubActions, What: "the event payload", Err: err}
		}
	}
	ev, err := GitHub(name, payload)
	if err != nil {
		return nil, err
	}
	if ev.Repository == "" {
		ev.Repository = getenv("GITHUB_REPOSITORY")
	}
	if s := getenv("GITHUB_SERVER_URL"); s != "" {
		ev.ServerURL = s
	}
	if ev.Ref == "" {
		ev.Ref = getenv("GITHUB_REF")
	}
	if ev.Want == WantHistory && ev.Head == "" {
		ev.Head = getenv("GITHUB_SHA")
	}
	return ev, nil
}

// githubPayload is the part of GitHub's webhook payloads that leakstop reads: push,
// pull_request (and pull_request_target, which carries the same object), merge_group.
type githubPayload struct {
	Ref     string            `json:"ref"`
	Before  string            `json:"before"`
	After   string            `json:"after"`
	Created bool              `json:"created"`
	Deleted bool              `json:"deleted"`
	Forced  bool              `json:"forced"`
	Commits []json.RawMessage `json:"commits"`

	PullRequest *struct {
		Number  int    `json:"number"`
		Commits int    `json:"commits"`
		Head    ghSide `json:"head"`
		Base    ghSide `json:"base"`
	} `json:"pull_request"`

	MergeGroup *struct {
		HeadSHA string `json:"head_sha"`
		HeadRef string `json:"head_ref"`
		BaseSHA string `json:"base_sha"`
		BaseRef string `json:"base_ref"`
	} `json:"merge_group"`

	Repository *ghRepo `json:"repository"`
}

type ghSide struct {
	SHA  string  `json:"sha"`
	Ref  string  `json:"ref"`
	Repo *ghRepo `json:"repo"`
}

type ghRepo struct {
	FullName      string `json:"full_name"`
	DefaultBranch string `json:"default_branch"`
	HTMLURL       string `json:"html_url"`
}

// GitHub reads a GitHub Actions event: its name and the payload the runner wrote to
// GITHUB_EVENT_PATH.
func GitHub(name string, payload []byte) (*Event, error) {
	ev := &Event{System: GitHubActions, Name: name}
	var p githubPayload
	if len(payload) > 0 {
		if err := json.Unmarshal(payload, &p); err != nil {
			return nil, &EventError{System: GitHubActions, What: "the " + name + " payload", Err: err}
		}
	}
	if p.Repository != nil {
		ev.Repository = p.Repository.FullName
		ev.DefaultBranch = p.Repository.DefaultBranch
		ev.ServerURL = serverOf(p.Repository.HTMLURL, p.Repository.FullName)
	}
	bad := func(what string) error {
		return &EventError{System: GitHubActions, What: "the " + name + " payload", Err: errors.New(what)}
	}
	switch name {
	case "push":
		ev.Ref = p.Ref
		ev.Commits = len(p.Commits)
		ev.Forced = p.Forced
		switch {
		case strings.HasPrefix(p.Ref, "refs/tags/"):
			ev.Want, ev.Note = WantNothing, "tag push: a tag adds no commit"
		case p.Deleted || ZeroSHA(p.After):
			ev.Want, ev.Note = WantNothing, "the branch was deleted"
		case !isSHA(p.After):
			return nil, bad("no after commit")
		case p.Before == p.After:
			ev.Want, ev.Note, ev.Head = WantNothing, "before and after are the same commit", p.After
		case p.Created || ZeroSHA(p.Before) || p.Before == "":
			ev.Want, ev.Head, ev.Note = WantBranch, p.After, "new branch"
			ev.Branch = strings.TrimPrefix(p.Ref, "refs/heads/")
		default:
			if !isSHA(p.Before) {
				return nil, bad("the before commit is not a commit id")
			}
			ev.Want, ev.Base, ev.Head = WantRange, p.Before, p.After
			ev.Branch = strings.TrimPrefix(p.Ref, "refs/heads/")
			if p.Forced {
				ev.Note = "force push"
			}
		}
	case "pull_request", "pull_request_target":
		pr := p.PullRequest
		if pr == nil || !isSHA(pr.Head.SHA) || !isSHA(pr.Base.SHA) || ZeroSHA(pr.Head.SHA) || ZeroSHA(pr.Base.SHA) {
			return nil, bad("no pull_request with head and base commits")
		}
		ev.Want, ev.Base, ev.Head = WantRange, pr.Base.SHA, pr.Head.SHA
		ev.Number, ev.Commits = pr.Number, pr.Commits
		ev.Ref = "refs/pull/" + strconv.Itoa(pr.Number) + "/head"
		ev.Branch = pr.Head.Ref
		// A fork's pull request: its head lives in another repository (or in one since
		// deleted). GitHub gives it neither the repository's secrets nor a write token.
		ev.Fork = pr.Head.Repo == nil || pr.Base.Repo == nil || !strings.EqualFold(pr.Head.Repo.FullName, pr.Base.Repo.FullName)
		if pr.Base.Repo != nil && ev.Repository == "" {
			ev.Repository = pr.Base.Repo.FullName
		}
		ev.Note = "pull request #" + strconv.Itoa(pr.Number)
	case "merge_group":
		mg := p.MergeGroup
		if mg == nil || !isSHA(mg.HeadSHA) || !isSHA(mg.BaseSHA) || ZeroSHA(mg.HeadSHA) || ZeroSHA(mg.BaseSHA) {
			return nil, bad("no merge_group with head_sha and base_sha")
		}
		ev.Want, ev.Base, ev.Head, ev.Ref = WantRange, mg.BaseSHA, mg.HeadSHA, mg.HeadRef
		ev.Note = "merge queue"
	case "schedule", "workflow_dispatch":
		ev.Want, ev.Note = WantHistory, name+": the whole history"
	default:
		// Events that carry no range (release, workflow_run, repository_dispatch, …): the
		// whole history is what a scan without a range means.
		ev.Want, ev.Note = WantHistory, name+" carries no range: the whole history"
	}
	if ev.Base == ev.Head && ev.Want == WantRange {
		ev.Want, ev.Note, ev.Base = WantNothing, "base and head are the same commit", ""
	}
	return ev, nil
}

// serverOf returns the scheme and host of a repository's web address.
func serverOf(htmlURL, fullName string) string {
	if fullName != "" {
		if s, ok := strings.CutSuffix(htmlURL, "/"+fullName); ok {
			return s
		}
	}
	return ""
}

// GitLab reads a GitLab CI job's predefined variables.
func GitLab(getenv func(string) string) (*Event, error) {
	ev := &Event{
		System: GitLabCI, Name: getenv("CI_PIPELINE_SOURCE"),
		Repository: getenv("CI_PROJECT_PATH"), ServerURL: getenv("CI_SERVER_URL"),
		DefaultBranch: getenv("CI_DEFAULT_BRANCH"),
	}
	sha := getenv("CI_COMMIT_SHA")
	bad := func(what string) error {
		return &EventError{System: GitLabCI, What: what, Err: errors.New("not a commit id")}
	}
	if !isSHA(sha) || ZeroSHA(sha) {
		return nil, bad("CI_COMMIT_SHA")
	}
	ev.Head = sha
	switch {
	case ev.Name == "schedule":
		ev.Want, ev.Note = WantHistory, "scheduled pipeline: the whole history"
	case getenv("CI_COMMIT_TAG") != "":
		ev.Want, ev.Note, ev.Ref = WantNothing, "tag pipeline: a tag adds no commit", "refs/tags/"+getenv("CI_COMMIT_TAG")
	case ev.Name == "merge_request_event":
		base := getenv("CI_MERGE_REQUEST_DIFF_BASE_SHA")
		if !isSHA(base) {
			return nil, bad("CI_MERGE_REQUEST_DIFF_BASE_SHA")
		}
		ev.Want, ev.Base = WantRange, base
		switch {
		case base == sha:
			ev.Want, ev.Base = WantNothing, ""
		case ZeroSHA(base):
			// No merge base to compare with: what the target branch does not hold.
			ev.Want, ev.Base = WantBranch, ""
			if target := getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"); target != "" {
				ev.DefaultBranch = target
			}
		}
		ev.Number, _ = strconv.Atoi(getenv("CI_MERGE_REQUEST_IID"))
		ev.Branch = getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
		src, dst := getenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID"), getenv("CI_MERGE_REQUEST_PROJECT_ID")
		ev.Fork = src != "" && dst != "" && src != dst
		ev.Note = "merge request !" + strconv.Itoa(ev.Number)
	default:
		// A branch pipeline (push, web, api, trigger, …).
		ev.Branch = getenv("CI_COMMIT_BRANCH")
		if ev.Branch == "" {
			ev.Branch = getenv("CI_COMMIT_REF_NAME")
		}
		ev.Ref = "refs/heads/" + ev.Branch
		before := getenv("CI_COMMIT_BEFORE_SHA")
		switch {
		case before == "" || ZeroSHA(before):
			ev.Want, ev.Note = WantBranch, "new branch, or a pipeline with no before commit"
		case before == sha:
			ev.Want, ev.Note = WantNothing, "before and after are the same commit"
		case !isSHA(before):
			return nil, bad("CI_COMMIT_BEFORE_SHA")
		default:
			ev.Want, ev.Base = WantRange, before
		}
	}
	if ev.Name == "" {
		ev.Name = "push"
	}
	return ev, nil
}

// isSHA reports whether s is a full object id (SHA-1 or SHA-256), lower-case hex.
func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Describe says in a few words what the event is, for the log and the job summary.
func (ev *Event) Describe() string {
	var b strings.Builder
	switch ev.System {
	case GitHubActions:
		b.WriteString("GitHub Actions ")
	case GitLabCI:
		b.WriteString("GitLab CI ")
	}
	b.WriteString(ev.Name)
	if ev.Note != "" && !strings.HasPrefix(ev.Note, ev.Name) {
		b.WriteString(" (" + ev.Note + ")")
	}
	return b.String()
}
