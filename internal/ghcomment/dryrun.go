package ghcomment

import (
	"fmt"
	"io"

	"github.com/deployorder/deployorder/planner"
)

// DryRun writes what Sync would send for body and where, without sending
// anything: the requests, by method and URL path, and the body.
func DryRun(w io.Writer, baseURL string, pr PR, body string, verdict planner.Verdict, always bool) error {
	u, err := APIURL(baseURL)
	if err != nil {
		return err
	}
	body = WithMarker(body)
	issue := fmt.Sprintf("%srepos/%s/%s/issues/%d/comments", u.Path, pr.Owner, pr.Repo, pr.Number)
	edit := fmt.Sprintf("%srepos/%s/%s/issues/comments/{id}", u.Path, pr.Owner, pr.Repo)
	fmt.Fprintf(w, "dry run: nothing was sent to the GitHub API at %s\n", u.Redacted())
	fmt.Fprintf(w, "GET %s?per_page=100 (every page), for the comment whose first line is %s\n", issue, Marker)
	fmt.Fprintf(w, "PATCH %s with the body below, if there is one\n", edit)
	if Clean(verdict) && !always {
		fmt.Fprintf(w, "otherwise nothing: the plan is clean (%s) and --always is not set\n", verdict)
	} else {
		fmt.Fprintf(w, "POST %s with the body below, if there is none\n", issue)
	}
	_, err = fmt.Fprintf(w, "body (%d bytes):\n%s", len(body), body)
	return err
}
