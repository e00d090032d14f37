package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deployorder/deployorder/internal/ghcomment/ghfake"
	"github.com/deployorder/deployorder/internal/testrepo"
	"github.com/deployorder/deployorder/render"
)

const testToken = "ghs_cliS3cretT0ken"

// monorepo is a repository with two services that share lib/money, at a
// commit that changes lib/money: a safe plan for both.
func monorepo(t *testing.T) *testrepo.Repo {
	r := testrepo.New(t)
	r.CommitFiles("two services", map[string]string{
		"go.mod":               "module example.com/mono\n\ngo 1.22\n",
		"lib/money/money.go":   "package money\n\nfunc Cents(x int) int { return x * 100 }\n",
		"cmd/billing/main.go":  "package main\n\nimport \"example.com/mono/lib/money\"\n\nfunc main() { println(money.Cents(1)) }\n",
		"cmd/frontend/main.go": "package main\n\nimport \"example.com/mono/lib/money\"\n\nfunc main() { println(money.Cents(2)) }\n",
	})
	r.CommitFiles("money: round", map[string]string{
		"lib/money/money.go": "package money\n\nfunc Cents(x int) int { return x*100 + 0 }\n",
	})
	return r
}

// ghEnv points the comment command at a fake GitHub for pull request o/r
// and returns the job summary file.
func ghEnv(t *testing.T, apiURL string) string {
	summary := filepath.Join(t.TempDir(), "step_summary.md")
	for k, v := range map[string]string{
		"GITHUB_TOKEN": testToken, "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": apiURL,
		"GITHUB_EVENT_PATH": "", "GITHUB_EVENT_NAME": "", "GITHUB_STEP_SUMMARY": summary, "GITHUB_BASE_REF": "",
	} {
		t.Setenv(k, v)
	}
	return summary
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs deployorder in-process and checks that the token appears in no
// output.
func run(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := testEnv(&stdout, &stderr)
	env.MaxWait = 10 * time.Second
	env.Sleep = func(ctx context.Context, d time.Duration) error { return nil }
	code := Main(context.Background(), args, env)
	r := result{code, stdout.String(), stderr.String()}
	if strings.Contains(r.stdout+r.stderr, testToken) {
		t.Errorf("deployorder %s printed the token:\n%s%s", strings.Join(args, " "), r.stdout, r.stderr)
	}
	return r
}

func TestCommentLifecycle(t *testing.T) {
	gh := ghfake.New(t, testToken)
	ghEnv(t, gh.URL)
	repo := monorepo(t)
	args := []string{"comment", "HEAD", "--pr", "7", "-C", repo.Dir, "--offline"}

	// A clean plan on a pull request without a comment posts nothing.
	r := run(t, args...)
	if r.code != ExitOK || !strings.Contains(r.stdout, "the plan is clean (safe) and o/r#7 has no deployorder comment: nothing posted") {
		t.Fatalf("clean plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, req := range gh.TakeRequests() {
		if !strings.HasPrefix(req, "GET /repos/o/r/issues/7/comments") {
			t.Errorf("a clean plan sent %s", req)
		}
	}

	// --always posts it.
	r = run(t, append(args, "--always")...)
	ours := gh.Ours(7)
	if r.code != ExitOK || len(ours) != 1 || !strings.Contains(r.stdout, "posted the plan (safe) on o/r#7: https://github.example/o/r/pull/7#issuecomment-") {
		t.Fatalf("--always: exit %d, %d comments\n%s%s", r.code, len(ours), r.stdout, r.stderr)
	}
	if !strings.HasPrefix(ours[0].Body, render.Marker+"\n**Safe: deploy 2 services in any order**\n") {
		t.Errorf("the comment does not start with the marker and the summary:\n%.300s", ours[0].Body)
	}
	id := ours[0].ID

	// A new push changes the plan: the same comment is updated, and
	// --fail-on still decides the exit code.
	repo.CommitFiles("frontend: say hello", map[string]string{
		"cmd/frontend/main.go": "package main\n\nimport \"example.com/mono/lib/money\"\n\nfunc main() { println(\"hello\", money.Cents(2)) }\n",
	})
	r = run(t, append(args, "--fail-on", "safe")...)
	ours = gh.Ours(7)
	if r.code != ExitFail || !strings.Contains(r.stdout, "updated the plan (safe) on o/r#7") {
		t.Errorf("second push: exit %d, want %d\n%s%s", r.code, ExitFail, r.stdout, r.stderr)
	}
	if len(ours) != 1 || ours[0].ID != id || !strings.Contains(ours[0].Body, "**Safe: deploy 1 service in any order**") {
		t.Errorf("after the second push the comments are %+v, want comment %d updated", ours, id)
	}

	// The same plan again: nothing is written.
	gh.TakeRequests()
	r = run(t, args...)
	if r.code != ExitOK || !strings.Contains(r.stdout, "the comment on o/r#7 already shows this plan (safe)") {
		t.Errorf("same plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, req := range gh.TakeRequests() {
		if !strings.HasPrefix(req, "GET ") {
			t.Errorf("an unchanged plan sent %s", req)
		}
	}
}

func TestCommentDryRun(t *testing.T) {
	gh := ghfake.New(t, testToken)
	ghEnv(t, gh.URL+"/api/v3")
	t.Setenv("GITHUB_TOKEN", "")
	event := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(event, []byte(`{"action": "synchronize", "number": 12, "pull_request": {"number": 12}}`), 0o644)
	t.Setenv("GITHUB_EVENT_PATH", event)
	repo := monorepo(t)

	r := run(t, "comment", "HEAD", "--dry-run", "--always", "-C", repo.Dir, "--offline")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"dry run: nothing was sent to the GitHub API at " + gh.URL + "/api/v3/\n",
		"GET /api/v3/repos/o/r/issues/12/comments?per_page=100 (every page), for the comment whose first line is <!-- deployorder -->\n",
		"PATCH /api/v3/repos/o/r/issues/comments/{id} with the body below, if there is one\n",
		"POST /api/v3/repos/o/r/issues/12/comments with the body below, if there is none\n",
		"\n<!-- deployorder -->\n**Safe: deploy 2 services in any order**\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the dry run lacks %q:\n%s", want, r.stdout)
		}
	}
	if reqs := gh.TakeRequests(); len(reqs) > 0 {
		t.Errorf("the dry run sent %v", reqs)
	}
}

