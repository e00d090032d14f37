// Package ghcomment keeps one sticky deployorder comment on a GitHub pull
// request, through the GitHub REST API (go-github).
//
// It computes nothing about deploys: it takes a rendered Markdown body and
// the plan's verdict. Sync finds the pull request's earlier comment by the
// hidden marker on its first line (render.Marker), listing every page of
// comments, and updates it in place; it posts a new comment only when there
// is none, and then only for a plan that is not clean (noop or safe) unless
// asked to always post. A plan that turns clean updates the existing
// comment rather than deleting it, so the conversation keeps its history.
//
// Guarantees: at most one comment is created per call; an unchanged body is
// not written again; a rate limit with a Retry-After (or reset time) within
// the client's MaxWait is waited out once per client, then reported with
// when to retry; every error is an *Error with one sentence that says what
// to do, and never contains the token.
package ghcomment
