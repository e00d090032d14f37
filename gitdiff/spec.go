package gitdiff

import (
	"strings"
	"unicode"

	"github.com/go-git/go-git/v5/plumbing"
)

// SpecKind says how a range's base is derived.
type SpecKind int

const (
	// Single is one revision R, meaning R^..R (a root commit diffs against
	// the empty tree).
	Single SpecKind = iota
	// TwoDot is A..B: the commits reachable from B and not from A.
	TwoDot
	// ThreeDot is A...B: from the merge base of A and B to B.
	ThreeDot
)

// Spec is a parsed range, before its names are resolved.
type Spec struct {
	Text string   // the range as the user wrote it
	Kind SpecKind // how Base is derived
	From string   // A (TwoDot, ThreeDot); empty for Single
	To   string   // B, or R for Single
}

// ParseSpec parses a range as git spells it: "A..B", "A...B" or "R".
// An empty side means HEAD, as in git ("main.." is "main..HEAD").
func ParseSpec(text string) (Spec, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return Spec{}, errorf(BadRange, nil, "empty range; give a range such as main...HEAD, HEAD~3..HEAD or one commit")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return Spec{}, errorf(BadRange, nil, "range %q contains white space or control characters; give a range such as main...HEAD", text)
		}
	}
	spec := Spec{Text: s}
	var from, to string
	if i := strings.Index(s, "..."); i >= 0 {
		spec.Kind, from, to = ThreeDot, s[:i], s[i+3:]
	} else if i := strings.Index(s, ".."); i >= 0 {
		spec.Kind, from, to = TwoDot, s[:i], s[i+2:]
	} else {
		spec.Kind, to = Single, s
	}
	if spec.Kind != Single {
		if strings.HasPrefix(to, ".") || strings.HasSuffix(from, ".") || strings.Contains(to, "..") {
			return Spec{}, errorf(BadRange, nil, "range %q is not of the form A..B or A...B", text)
		}
		if from == "" {
			from = "HEAD"
		}
		if to == "" {
			to = "HEAD"
		}
		spec.From = from
	}
	spec.To = to
	return spec, nil
}

// DefaultSpec is the range deployorder plans when none is given: in a
// GitHub Actions pull request (GITHUB_BASE_REF set) origin/$GITHUB_BASE_REF...HEAD,
// otherwise the default branch (origin/HEAD's target, else main, else
// master) ...HEAD.
func (r *Repo) DefaultSpec(getenv func(string) string) (string, error) {
	if base := getenv("GITHUB_BASE_REF"); base != "" {
		return "origin/" + base + "...HEAD", nil
	}
	if ref, err := r.git.Storer.Reference(plumbing.NewRemoteHEADReferenceName("origin")); err == nil && ref.Type() == plumbing.SymbolicReference {
		return strings.TrimPrefix(ref.Target().String(), "refs/remotes/") + "...HEAD", nil
	}
	for _, b := range []string{"main", "master"} {
		if _, err := r.git.Storer.Reference(plumbing.NewBranchReferenceName(b)); err == nil {
			return b + "...HEAD", nil
		}
	}
	return "", errorf(UnknownRevision, nil, "no range given and no default branch found (origin/HEAD, main or master); give a range, e.g. deployorder plan HEAD~1..HEAD")
}
