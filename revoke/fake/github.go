package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// GitHub fakes the GitHub REST API parts leakstop uses (providers.md §3): GET /user, GET
// /installation/repositories, POST /credentials/revoke (unauthenticated only, 1–1000
// credentials, 202), DELETE /installation/token, and the issues of one repository: list by
// label with page/per_page and a Link header, create, edit, comment. Searching issues is an
// unexpected call: leakstop finds its issues by label.
type GitHub struct {
	*Server
	// Token is the operator's GITHUB_TOKEN, required on the issue routes.
	Token string
	// RevokeRequests counts POST /credentials/revoke calls.
	RevokeRequests int
	// Issues holds the repository's issues, by number - 1.
	Issues []*Issue
	// PerPage caps the page size of the issue list, to test pagination.
	PerPage int
	// EndlessNext makes every page of the issue list link a next page, past the end (empty
	// pages for ever); LoopNext makes its last page link back to the first.
	EndlessNext, LoopNext bool
}

// Issue is an issue of the fake repository.
type Issue struct {
	Number   int
	Title    string
	Body     string
	Labels   []string
	State    string
	Comments []string
	Owner    string
	Repo     string
}

// NewGitHub starts the fake.
func NewGitHub(t testing.TB, token string) *GitHub {
	f := &GitHub{Token: token, PerPage: 100}
	f.Server = newServer(t, bearerOf, f.handle)
	return f
}

// AddToken adds a live token.
func (f *GitHub) AddToken(value string) { f.keys.add(value, "token "+strconv.Itoa(len(f.keys.list))) }

func ghErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(status)})
}

