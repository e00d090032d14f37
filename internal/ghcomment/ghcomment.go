package ghcomment

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/deployorder/deployorder/planner"
	"github.com/deployorder/deployorder/render"
	"github.com/google/go-github/v84/github"
)

// Marker is the hidden first line that identifies deployorder's comment.
const Marker = render.Marker

// DefaultMaxWait is the longest rate-limit wait a client sits out.
const DefaultMaxWait = time.Minute

// maxPages bounds the comment listing (100 comments a page).
const maxPages = 100

// Options configure a Client.
type Options struct {
	HTTPClient *http.Client // nil: one with a 30-second timeout
	BaseURL    string       // the API base, as in GITHUB_API_URL; "" means https://api.github.com/
	Token      string
	// MaxWait is the longest Retry-After the client waits out, once; a
	// longer one is reported at once. 0 means DefaultMaxWait; negative
	// never waits.
	MaxWait time.Duration
	// Sleep waits for d or until ctx is done; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client talks to the GitHub API for one pull request at a time.
type Client struct {
	gh      *github.Client
	base    string // redacted, for messages
	token   string
	maxWait time.Duration
	sleep   func(context.Context, time.Duration) error
	waited  bool // the one rate-limit wait is spent
}

// New returns a client for the API at o.BaseURL.
func New(o Options) (*Client, error) {
	u, err := APIURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	gh := github.NewClient(hc).WithAuthToken(o.Token)
	// Set the base ourselves: WithEnterpriseURLs would append /api/v3/ to a
	// plain base such as http://127.0.0.1:PORT/.
	gh.BaseURL = u
	gh.UserAgent = "deployorder"
	// Rate limits are handled here, by status and headers; go-github's own
	// bookkeeping would refuse the retry without sending it.
	gh.DisableRateLimitCheck = true
	c := &Client{gh: gh, base: u.Redacted(), token: o.Token, maxWait: o.MaxWait, sleep: o.Sleep}
	if c.maxWait == 0 {
		c.maxWait = DefaultMaxWait
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	return c, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Outcome is what Sync did.
type Outcome string

const (
	Created   Outcome = "created"   // a new comment
	Updated   Outcome = "updated"   // the earlier comment now shows the body
	Unchanged Outcome = "unchanged" // the earlier comment already showed the body
	Skipped   Outcome = "skipped"   // the plan is clean and there was no comment to update
)

// Result is what Sync did, and to which comment.
type Result struct {
	Outcome Outcome
	ID      int64  // the comment; 0 when Skipped
	URL     string // its page on GitHub
}

// Clean reports whether a verdict needs no comment of its own: nothing to
// deploy, or deploys in any order.
func Clean(v planner.Verdict) bool { return v == planner.Noop || v == planner.Safe }

// WithMarker returns body with Marker as its first line.
func WithMarker(body string) string {
	if strings.HasPrefix(body, Marker+"\n") {
		return body
	}
	return Marker + "\n" + body
}

// IsOurs reports whether a comment body is deployorder's: its first line
// is the marker.
func IsOurs(body string) bool {
	first, _, _ := strings.Cut(strings.TrimLeft(body, " \t\r\n"), "\n")
	return strings.TrimSpace(first) == Marker
}

// Decide says what Sync does, given the earlier comment's body (found
// false when there is none).
func Decide(found bool, existing, body string, clean, always bool) Outcome {
	switch {
	case found && normalize(existing) == normalize(body):
		return Unchanged
	case found:
		return Updated
	case clean && !always:
		return Skipped
	}
	return Created
}

// normalize undoes what GitHub does to a stored body: CRLF line ends.
func normalize(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// Sync makes body the pull request's deployorder comment: it updates the
// earlier comment if there is one, else creates one unless the verdict is
// clean and always is false.
func (c *Client) Sync(ctx context.Context, pr PR, body string, verdict planner.Verdict, always bool) (Result, error) {
	body = WithMarker(body)
	existing, err := c.Find(ctx, pr)
	if err != nil {
		return Result{}, err
	}
	found := existing != nil
	switch Decide(found, existing.GetBody(), body, Clean(verdict), always) {
	case Skipped:
		return Result{Outcome: Skipped}, nil
	case Unchanged:
		return Result{Outcome: Unchanged, ID: existing.GetID(), URL: existing.GetHTMLURL()}, nil
	case Updated:
		got, err := c.update(ctx, pr, existing.GetID(), body)
		var ge *Error
		if errors.As(err, &ge) && ge.Kind == NotFound {
			break // deleted since it was listed: create a new one
		}
		if err != nil {
			return Result{}, err
		}
		return Result{Outcome: Updated, ID: got.GetID(), URL: got.GetHTMLURL()}, nil
	}
	got, err := c.create(ctx, pr, body)
	if err != nil {
		return Result{}, err
	}
	return Result{Outcome: Created, ID: got.GetID(), URL: got.GetHTMLURL()}, nil
}

// Find returns the pull request's earliest comment that IsOurs, or nil.
func (c *Client) Find(ctx context.Context, pr PR) (*github.IssueComment, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for range maxPages {
		var page []*github.IssueComment
		var resp *github.Response
		err := c.call(ctx, "list the comments of "+pr.String(), false, func(ctx context.Context) (*github.Response, error) {
			var err error
			page, resp, err = c.gh.Issues.ListComments(ctx, pr.Owner, pr.Repo, pr.Number, opts)
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, cm := range page {
			if IsOurs(cm.GetBody()) {
				return cm, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
	return nil, nil
}

func (c *Client) create(ctx context.Context, pr PR, body string) (*github.IssueComment, error) {
	var got *github.IssueComment
	err := c.call(ctx, "comment on "+pr.String(), true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		got, resp, err = c.gh.Issues.CreateComment(ctx, pr.Owner, pr.Repo, pr.Number, &github.IssueComment{Body: github.Ptr(body)})
		return resp, err
	})
	return got, err
}

func (c *Client) update(ctx context.Context, pr PR, id int64, body string) (*github.IssueComment, error) {
	var got *github.IssueComment
	err := c.call(ctx, "update the deployorder comment on "+pr.String(), true, func(ctx context.Context) (*github.Response, error) {
		var resp *github.Response
		var err error
		got, resp, err = c.gh.Issues.EditComment(ctx, pr.Owner, pr.Repo, id, &github.IssueComment{Body: github.Ptr(body)})
		return resp, err
	})
	return got, err
}

// call runs one request; when GitHub answers with a rate limit whose wait
// is known and at most MaxWait, it waits and sends it again, once per
// client.
func (c *Client) call(ctx context.Context, op string, write bool, do func(context.Context) (*github.Response, error)) error {
	resp, err := do(ctx)
	if err == nil {
		return nil
	}
	e := c.classify(op, write, resp, err)
	if e.Kind == RateLimited && !c.waited && e.wait >= 0 && e.wait <= c.maxWait {
		c.waited = true
		if err := c.sleep(ctx, e.wait); err != nil {
			return c.classify(op, write, nil, err)
		}
		resp, err = do(ctx)
		if err == nil {
			return nil
		}
		e = c.classify(op, write, resp, err)
	}
	return e
}
