package ghcomment

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// PR names a pull request.
type PR struct {
	Owner, Repo string
	Number      int
}

func (pr PR) String() string { return fmt.Sprintf("%s/%s#%d", pr.Owner, pr.Repo, pr.Number) }

// ParseRepo splits GITHUB_REPOSITORY's "owner/name".
func ParseRepo(s string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok || !ownerRE.MatchString(owner) || !nameRE.MatchString(name) || name == "." || name == ".." {
		return "", "", fmt.Errorf("GITHUB_REPOSITORY %q is not owner/name (letters, digits, '-', and in the name '.' and '_')", s)
	}
	return owner, name, nil
}

var (
	ownerRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	nameRE  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
)

// NumberFromEvent reads the pull-request number from a GitHub Actions event
// payload (the file at GITHUB_EVENT_PATH): pull_request.number for
// pull_request events, number, or issue.number for a comment on a pull
// request.
func NumberFromEvent(data []byte) (int, error) {
	var ev struct {
		Number      int `json:"number"`
		PullRequest *struct {
			Number int `json:"number"`
		} `json:"pull_request"`
		Issue *struct {
			Number      int             `json:"number"`
			PullRequest json.RawMessage `json:"pull_request"`
		} `json:"issue"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		return 0, fmt.Errorf("the event payload is not JSON: %w", err)
	}
	switch {
	case ev.PullRequest != nil && ev.PullRequest.Number > 0:
		return ev.PullRequest.Number, nil
	case ev.Number > 0:
		return ev.Number, nil
	case ev.Issue != nil && ev.Issue.Number > 0 && len(ev.Issue.PullRequest) > 0 && string(ev.Issue.PullRequest) != "null":
		return ev.Issue.Number, nil
	}
	return 0, errors.New("the event is not about a pull request")
}

// APIURL parses an API base URL ("" means https://api.github.com/) and
// gives it the trailing slash go-github needs. It is used as given: a
// GitHub Enterprise base is https://HOST/api/v3, and a plain
// http://127.0.0.1:PORT works too.
func APIURL(base string) (*url.URL, error) {
	if base == "" {
		base = "https://api.github.com/"
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL", base)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}