var issueRoute = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues(?:/(\d+)(/comments)?)?$`)

func (f *GitHub) handle(w http.ResponseWriter, r *http.Request, body string) {
	tok := bearerOf(r)
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/user":
		if f.keys.verify(tok) == nil || strings.HasPrefix(tok, "ghs_") {
			if strings.HasPrefix(tok, "ghs_") && f.Live(tok) {
				ghErr(w, http.StatusForbidden, "Resource not accessible by integration")
				return
			}
			ghErr(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		w.Header().Set("X-OAuth-Scopes", "repo, user")
		writeJSON(w, http.StatusOK, map[string]any{"login": "octocat", "id": 1, "type": "User"})
	case r.Method == http.MethodGet && r.URL.Path == "/installation/repositories":
		if f.keys.verify(tok) == nil {
			ghErr(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"total_count": 1, "repositories": []any{}})
	case r.Method == http.MethodDelete && r.URL.Path == "/installation/token":
		x := f.keys.get(tok)
		if x == nil || !x.live {
			ghErr(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		f.revoke(x, r)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/credentials/revoke":
		f.mu.Lock()
		f.RevokeRequests++
		n := f.RevokeRequests
		f.mu.Unlock()
		if r.Header.Get("Authorization") != "" {
			f.t.Errorf("fake GitHub: POST /credentials/revoke must be unauthenticated on github.com")
			ghErr(w, http.StatusForbidden, "Any authenticated requests will return a 403")
			return
		}
		if n > 60 {
			w.Header().Set("X-Ratelimit-Remaining", "0")
			ghErr(w, http.StatusForbidden, "API rate limit exceeded")
			return
		}
		var req struct {
			Credentials []string `json:"credentials"`
		}
		if json.Unmarshal([]byte(body), &req) != nil || len(req.Credentials) < 1 || len(req.Credentials) > 1000 {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed", "errors": []any{}})
			return
		}
		for _, c := range req.Credentials {
			if x := f.keys.get(c); x != nil && x.live {
				f.revoke(x, r)
			}
		}
		writeJSON(w, http.StatusAccepted, map[string]any{})
	case r.Method == http.MethodGet && r.URL.Path == "/search/issues":
		f.unexpected(w, r, "leakstop must find its issues by label, not by search")
	case issueRoute.MatchString(r.URL.Path):
		if tok == "" || tok != f.Token {
			ghErr(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		m := issueRoute.FindStringSubmatch(r.URL.Path)
		f.issues(w, r, body, m[1], m[2], m[3], m[4] != "")
	default:
		f.unexpected(w, r, "no such route")
	}
}

func (f *GitHub) issueJSON(i *Issue) map[string]any {
	labels := []map[string]any{}
	for _, l := range i.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	return map[string]any{
		"number": i.Number, "title": i.Title, "body": i.Body, "state": i.State, "labels": labels,
		"html_url":   fmt.Sprintf("%s/%s/%s/issues/%d", f.URL, i.Owner, i.Repo, i.Number),
		"created_at": time.Unix(1700000000, 0).UTC().Format(time.RFC3339),
	}
}

func (f *GitHub) issues(w http.ResponseWriter, r *http.Request, body, owner, repo, num string, comments bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var req struct {
		Title  *string   `json:"title"`
		Body   *string   `json:"body"`
		Labels *[]string `json:"labels"`
		State  *string   `json:"state"`
	}
	if body != "" {
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			ghErr(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
	}
	if num == "" {
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			want := strings.Split(q.Get("labels"), ",")
			var match []*Issue
			for _, i := range f.Issues {
				if i.Owner != owner || i.Repo != repo || (q.Get("state") != "all" && i.State != "open") {
					continue
				}
				ok := true
				for _, l := range want {
					if l != "" && !contains(i.Labels, l) {
						ok = false
					}
				}
				if ok {
					match = append(match, i)
				}
			}
			per, _ := strconv.Atoi(q.Get("per_page"))
			if per <= 0 || per > f.PerPage {
				per = min(30, f.PerPage)
			}
			pg, _ := strconv.Atoi(q.Get("page"))
			if pg < 1 {
				pg = 1
			}
			start := min((pg-1)*per, len(match))
			end := min(start+per, len(match))
			next := 0
			switch {
			case end < len(match) || f.EndlessNext:
				next = pg + 1
			case f.LoopNext:
				next = 1
			}
			if next > 0 {
				u := *r.URL
				qq := u.Query()
				qq.Set("page", strconv.Itoa(next))
				u.RawQuery = qq.Encode()
				w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, f.URL, u.RequestURI()))
			}
			out := []map[string]any{}
			for _, i := range match[start:end] {
				out = append(out, f.issueJSON(i))
			}
			writeJSON(w, http.StatusOK, out)
		case http.MethodPost:
			if req.Title == nil || *req.Title == "" {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed"})
				return
			}
			i := &Issue{Number: len(f.Issues) + 1, Title: *req.Title, State: "open", Owner: owner, Repo: repo}
			if req.Body != nil {
				i.Body = *req.Body
			}
			if req.Labels != nil {
				i.Labels = *req.Labels
			}
			f.Issues = append(f.Issues, i)
			writeJSON(w, http.StatusCreated, f.issueJSON(i))
		default:
			f.unexpected(w, r, "no such route")
		}
		return
	}
	n, _ := strconv.Atoi(num)
	if n < 1 || n > len(f.Issues) || f.Issues[n-1].Owner != owner || f.Issues[n-1].Repo != repo {
		ghErr(w, http.StatusNotFound, "Not Found")
		return
	}
	i := f.Issues[n-1]
	switch {
	case comments && r.Method == http.MethodPost:
		var c struct {
			Body string `json:"body"`
		}
		_ = json.Unmarshal([]byte(body), &c)
		i.Comments = append(i.Comments, c.Body)
		writeJSON(w, http.StatusCreated, map[string]any{"id": len(i.Comments), "body": c.Body})
	case !comments && r.Method == http.MethodPatch:
		if req.Title != nil {
			i.Title = *req.Title
		}
		if req.Body != nil {
			i.Body = *req.Body
		}
		if req.Labels != nil {
			i.Labels = *req.Labels
		}
		if req.State != nil {
			i.State = *req.State
		}
		writeJSON(w, http.StatusOK, f.issueJSON(i))
	case !comments && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, f.issueJSON(i))
	default:
		f.unexpected(w, r, "no such route")
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
