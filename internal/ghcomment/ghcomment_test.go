package ghcomment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/deployorder/deployorder/internal/ghcomment/ghfake"
	"github.com/deployorder/deployorder/planner"
	"github.com/deployorder/deployorder/render"
	"github.com/google/go-cmp/cmp"
)

const token = "ghs_s3cr3tT0ken"

var pr = PR{Owner: "o", Repo: "r", Number: 7}

// splitPlan is a plan that must be split: metadata renames a key that
// billing reads.
func splitPlan(services int) *planner.Plan {
	p := &planner.Plan{
		Range:   planner.Range{Spec: "main...HEAD", Base: strings.Repeat("a", 40), Head: strings.Repeat("b", 40), Commits: []planner.Commit{{SHA: strings.Repeat("c", 40)}}},
		Verdict: planner.SplitRequired,
		Summary: "Needs a split: deploy in 3 steps; this range cannot ship as one deploy",
		Steps: []planner.Step{
			{Index: 1, Phase: planner.PhaseExpand, Services: []string{"metadata"}, Reason: "metadata writes metadata_v2 before billing reads it (PROVIDE_BEFORE_CONSUME)"},
			{Index: 2, Phase: planner.PhaseSwitch, Services: []string{"billing"}, Reason: "metadata writes metadata_v2 before billing reads it (PROVIDE_BEFORE_CONSUME)"},
			{Index: 3, Phase: planner.PhaseContract, Services: []string{"metadata"}, Reason: "billing stops reading metadata before metadata stops writing it (STOP_CONSUME_BEFORE_STOP_PROVIDE)"},
		},
	}
	for i := range services {
		name := fmt.Sprintf("svc%04d", i)
		chain := []string{"lib/x.go"}
		for k := range 30 {
			chain = append(chain, fmt.Sprintf("example.com/mono/internal/layer%02d/ünïcode%04d", k, i))
		}
		p.Services = append(p.Services, planner.Service{Name: name, Affected: true, Status: "changed", Reasons: []planner.Reason{{Kind: "package", Path: "lib/x.go", Chain: chain}}})
		p.Steps[1].Services = append(p.Steps[1].Services, name)
	}
	return p
}

func safePlan() *planner.Plan {
	return &planner.Plan{
		Range:   planner.Range{Spec: "main...HEAD", Base: strings.Repeat("a", 40), Head: strings.Repeat("d", 40)},
		Verdict: planner.Safe,
		Summary: "Safe: deploy 2 services in any order",
		Steps:   []planner.Step{{Index: 1, Phase: planner.PhaseDeploy, Services: []string{"billing", "metadata"}, Reason: "no ordering constraint: deploy in any order"}},
	}
}

