package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/deployorder/deployorder/internal/ghcomment"
	"github.com/deployorder/deployorder/planner"
	"github.com/deployorder/deployorder/render"
	"github.com/spf13/cobra"
)

type commentOptions struct {
	env *Env
	source
	spec   string
	failOn string
	pr     int
	dryRun bool
	always bool

	fail planner.FailLevel // from failOn
}

func newCommentCmd(e *Env, runF func(context.Context, *commentOptions) error) *cobra.Command {
	opts := &commentOptions{env: e}
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
1 error; 64 a bad flag or argument.`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.spec = args[0]
			}
			var err error
			if opts.fail, err = planner.ParseFailLevel(opts.failOn); err != nil {
				return &UsageError{err}
			}
			if opts.pr < 0 {
				return usageErrorf("--pr %d: a pull-request number is positive", opts.pr)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runComment(cmd.Context(), opts)
		},
	}
	addSourceFlags(cmd, &opts.source)
	addFailOnFlag(cmd, &opts.failOn)
	cmd.Flags().IntVar(&opts.pr, "pr", 0, "pull-request number (default: from the event at GITHUB_EVENT_PATH)")
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "print the requests and the comment instead of sending them")
	cmd.Flags().BoolVar(&opts.always, "always", false, "post a comment even when the plan is clean (noop or safe)")
	return cmd
}

func runComment(ctx context.Context, opts *commentOptions) error {
	token := opts.env.Getenv("GITHUB_TOKEN")
	err := postComment(ctx, opts, token)
	if err != nil && token != "" && strings.Contains(err.Error(), token) {
		err = errors.New(ghcomment.Scrub(err.Error(), token))
	}
	return err
}

func postComment(ctx context.Context, opts *commentOptions, token string) error {
	e := opts.env
	pr, err := commentTarget(e, opts)
	if err != nil {
		return err
	}
	apiURL := e.Getenv("GITHUB_API_URL")
	if _, err := ghcomment.APIURL(apiURL); err != nil {
		return err
	}
	if token == "" && !opts.dryRun {
		return errors.New("GITHUB_TOKEN is not set; in a workflow pass it to the step (env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}), or use --dry-run to see the comment")
	}
	p, err := computePlan(ctx, e, opts.source, opts.spec)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := (render.Markdown{}).Render(&buf, p); err != nil {
		return fmt.Errorf("rendering the plan: %w", err)
	}
	body := buf.String()

	if opts.dryRun {
		if err := ghcomment.DryRun(e.Stdout, apiURL, pr, body, p.Verdict, opts.always); err != nil {
			return err
		}
	} else {
		client, err := ghcomment.New(ghcomment.Options{HTTPClient: e.HTTPClient, BaseURL: apiURL, Token: token,
			MaxWait: e.MaxWait, Sleep: e.Sleep})
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
	if opts.fail.Fails(p.Verdict) {
		return errFailOn
	}
	return nil
}

// commentTarget is the pull request to comment on, from GITHUB_REPOSITORY
// and --pr or the event payload.
func commentTarget(e *Env, opts *commentOptions) (ghcomment.PR, error) {
	repo := e.Getenv("GITHUB_REPOSITORY")
	if repo == "" {
		return ghcomment.PR{}, errors.New("GITHUB_REPOSITORY is not set; set it to owner/name (GitHub Actions sets it)")
	}
	owner, name, err := ghcomment.ParseRepo(repo)
	if err != nil {
		return ghcomment.PR{}, err
	}
	pr := ghcomment.PR{Owner: owner, Repo: name, Number: opts.pr}
	if opts.pr > 0 {
		return pr, nil
	}
	path := e.Getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return pr, errors.New("no pull request to comment on: pass --pr N, or run in a pull_request workflow (GITHUB_EVENT_PATH)")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return pr, fmt.Errorf("reading the GitHub event: %w; pass --pr N", err)
	}
	if pr.Number, err = ghcomment.NumberFromEvent(data); err != nil {
		event := e.Getenv("GITHUB_EVENT_NAME")
		if event == "" {
			event = "unknown"
		}
		return pr, fmt.Errorf("no pull request to comment on: %v (event %s at %s); pass --pr N, or run on pull_request", err, event, path)
	}
	return pr, nil
}

// toStepSummary writes the plan to the job summary when the token may not
// comment, as for a pull request from a fork.
func toStepSummary(e *Env, denied *ghcomment.Error, body string) error {
	path := e.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return fmt.Errorf("%s; GITHUB_STEP_SUMMARY is not set either, so the plan was not written anywhere", denied)
	}
	if err := ghcomment.AppendStepSummary(path, body); err != nil {
		return err
	}
	fmt.Fprintf(e.Stderr, "deployorder: %s; wrote the plan to the job summary (GITHUB_STEP_SUMMARY) instead\n", denied)
	return nil
}

func reportComment(e *Env, pr ghcomment.PR, v planner.Verdict, res ghcomment.Result) {
	switch res.Outcome {
	case ghcomment.Created:
		fmt.Fprintf(e.Stdout, "posted the plan (%s) on %s: %s\n", v, pr, res.URL)
	case ghcomment.Updated:
		fmt.Fprintf(e.Stdout, "updated the plan (%s) on %s: %s\n", v, pr, res.URL)
	case ghcomment.Unchanged:
		fmt.Fprintf(e.Stdout, "the comment on %s already shows this plan (%s): %s\n", pr, v, res.URL)
	case ghcomment.Skipped:
		fmt.Fprintf(e.Stdout, "the plan is clean (%s) and %s has no deployorder comment: nothing posted (--always posts it)\n", v, pr)
	}
}
