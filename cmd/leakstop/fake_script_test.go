package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/leakstop/leakstop/revoke/fake"
	"github.com/leakstop/leakstop/rules"
)

// scriptFakes are the provider fakes of one script, started by `fake start`.
type scriptFakes struct {
	tb        *scriptTB
	openai    *fake.OpenAI
	anthropic *fake.Anthropic
	github    *fake.GitHub
	gitlab    *fake.GitLab
	slack     *fake.Slack
	npm       *fake.NPM
	aws       *fake.AWS
	hf        *fake.Bearer
}

var (
	fakesMu sync.Mutex
	fakes   = map[*testscript.TestScript]*scriptFakes{}
)

// scriptTB lets the fakes report to a script: what they find unexpected is collected and
// fails the script at `fake check` and when it ends. Only the methods the fakes call are
// implemented; the embedded interface is nil.
type scriptTB struct {
	testing.TB
	ts   *testscript.TestScript
	mu   sync.Mutex
	errs []string
}

func (t *scriptTB) Helper() {}
func (t *scriptTB) Errorf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errs = append(t.errs, fmt.Sprintf(format, args...))
}
func (t *scriptTB) Cleanup(f func()) { t.ts.Defer(f) }

func (t *scriptTB) check() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.errs) > 0 {
		t.ts.Fatalf("the fakes saw unexpected calls:\n%s", strings.Join(t.errs, "\n"))
	}
}