func TestCommentForkFallsBackToStepSummary(t *testing.T) {
	gh := ghfake.New(t, testToken)
	summary := ghEnv(t, gh.URL)
	os.WriteFile(summary, []byte("## tests passed\n"), 0o644)
	gh.FailNext("POST", ghfake.Failure{Status: 403, Message: "Resource not accessible by integration " + testToken})
	repo := monorepo(t)

	r := run(t, "comment", "HEAD", "--pr", "3", "--always", "-C", repo.Dir, "--offline")
	if r.code != ExitOK {
		t.Fatalf("exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "deployorder: the token may not comment on o/r#3 (403 Resource not accessible by integration ***); ") ||
		!strings.Contains(r.stderr, "; wrote the plan to the job summary (GITHUB_STEP_SUMMARY) instead\n") {
		t.Errorf("stderr does not explain the fallback:\n%s", r.stderr)
	}
	got, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "## tests passed\n"+render.Marker+"\n**Safe: deploy 2 services in any order**\n") {
		t.Errorf("the job summary is\n%s", got)
	}
	if strings.Contains(string(got), testToken) {
		t.Error("the job summary contains the token")
	}
	if len(gh.Comments(3)) != 0 {
		t.Error("a comment was posted")
	}

	// Without a job summary there is nowhere to write: an error.
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	gh.FailNext("POST", ghfake.Failure{Status: 403, Message: "Resource not accessible by integration"})
	r = run(t, "comment", "HEAD", "--pr", "3", "--always", "-C", repo.Dir, "--offline")
	if r.code != ExitError || !strings.Contains(r.stderr, "GITHUB_STEP_SUMMARY is not set either, so the plan was not written anywhere") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

// TestCommentErrors checks that each failure is one line on stderr, exit 1,
// without the token.
func TestCommentErrors(t *testing.T) {
	gh := ghfake.New(t, testToken)
	repo := monorepo(t)
	pushEvent := filepath.Join(t.TempDir(), "push.json")
	os.WriteFile(pushEvent, []byte(`{"ref": "refs/heads/main"}`), 0o644)
	tests := []struct {
		name  string
		env   map[string]string
		fails []ghfake.Failure // for GET
		args  []string
		want  string
	}{
		{name: "no token", env: map[string]string{"GITHUB_TOKEN": ""},
			want: "deployorder: GITHUB_TOKEN is not set; in a workflow pass it to the step (env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}), or use --dry-run to see the comment\n"},
		{name: "no repository", env: map[string]string{"GITHUB_REPOSITORY": ""},
			want: "deployorder: GITHUB_REPOSITORY is not set; set it to owner/name (GitHub Actions sets it)\n"},
		{name: "no pull request", args: []string{"--pr", "0"},
			want: "deployorder: no pull request to comment on: pass --pr N, or run in a pull_request workflow (GITHUB_EVENT_PATH)\n"},
		{name: "not a pull-request event", args: []string{"--pr", "0"}, env: map[string]string{"GITHUB_EVENT_PATH": pushEvent, "GITHUB_EVENT_NAME": "push"},
			want: "deployorder: no pull request to comment on: the event is not about a pull request (event push at " + pushEvent + "); pass --pr N, or run on pull_request\n"},
		{name: "bad API URL", env: map[string]string{"GITHUB_API_URL": "api.github.com"},
			want: "deployorder: GITHUB_API_URL \"api.github.com\" is not an http(s) URL\n"},
		{name: "bad token", env: map[string]string{"GITHUB_TOKEN": testToken + "x"},
			want: "deployorder: GitHub rejected the token trying to list the comments of o/r#5 (401 Bad credentials); set GITHUB_TOKEN to a valid token"},
		{name: "not found", fails: []ghfake.Failure{{Status: 404, Message: "Not Found"}},
			want: "deployorder: GitHub found nothing trying to list the comments of o/r#5 (404 Not Found); check GITHUB_REPOSITORY"},
		{name: "rate limited", fails: []ghfake.Failure{
			{Status: 429, Headers: map[string]string{"Retry-After": "1"}},
			{Status: 403, Headers: map[string]string{"X-RateLimit-Remaining": "0", "Retry-After": "90"}, Message: "API rate limit exceeded for " + testToken},
		}, want: "deployorder: GitHub's API rate limit stopped the attempt to list the comments of o/r#5 (403 API rate limit exceeded for ***); retry after "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ghEnv(t, gh.URL)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			gh.FailNext("GET", tt.fails...)
			args := append([]string{"comment", "HEAD", "--pr", "5", "--always", "-C", repo.Dir, "--offline"}, tt.args...)
			r := run(t, args...)
			if r.code != ExitError {
				t.Errorf("exit %d, want %d", r.code, ExitError)
			}
			if !strings.HasPrefix(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr = %q\nwant one line starting %q", r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
		})
	}
}