func markdown(t *testing.T, p *planner.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := (render.Markdown{}).Render(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// newClient returns a client of f whose sleeps are recorded, not slept.
func newClient(t *testing.T, f *ghfake.Server, tok string) (*Client, *[]time.Duration) {
	t.Helper()
	var slept []time.Duration
	c, err := New(Options{BaseURL: f.URL, Token: tok, MaxWait: 10 * time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return c, &slept
}

func TestSyncLifecycle(t *testing.T) {
	f := ghfake.New(t, token)
	f.Add(pr.Number, "LGTM", "please split this", "> "+Marker+" quoted", "fourth", "fifth")
	f.Add(99, markdown(t, splitPlan(0))) // another pull request's comment
	c, _ := newClient(t, f, token)
	ctx := context.Background()
	split := markdown(t, splitPlan(0))

	// First run: no comment yet; all three pages are read, then one is created.
	res, err := c.Sync(ctx, pr, split, planner.SplitRequired, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Created || res.ID == 0 || !strings.HasSuffix(res.URL, fmt.Sprintf("#issuecomment-%d", res.ID)) {
		t.Errorf("first run: %+v, want a created comment", res)
	}
	wantReqs := []string{
		"GET /repos/o/r/issues/7/comments?per_page=100",
		"GET /repos/o/r/issues/7/comments?page=2&per_page=100",
		"GET /repos/o/r/issues/7/comments?page=3&per_page=100",
		"POST /repos/o/r/issues/7/comments",
	}
	if diff := cmp.Diff(wantReqs, f.TakeRequests()); diff != "" {
		t.Errorf("first run requests (-want +got):\n%s", diff)
	}
	first := res.ID

	// Second run, a changed plan: the same comment is updated.
	p := splitPlan(0)
	p.Steps[1].Services = append(p.Steps[1].Services, "frontend")
	res, err = c.Sync(ctx, pr, markdown(t, p), planner.SplitRequired, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Updated || res.ID != first {
		t.Errorf("second run: %+v, want comment %d updated", res, first)
	}
	if reqs := f.TakeRequests(); reqs[len(reqs)-1] != fmt.Sprintf("PATCH /repos/o/r/issues/comments/%d", first) {
		t.Errorf("second run ended with %q, want a PATCH of comment %d", reqs[len(reqs)-1], first)
	}

	// Third run, the same plan: nothing is written.
	res, err = c.Sync(ctx, pr, markdown(t, p), planner.SplitRequired, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Unchanged || res.ID != first {
		t.Errorf("third run: %+v, want comment %d unchanged", res, first)
	}
	for _, r := range f.TakeRequests() {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("third run sent %s, want only reads", r)
		}
	}

	// A later push makes the plan clean: the comment says so.
	clean := markdown(t, safePlan())
	res, err = c.Sync(ctx, pr, clean, planner.Safe, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != Updated || res.ID != first {
		t.Errorf("clean run: %+v, want comment %d updated", res, first)
	}
	ours := f.Ours(pr.Number)
	if len(ours) != 1 {
		t.Fatalf("the pull request has %d deployorder comments, want 1", len(ours))
	}
	if !strings.HasPrefix(ours[0].Body, Marker+"\n**Safe: deploy 2 services in any order**") {
		t.Errorf("the comment does not say the plan is clean:\n%.200s", ours[0].Body)
	}
	if len(f.Ours(99)) != 1 {
		t.Error("the other pull request's comment was touched")
	}
}

func TestSyncCleanPlanPostsNothing(t *testing.T) {
	f := ghfake.New(t, token)
	f.Add(pr.Number, "LGTM")
	c, _ := newClient(t, f, token)
	for _, v := range []planner.Verdict{planner.Noop, planner.Safe} {
		res, err := c.Sync(context.Background(), pr, markdown(t, safePlan()), v, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != Skipped {
			t.Errorf("%s plan: %+v, want skipped", v, res)
		}
	}
	for _, r := range f.TakeRequests() {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("a clean plan sent %s", r)
		}
	}
	// --always posts it anyway.
	res, err := c.Sync(context.Background(), pr, markdown(t, safePlan()), planner.Safe, true)
	if err != nil || res.Outcome != Created {
		t.Errorf("always: %+v, %v; want created", res, err)
	}
}

func TestSyncRecreatesDeletedComment(t *testing.T) {
	f := ghfake.New(t, token)
	f.Add(pr.Number, Marker+"\nold plan")
	c, _ := newClient(t, f, token)
	f.FailNext("PATCH", ghfake.Failure{Status: 404, Message: "Not Found"})
	res, err := c.Sync(context.Background(), pr, markdown(t, splitPlan(0)), planner.SplitRequired, false)
	if err != nil || res.Outcome != Created {
		t.Errorf("Sync = %+v, %v; want a new comment when the old one is gone", res, err)
	}
}

func TestSyncTrimsBigPlans(t *testing.T) {
	f := ghfake.New(t, token)
	c, _ := newClient(t, f, token)
	p := splitPlan(300)
	if _, err := c.Sync(context.Background(), pr, markdown(t, p), p.Verdict, false); err != nil {
		t.Fatal(err)
	}
	ours := f.Ours(pr.Number)
	if len(ours) != 1 {
		t.Fatalf("%d comments, want 1", len(ours))
	}
	body := ours[0].Body
	if n := utf8.RuneCountInString(body); n > 60000 {
		t.Errorf("the comment has %d characters, want at most 60,000", n)
	}
	if !strings.HasPrefix(body, Marker+"\n**"+p.Summary+"**\n") {
		t.Errorf("the summary is not intact:\n%.300s", body)
	}
	if !regexp.MustCompile(`_Left out to fit in one comment: [^\n]*why each service is affected`).MatchString(body) {
		t.Errorf("the comment does not say what it left out")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		fails   []ghfake.Failure
		kind    Kind
		write   bool
		slept   []time.Duration
		want    []string // in the message
		succeed bool
	}{
		{name: "bad token", method: "GET", fails: []ghfake.Failure{{Status: 401, Message: "Bad credentials"}}, kind: Unauthorized,
			want: []string{"GitHub rejected the token trying to list the comments of o/r#7 (401 Bad credentials)", "GITHUB_TOKEN"}},
		{name: "no such pull request", method: "GET", fails: []ghfake.Failure{{Status: 404, Message: "Not Found"}}, kind: NotFound,
			want: []string{"(404 Not Found)", "check GITHUB_REPOSITORY and the pull-request number"}},
		{name: "read forbidden", method: "GET", fails: []ghfake.Failure{{Status: 403, Message: "Resource not accessible by integration"}}, kind: Forbidden,
			want: []string{"the token may not list the comments of o/r#7 (403 Resource not accessible by integration)"}},
		{name: "fork cannot write", method: "POST", fails: []ghfake.Failure{{Status: 403, Message: "Resource not accessible by integration"}}, kind: Forbidden, write: true,
			want: []string{"the token may not comment on o/r#7 (403 Resource not accessible by integration)", "pull-requests: write"}},
		{name: "rate limit waited out", method: "GET", fails: []ghfake.Failure{{Status: 429, Headers: map[string]string{"Retry-After": "3"}, Message: "slow down"}},
			slept: []time.Duration{3 * time.Second}, succeed: true},
		{name: "primary rate limit waited out", method: "POST", fails: []ghfake.Failure{{Status: 403, Message: "API rate limit exceeded",
			Headers: map[string]string{"X-RateLimit-Remaining": "0", "Retry-After": "5"}}}, slept: []time.Duration{5 * time.Second}, succeed: true},
		{name: "rate limit twice", method: "GET", fails: []ghfake.Failure{
			{Status: 429, Headers: map[string]string{"Retry-After": "2"}, Message: "slow down"},
			{Status: 403, Headers: map[string]string{"X-RateLimit-Remaining": "0", "Retry-After": "4"}, Message: "API rate limit exceeded"},
		}, kind: RateLimited, slept: []time.Duration{2 * time.Second},
			want: []string{"GitHub's API rate limit stopped the attempt to list the comments of o/r#7 (403 API rate limit exceeded); retry after ", "(in 4s)"}},
		{name: "rate limit too long to wait", method: "GET", fails: []ghfake.Failure{{Status: 429, Headers: map[string]string{"Retry-After": "3600"}}}, kind: RateLimited,
			want: []string{"(429 Too Many Requests); retry after ", "(in 1h0m0s)"}},
		{name: "rate limit without a time", method: "PATCH", fails: []ghfake.Failure{{Status: 429}}, kind: RateLimited, write: true,
			want: []string{"retry in a few minutes"}},
		{name: "server error", method: "POST", fails: []ghfake.Failure{{Status: 502, Message: "Bad Gateway"}}, kind: Failed, write: true,
			want: []string{"GitHub failed to comment on o/r#7 (502 Bad Gateway); retry later"}},
		{name: "token echoed back", method: "GET", fails: []ghfake.Failure{{Status: 401, Message: "token " + token + " is revoked"}}, kind: Unauthorized,
			want: []string{"token *** is revoked"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ghfake.New(t, token)
			if tt.method == "PATCH" {
				f.Add(pr.Number, Marker+"\nold")
			}
			f.FailNext(tt.method, tt.fails...)
			c, slept := newClient(t, f, token)
			_, err := c.Sync(context.Background(), pr, markdown(t, splitPlan(0)), planner.SplitRequired, false)
			if diff := cmp.Diff(tt.slept, *slept); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if tt.succeed {
				if err != nil {
					t.Fatalf("Sync failed after the wait: %v", err)
				}
				if len(f.Ours(pr.Number)) != 1 {
					t.Error("the retry did not post the comment")
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Sync = %v, want an *Error", err)
			}
			if e.Kind != tt.kind || e.Write != tt.write {
				t.Errorf("kind %d write %v, want %d %v", e.Kind, e.Write, tt.kind, tt.write)
			}
			for _, w := range tt.want {
				if !strings.Contains(e.Error(), w) {
					t.Errorf("the message lacks %q:\n%s", w, e)
				}
			}
			if strings.Contains(e.Error(), token) {
				t.Errorf("the message contains the token: %s", e)
			}
		})
	}
}

func TestNetworkError(t *testing.T) {
	f := ghfake.New(t, token)
	url := f.URL
	f.Close()
	c, err := New(Options{BaseURL: url + "/" + token, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Sync(context.Background(), pr, "body", planner.SplitRequired, false)
	var e *Error
	if !errors.As(err, &e) || e.Kind != Network {
		t.Fatalf("Sync = %v, want a network error", err)
	}
	if !strings.Contains(e.Error(), "cannot reach the GitHub API at "+url) || !strings.Contains(e.Error(), "check GITHUB_API_URL") {
		t.Errorf("message = %s", e)
	}
	if strings.Contains(e.Error(), token) {
		t.Errorf("the message contains the token: %s", e)
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	f := ghfake.New(t, token)
	c, _ := newClient(t, f, "ghs_other")
	_, err := c.Sync(context.Background(), pr, "body", planner.SplitRequired, false)
	var e *Error
	if !errors.As(err, &e) || e.Kind != Unauthorized || e.Status != 401 {
		t.Errorf("Sync = %v, want 401", err)
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		found          bool
		existing, body string
		clean, always  bool
		want           Outcome
	}{
		{false, "", "b", false, false, Created},
		{false, "", "b", true, false, Skipped},
		{false, "", "b", true, true, Created},
		{true, "a", "b", false, false, Updated},
		{true, "a", "b", true, false, Updated},
		{true, "b\r\n", "b\n", false, false, Unchanged},
	}
	for _, tt := range tests {
		if got := Decide(tt.found, tt.existing, tt.body, tt.clean, tt.always); got != tt.want {
			t.Errorf("Decide(%v, %q, %q, clean %v, always %v) = %s, want %s", tt.found, tt.existing, tt.body, tt.clean, tt.always, got, tt.want)
		}
	}
}

func TestIsOurs(t *testing.T) {
	for body, want := range map[string]bool{
		Marker + "\n**Safe**":       true,
		"\r\n" + Marker + "\r\nx":   true,
		Marker:                      true,
		"> " + Marker + "\n":        false,
		"see " + Marker:             false,
		"<!-- deployorder-x -->\nx": false,
	} {
		if got := IsOurs(body); got != want {
			t.Errorf("IsOurs(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestNumberFromEvent(t *testing.T) {
	tests := []struct {
		event string
		want  int
		err   bool
	}{
		{`{"action": "synchronize", "number": 12, "pull_request": {"number": 12}}`, 12, false},
		{`{"pull_request": {"number": 5}}`, 5, false},
		{`{"number": 9}`, 9, false},
		{`{"issue": {"number": 3, "pull_request": {"url": "x"}}}`, 3, false},
		{`{"issue": {"number": 3}}`, 0, true},
		{`{"ref": "refs/heads/main"}`, 0, true},
		{`not json`, 0, true},
	}
	for _, tt := range tests {
		got, err := NumberFromEvent([]byte(tt.event))
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("NumberFromEvent(%s) = %d, %v; want %d, error %v", tt.event, got, err, tt.want, tt.err)
		}
	}
}

func TestParseRepoAndAPIURL(t *testing.T) {
	if o, n, err := ParseRepo("octo/shop"); o != "octo" || n != "shop" || err != nil {
		t.Errorf("ParseRepo(octo/shop) = %q %q %v", o, n, err)
	}
	for _, bad := range []string{"", "octo", "octo/", "/shop", "a/b/c"} {
		if _, _, err := ParseRepo(bad); err == nil {
			t.Errorf("ParseRepo(%q) succeeded", bad)
		}
	}
	for in, want := range map[string]string{
		"":                                "https://api.github.com/",
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080/",
		"https://ghe.example.com/api/v3":  "https://ghe.example.com/api/v3/",
		"https://ghe.example.com/api/v3/": "https://ghe.example.com/api/v3/",
	} {
		u, err := APIURL(in)
		if err != nil || u.String() != want {
			t.Errorf("APIURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	if _, err := APIURL("ftp://x"); err == nil {
		t.Error("APIURL(ftp://x) succeeded")
	}
}

func TestDryRun(t *testing.T) {
	var b bytes.Buffer
	if err := DryRun(&b, "https://ghe.example.com/api/v3", pr, "**Needs a split**\n", planner.SplitRequired, false); err != nil {
		t.Fatal(err)
	}
	want := `dry run: nothing was sent to the GitHub API at https://ghe.example.com/api/v3/
GET /api/v3/repos/o/r/issues/7/comments?per_page=100 (every page), for the comment whose first line is <!-- deployorder -->
PATCH /api/v3/repos/o/r/issues/comments/{id} with the body below, if there is one
POST /api/v3/repos/o/r/issues/7/comments with the body below, if there is none
body (39 bytes):
<!-- deployorder -->
**Needs a split**
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	b.Reset()
	DryRun(&b, "", pr, "**Safe**\n", planner.Safe, false)
	if !strings.Contains(b.String(), "otherwise nothing: the plan is clean (safe) and --always is not set") || strings.Contains(b.String(), "POST") {
		t.Errorf("clean dry run:\n%s", b.String())
	}
}

func TestAppendStepSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	os.WriteFile(path, []byte("earlier step\n"), 0o644)
	if err := AppendStepSummary(path, "**plan**"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "earlier step\n**plan**\n" {
		t.Errorf("summary = %q", got)
	}
}
