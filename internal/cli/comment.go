package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/deployorder/deployorder/internal/ghcomment"
	"github.com/deployorder/deployorder/planner"
	"github.com/deployorder/deployorder/render"
	"github.com/spf13/cobra"
)

type commentOptions struct {
	source
	failOn string
	pr     int
	dryRun bool
	always bool
}

// Hooks for tests: how the comment command reaches GitHub and sits out a
// rate limit.
var (
	commentHTTPClient = func() *http.Client { return &http.Client{Timeout: 30 * time.Second} }
	commentMaxWait    = ghcomment.DefaultMaxWait
	commentSleep      func(ctx context.Context, d time.Duration) error // nil: a timer
)

func newCommentCmd(e *env) *cobra.Command {
	opts := &commentOptions{}
	cmd := &cobra.Command{
		Use:   "comment [RANGE]",
		Short: "Post the rollout plan as one sticky comment on a GitHub pull request",
		Long: `Post the rollout plan as one sticky comment on a GitHub pull request.

comment computes the plan as plan does and posts it as Markdown. It finds its
earlier comment on the pull request by the hidden first line <!-- deployorder -->
and updates it, so a pull request has one deployorder comment however often it
is pushed. A plan that is clean (noop or safe) posts no comment, unless
--always is given; when a later push makes the plan clean, the earlier comment
is updated to say so.

It reads GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name), GITHUB_API_URL (default
https://api.github.com/; for GitHub Enterprise, https://HOST/api/v3), and the
pull-request number from --pr or from the event at GITHUB_EVENT_PATH. When the
token may not write, as for a pull request from a fork, the plan is appended to
the job summary (GITHUB_STEP_SUMMARY) instead. --dry-run prints the requests
and the body without sending anything, and needs no token.

Exit codes: 0 the plan was posted (or written to the job summary) and its
verdict is below --fail-on; 2 the same, with a verdict at or above --fail-on;
1 error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec := ""
			if len(args) == 1 {
				spec = args[0]
			}
			return runComment(cmd, e, opts, spec)
		},
	}
	addSourceFlags(cmd, &opts.source)
	cmd.Flags().StringVar(&opts.failOn, "fail-on", "split_required", "exit 2 when the verdict is at or above this level: noop, safe, ordered, split_required, blocked, or never")
	cmd.Flags().IntVar(&opts.pr, "pr", 0, "pull-request number (default: from the event at GITHUB_EVENT_PATH)")
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "print the requests and the comment instead of sending them")
	cmd.Flags().BoolVar(&opts.always, "always", false, "post a comment even when the plan is clean (noop or safe)")
	return cmd
}

func runComment(cmd *cobra.Command, e *env, opts *commentOptions, spec string) error {
	token := e.getenv("GITHUB_TOKEN")
	err := postComment(cmd.Context(), e, opts, spec, token)
	if err != nil && token != "" && strings.Contains(err.Error(), token) {
		err = errors.New(ghcomment.Scrub(err.Error(), token))
	}
	return err
}

func postComment(ctx context.Context, e *env, opts *commentOptions, spec, token string) error {
	fail, err := planner.ParseFailLevel(opts.failOn)
	if err != nil {
		return err
	}
	pr, err := commentTarget(e, opts)
	if err != nil {
		return err
	}
	apiURL := e.getenv("GITHUB_API_URL")
	if _, err := ghcomment.APIURL(apiURL); err != nil {
		return err
	}
	if token == "" && !opts.dryRun {
		return errors.New("GITHUB_TOKEN is not set; in a workflow pass it to the step (env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}), or use --dry-run to see the comment")
	}
	p, err := computePlan(ctx, e, opts.source, spec)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := (render.Markdown{}).Render(&buf, p); err != nil {
		return fmt.Errorf("rendering the plan: %w", err)
	}
	body := buf.String()

	if opts.dryRun {
		if err := ghcomment.DryRun(e.stdout, apiURL, pr, body, p.Verdict, opts.always); err != nil {
			return err
		}
	} else {
		client, err := ghcomment.New(ghcomment.Options{HTTPClient: commentHTTPClient(), BaseURL: apiURL, Token: token,
			MaxWait: commentMaxWait, Sleep: commentSleep})
		if err != nil {
			return err
		}
		res, err := client.Sync(ctx, pr, body, p.Verdict, opts.always)
		var ge *ghcomment.Error
		switch {
		case errors.As(err, &ge) && ge.Kind == ghcomment.Forbidden && ge.Write:
			if err := toStepSummary(e, ge, body); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			reportComment(e, pr, p.Verdict, res)
		}
	}
	if fail.Fails(p.Verdict) {
		return errFailOn
	}
	return nil
}

// commentTarget is the pull request to comment on, from GITHUB_REPOSITORY
// and --pr or the event payload.
func commentTarget(e *env, opts *commentOptions) (ghcomment.PR, error) {
	repo := e.getenv("GITHUB_REPOSITORY")
	if repo == "" {
		return ghcomment.PR{}, errors.New("GITHUB_REPOSITORY is not set; set it to owner/name (GitHub Actions sets it)")
	}
	owner, name, err := ghcomment.ParseRepo(repo)
	if err != nil {
		return ghcomment.PR{}, err
	}
	pr := ghcomment.PR{Owner: owner, Repo: name, Number: opts.pr}
	if opts.pr < 0 {
		return pr, fmt.Errorf("--pr %d: a pull-request number is positive", opts.pr)
	}
	if opts.pr > 0 {
		return pr, nil
	}
	path := e.getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return pr, errors.New("no pull request to comment on: pass --pr N, or run in a pull_request workflow (GITHUB_EVENT_PATH)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return pr, fmt.Errorf("reading the GitHub event: %w; pass --pr N", err)
	}
	if pr.Number, err = ghcomment.NumberFromEvent(data); err != nil {
		event := e.getenv("GITHUB_EVENT_NAME")
		if event == "" {
			event = "unknown"
		}
		return pr, fmt.Errorf("no pull request to comment on: %v (event %s at %s); pass --pr N, or run on pull_request", err, event, path)
	}
	return pr, nil
}

// toStepSummary writes the plan to the job summary when the token may not
// comment, as for a pull request from a fork.
func toStepSummary(e *env, denied *ghcomment.Error, body string) error {
	path := e.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return fmt.Errorf("%s; GITHUB_STEP_SUMMARY is not set either, so the plan was not written anywhere", denied)
	}
	if err := ghcomment.AppendStepSummary(path, body); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "deployorder: %s; wrote the plan to the job summary (GITHUB_STEP_SUMMARY) instead\n", denied)
	return nil
}

func reportComment(e *env, pr ghcomment.PR, v planner.Verdict, res ghcomment.Result) {
	switch res.Outcome {
	case ghcomment.Created:
		fmt.Fprintf(e.stdout, "posted the plan (%s) on %s: %s\n", v, pr, res.URL)
	case ghcomment.Updated:
		fmt.Fprintf(e.stdout, "updated the plan (%s) on %s: %s\n", v, pr, res.URL)
	case ghcomment.Unchanged:
		fmt.Fprintf(e.stdout, "the comment on %s already shows this plan (%s): %s\n", pr, v, res.URL)
	case ghcomment.Skipped:
		fmt.Fprintf(e.stdout, "the plan is clean (%s) and %s has no deployorder comment: nothing posted (--always posts it)\n", v, pr)
	}
}