// cmdFake drives the provider fakes from a script:
//
//	fake start                          start the fakes; set LEAKSTOP_*_URL, GITHUB_API_URL,
//	                                    GITHUB_TOKEN, OPENAI_ADMIN_KEY, ANTHROPIC_ADMIN_KEY
//	fake key PROVIDER VALUE [PROJECT [SERVICE_ACCOUNT]]
//	                                    a live key (OpenAI: in PROJECT, of SERVICE_ACCOUNT;
//	                                    AWS: VALUE is the key id, PROJECT its secret)
//	fake inject PROVIDER METHOD PATH STATUS [TIMES [SKIP]]
//	                                    answer STATUS (Retry-After: 1 on 429) instead, to the
//	                                    requests after the first SKIP
//	fake hang PROVIDER METHOD PATH [TIMES [SKIP]]
//	                                    hold such requests until the client goes away
//	fake heal PROVIDER                  drop what inject and hang set
//	fake await PROVIDER METHOD PATH N   wait (a minute at most) for N such requests
//	[!] fake live PROVIDER VALUE        the key still authenticates
//	fake calls PROVIDER METHOD PATH N   N requests had METHOD and a path starting with PATH
//	fake issues N                       the GitHub fake holds N issues
//	fake check                          no unexpected call so far
func cmdFake(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: fake start|key|inject|live|calls|issues|check ...")
	}
	fakesMu.Lock()
	f := fakes[ts]
	fakesMu.Unlock()
	if args[0] != "start" && f == nil {
		ts.Fatalf("fake %s before fake start", args[0])
	}
	if neg && args[0] != "live" {
		ts.Fatalf("fake %s does not take !", args[0])
	}
	switch args[0] {
	case "start":
		tb := &scriptTB{ts: ts}
		g := rules.NewGenerator(99)
		f = &scriptFakes{
			tb:        tb,
			openai:    fake.NewOpenAI(tb, g.OpenAIKey("sk-admin-", 58)),
			anthropic: fake.NewAnthropic(tb, "sk-ant-admin01-"+g.Chars("abcdefghijklmnopqrstuvwxyz", 93)+"AA"),
			github:    fake.NewGitHub(tb, "operator-"+g.Chars("abcdef0123456789", 32)),
			gitlab:    fake.NewGitLab(tb),
			slack:     fake.NewSlack(tb),
			npm:       fake.NewNPM(tb),
			aws:       fake.NewAWS(tb),
			hf:        fake.NewBearer(tb, "/api/whoami-v2", `{"name":"alice","type":"user"}`),
		}
		for _, kv := range [][2]string{
			{"LEAKSTOP_OPENAI_URL", f.openai.URL}, {"OPENAI_ADMIN_KEY", f.openai.Admin},
			{"LEAKSTOP_ANTHROPIC_URL", f.anthropic.URL}, {"ANTHROPIC_ADMIN_KEY", f.anthropic.Admin},
			{"GITHUB_API_URL", f.github.URL}, {"GITHUB_TOKEN", f.github.Token},
			{"LEAKSTOP_GITLAB_URL", f.gitlab.URL}, {"LEAKSTOP_SLACK_URL", f.slack.URL},
			{"LEAKSTOP_NPM_URL", f.npm.URL}, {"LEAKSTOP_AWS_URL", f.aws.URL},
			{"LEAKSTOP_HUGGINGFACE_URL", f.hf.URL},
			{"LEAKSTOP_BACKOFF", "1ms"}, {"LEAKSTOP_MAX_WAIT", "2s"},
		} {
			ts.Setenv(kv[0], kv[1])
		}
		fakesMu.Lock()
		fakes[ts] = f
		fakesMu.Unlock()
		ts.Defer(func() {
			fakesMu.Lock()
			delete(fakes, ts)
			fakesMu.Unlock()
		})
	case "key":
		if len(args) < 3 {
			ts.Fatalf("usage: fake key PROVIDER VALUE [PROJECT [SERVICE_ACCOUNT]]")
		}
		v := args[2]
		switch args[1] {
		case "openai":
			project, sa := "proj_default", ""
			if len(args) > 3 {
				project = args[3]
			}
			if len(args) > 4 {
				sa = args[4]
			}
			if strings.HasPrefix(v, "sk-admin-") {
				f.openai.AddAdminKey(v)
			} else {
				f.openai.AddKey(project, sa, v)
			}
		case "anthropic":
			f.anthropic.AddKey(v)
		case "github":
			f.github.AddToken(v)
		case "gitlab":
			f.gitlab.AddToken(v)
		case "slack":
			f.slack.AddToken(v)
		case "npm":
			f.npm.AddToken(v)
		case "aws":
			if len(args) != 4 {
				ts.Fatalf("usage: fake key aws KEY_ID SECRET")
			}
			f.aws.AddKey(v, args[3], "deploy")
		case "huggingface":
			f.hf.AddToken(v)
		default:
			ts.Fatalf("no fake for %s", args[1])
		}
	case "inject":
		if len(args) < 5 {
			ts.Fatalf("usage: fake inject PROVIDER METHOD PATH STATUS [TIMES [SKIP]]")
		}
		status, err := strconv.Atoi(args[4])
		ts.Check(err)
		times, skip := timesSkip(ts, args[5:])
		rep := fake.Reply{Status: status, Body: `{"error":{"message":"injected by the test","type":"server_error"}}`}
		if status == http.StatusTooManyRequests {
			rep.Header = map[string]string{"Retry-After": "1"}
		}
		f.server(ts, args[1]).InjectAfter(args[2]+" "+args[3], skip, times, rep)
	case "hang":
		if len(args) < 4 {
			ts.Fatalf("usage: fake hang PROVIDER METHOD PATH [TIMES [SKIP]]")
		}
		times, skip := timesSkip(ts, args[4:])
		f.server(ts, args[1]).InjectAfter(args[2]+" "+args[3], skip, times, fake.Reply{Hang: true})
	case "heal":
		if len(args) != 2 {
			ts.Fatalf("usage: fake heal PROVIDER")
		}
		f.server(ts, args[1]).Heal()
	case "await":
		if len(args) != 5 {
			ts.Fatalf("usage: fake await PROVIDER METHOD PATH N")
		}
		n, err := strconv.Atoi(args[4])
		ts.Check(err)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ts.Check(f.server(ts, args[1]).Await(ctx, args[2], args[3], n))
	case "live":
		if len(args) != 3 {
			ts.Fatalf("usage: fake live PROVIDER VALUE")
		}
		var live bool
		switch args[1] {
		case "openai":
			live = f.openai.Live(args[2])
		case "anthropic":
			live = f.anthropic.Live(args[2])
		case "github":
			live = f.github.Live(args[2])
		case "gitlab":
			live = f.gitlab.Live(args[2])
		case "slack":
			live = f.slack.Live(args[2])
		case "npm":
			live = f.npm.Live(args[2])
		case "aws":
			live = f.aws.Live(args[2])
		default:
			ts.Fatalf("no fake for %s", args[1])
		}
		if live == neg {
			ts.Fatalf("%s key live: %v", args[1], live)
		}
	case "calls":
		if len(args) != 5 {
			ts.Fatalf("usage: fake calls PROVIDER METHOD PATH N")
		}
		want, err := strconv.Atoi(args[4])
		ts.Check(err)
		if got := f.server(ts, args[1]).Count(args[2], args[3]); got != want {
			ts.Fatalf("%s saw %d %s %s, want %d", args[1], got, args[2], args[3], want)
		}
	case "issues":
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		if got := len(f.github.Issues); got != want {
			ts.Fatalf("%d issues, want %d", got, want)
		}
	case "check":
		f.tb.check()
	default:
		ts.Fatalf("unknown fake command %s", args[0])
	}
}

func (f *scriptFakes) server(ts *testscript.TestScript, provider string) *fake.Server {
	switch provider {
	case "openai":
		return f.openai.Server
	case "anthropic":
		return f.anthropic.Server
	case "github":
		return f.github.Server
	case "gitlab":
		return f.gitlab.Server
	case "slack":
		return f.slack.Server
	case "npm":
		return f.npm.Server
	case "aws":
		return f.aws.Server
	case "huggingface":
		return f.hf.Server
	}
	ts.Fatalf("no fake for %s", provider)
	return nil
}

// timesSkip reads the optional TIMES (default: every request) and SKIP (default 0) of an
// inject or hang.
func timesSkip(ts *testscript.TestScript, args []string) (times, skip int) {
	times = -1
	var err error
	if len(args) > 0 {
		times, err = strconv.Atoi(args[0])
		ts.Check(err)
	}
	if len(args) > 1 {
		skip, err = strconv.Atoi(args[1])
		ts.Check(err)
	}
	return times, skip
}
