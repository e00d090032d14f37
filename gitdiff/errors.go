package gitdiff

import "fmt"

// ErrorKind classifies the errors a user can act on.
type ErrorKind int

const (
	// NotRepository: the directory is not inside a git repository.
	NotRepository ErrorKind = iota + 1
	// UnknownRevision: a name in the range resolves to no commit.
	UnknownRevision
	// AmbiguousRevision: a short hash matches several commits.
	AmbiguousRevision
	// BadRange: the range text is not of a form git accepts.
	BadRange
	// ShallowClone: the history the range needs is cut off by a shallow clone.
	ShallowClone
	// EmptyRange: the range has no commits.
	EmptyRange
	// ReversedRange: the range's head is an ancestor of its base.
	ReversedRange
	// NoCommonHistory: A...B where A and B share no commit.
	NoCommonHistory
)

// Error is an error the user can fix; its message says how.
type Error struct {
	Kind ErrorKind
	Msg  string
	Err  error // underlying cause, if any
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

func errorf(kind ErrorKind, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// shallowHint is the advice every shallow-clone error ends with.
const shallowHint = "fetch more history: git fetch --deepen=100 (in GitHub Actions, actions/checkout with fetch-depth: 0)"
