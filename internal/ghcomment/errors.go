package ghcomment

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v84/github"
)

// Kind is the class of an API failure, which decides what to do about it.
type Kind int

const (
	Unauthorized Kind = iota + 1 // 401: the token is missing, wrong or expired
	Forbidden                    // 403 without a rate limit: the token may not do this
	NotFound                     // 404: no such repository or pull request, or the token cannot see it
	RateLimited                  // 429, or 403 with X-RateLimit-Remaining: 0 or a secondary limit
	Network                      // no answer: DNS, connection, TLS, timeout
	Failed                       // any other answer
)

// Error is a failed API call, in one sentence that says what to do. Its
// text never contains the token.
type Error struct {
	Kind    Kind
	Op      string    // what was being done, e.g. "comment on o/r#1"
	Write   bool      // the call would have written (create or update)
	Status  int       // HTTP status; 0 for Network
	RetryAt time.Time // RateLimited: when to retry; zero when GitHub did not say
	msg     string
	wait    time.Duration // RateLimited: how long GitHub asked to wait; -1 if unknown
}

func (e *Error) Error() string { return e.msg }

// Scrub replaces every occurrence of token in s with "***" (no letters,
// so scrubbing twice never mangles the placeholder).
func Scrub(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "***")
}

// classify turns a go-github error into an *Error.
func (c *Client) classify(op string, write bool, resp *github.Response, err error) *Error {
	e := &Error{Op: op, Write: write, wait: -1}
	var hr *http.Response
	if resp != nil {
		hr = resp.Response
	}
	var ger *github.ErrorResponse
	var rle *github.RateLimitError
	var are *github.AbuseRateLimitError
	message := ""
	switch {
	case errors.As(err, &rle):
		hr, message = rle.Response, rle.Message
		e.Kind = RateLimited
	case errors.As(err, &are):
		hr, message = are.Response, are.Message
		e.Kind = RateLimited
	case errors.As(err, &ger):
		hr, message = ger.Response, ger.Message
	}
	if hr == nil || hr.Request == nil && hr.StatusCode == 0 {
		e.Kind = Network
		reason := err.Error()
		if errors.Is(err, context.Canceled) {
			reason = "interrupted"
		} else if errors.Is(err, context.DeadlineExceeded) {
			reason = "timed out"
		}
		e.msg = Scrub(fmt.Sprintf("cannot reach the GitHub API at %s to %s: %s; check GITHUB_API_URL and the network, then retry", c.base, op, reason), c.token)
		return e
	}
	e.Status = hr.StatusCode
	status := fmt.Sprintf("%d %s", hr.StatusCode, strings.TrimSpace(message))
	if message == "" {
		status = fmt.Sprintf("%d %s", hr.StatusCode, http.StatusText(hr.StatusCode))
	}
	if e.Kind == 0 {
		switch {
		case hr.StatusCode == http.StatusTooManyRequests,
			hr.StatusCode == http.StatusForbidden && (hr.Header.Get("X-RateLimit-Remaining") == "0" || hr.Header.Get("Retry-After") != ""):
			e.Kind = RateLimited
		case hr.StatusCode == http.StatusUnauthorized:
			e.Kind = Unauthorized
		case hr.StatusCode == http.StatusForbidden:
			e.Kind = Forbidden
		case hr.StatusCode == http.StatusNotFound:
			e.Kind = NotFound
		default:
			e.Kind = Failed
		}
	}
	var msg string
	switch e.Kind {
	case RateLimited:
		e.wait, e.RetryAt = retryAfter(hr.Header, time.Now())
		when := "retry in a few minutes"
		if !e.RetryAt.IsZero() {
			when = fmt.Sprintf("retry after %s (in %s)", e.RetryAt.UTC().Format("15:04:05 MST"), e.wait.Round(time.Second))
		}
		msg = fmt.Sprintf("GitHub's API rate limit stopped the attempt to %s (%s); %s", op, status, when)
	case Unauthorized:
		msg = fmt.Sprintf("GitHub rejected the token trying to %s (%s); set GITHUB_TOKEN to a valid token, in Actions ${{ secrets.GITHUB_TOKEN }}", op, status)
	case Forbidden:
		if write {
			msg = fmt.Sprintf("the token may not %s (%s); give the job permissions: pull-requests: write (a pull request from a fork gets a read-only token)", op, status)
		} else {
			msg = fmt.Sprintf("the token may not %s (%s); give the job permissions: pull-requests: read or write", op, status)
		}
	case NotFound:
		msg = fmt.Sprintf("GitHub found nothing trying to %s (%s); check GITHUB_REPOSITORY and the pull-request number, and that the token can read the repository", op, status)
	default:
		msg = fmt.Sprintf("GitHub failed to %s (%s); retry later", op, status)
	}
	e.msg = Scrub(msg, c.token)
	return e
}

// retryAfter reads how long to wait from Retry-After (seconds or an HTTP
// date), else X-RateLimit-Reset (Unix seconds). wait is -1 when neither says.
func retryAfter(h http.Header, now time.Time) (wait time.Duration, at time.Time) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			wait = time.Duration(secs) * time.Second
			return wait, now.Add(wait)
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), t
		}
	}
	if v := h.Get("X-RateLimit-Reset"); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs > 0 {
			t := time.Unix(secs, 0)
			return max(t.Sub(now), 0), t
		}
	}
	return -1, time.Time{}
}
