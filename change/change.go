package change

// Range is a resolved commit range.
type Range struct {
	Spec     string // the range as written
	Base     string // full hash of the base commit; "" for the empty tree
	Head     string // full hash of the head commit
	BaseTree string // tree hashes of base ("" for the empty tree) and head
	HeadTree string
	Commits  []Commit // oldest first, along the head's first-parent chain
	Files    []File   // base tree against head tree, sorted by path
	// Hunks are the changed line runs over the whole range of each modified
	// Go file (by its head path); files too large to parse, binary files
	// and added, deleted or renamed files have none.
	Hunks map[string][]Hunk
}

// Commit is one commit of a range with what it changes against its first
// parent.
type Commit struct {
	SHA     string
	Subject string
	Parent  string // first parent; "" for a root commit
	Merge   bool   // more than one parent; Files are against the first
	Files   []File
	// Trailers are the message's "Key: value" lines (ParseTrailers), so
	// that later stages read decisions written in commit messages, such as
	// Deploy-Order-Accept, as data.
	Trailers []Trailer
}

// Status is how a file changed between two trees.
type Status string

const (
	Added    Status = "added"
	Modified Status = "modified"
	Deleted  Status = "deleted"
	Renamed  Status = "renamed"
)

// Kind is what a tree entry holds.
type Kind string

const (
	RegularFile Kind = "file"
	Executable  Kind = "executable"
	Symlink     Kind = "symlink"
	Submodule   Kind = "submodule"
)

// File is one changed path between two trees.
type File struct {
	Status  Status `json:"status"`
	Path    string `json:"path"`               // the path at head; for a deletion, the path at base
	OldPath string `json:"old_path,omitempty"` // a rename's path at base
	OldBlob string `json:"-"`                  // blob hash at base; "" when added
	NewBlob string `json:"-"`                  // blob hash at head; "" when deleted
	Kind    Kind   `json:"kind"`               // what the entry holds at head (at base for a deletion)
}

// Paths returns every path the change touches: both paths of a rename.
func (f File) Paths() []string {
	if f.OldPath != "" && f.OldPath != f.Path {
		return []string{f.OldPath, f.Path}
	}
	return []string{f.Path}
}

// BasePath is the file's path at base: the old path of a rename.
func (f File) BasePath() string {
	if f.OldPath != "" {
		return f.OldPath
	}
	return f.Path
}
