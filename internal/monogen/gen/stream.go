package gen

import (
	"bufio"
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A unit is a group of files rendered together: the repository root files,
// docs/, or one library, contract or service directory.
type unit struct {
	kind unitKind
	id   int
}

type unitKind int

const (
	unitRoot unitKind = iota
	unitDocs
	unitLib
	unitAPI
	unitService
)

// units lists every unit of the model, deleted libraries included.
func (m *model) units() []unit {
	us := []unit{{unitRoot, 0}, {unitDocs, 0}}
	for i := range m.libs {
		us = append(us, unit{unitLib, i})
	}
	for i := range m.apis {
		us = append(us, unit{unitAPI, i})
	}
	for i := range m.svcs {
		us = append(us, unit{unitService, i})
	}
	return us
}

// render returns a unit's files, path -> content; nil for a deleted library.
func (m *model) render(u unit) map[string]string {
	switch u.kind {
	case unitRoot:
		return map[string]string{
			"go.mod":     "module " + module + "\n\ngo 1.22\n",
			".gitignore": "/bin/\n*.test\n*.out\n",
			"README.md":  readme(m),
		}
	case unitDocs:
		out := map[string]string{}
		for _, d := range m.docs {
			out["docs/"+d.name+".md"] = docPage(d)
		}
		return out
	case unitLib:
		if l := m.libs[u.id]; !l.gone {
			return renderLib(m, l)
		}
		return nil
	case unitAPI:
		return renderAPI(m.apis[u.id])
	default:
		return renderService(m, u.id)
	}
}

func readme(m *model) string {
	var b strings.Builder
	b.WriteString("# mono\n\nA generated Go monorepo: libraries under lib/, wire contracts under api/,\nservices under services/ (one main package, Dockerfile and config.yaml each).\n\n## Notes\n\n")
	for i := range m.readme {
		fmt.Fprintf(&b, "- note %d: keep services deployable one at a time.\n", i+1)
	}
	return b.String()
}

func docPage(d *docFile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nThis page describes the %s of the monorepo.\n\n## Changes\n\n", pascal(d.name), d.name)
	for i := range d.variant {
		fmt.Fprintf(&b, "- revision %d of the %s notes.\n", i+1, d.name)
	}
	return b.String()
}

// A tree is the rendered state of a branch: unit -> path -> content. Inner
// maps are never modified, so a shallow clone is a snapshot.
type tree map[unit]map[string]string

// update re-renders units, records them in t and returns the file changes.
func (t tree) update(m *model, us []unit) []fileChange {
	var out []fileChange
	for _, u := range dedupeUnits(us) {
		files := m.render(u)
		out = append(out, diffFiles(t[u], files)...)
		t[u] = files
	}
	return sortChanges(out)
}

// diff returns the changes from old to cur for the given units.
func diff(old, cur tree, us []unit) []fileChange {
	var out []fileChange
	for _, u := range dedupeUnits(us) {
		out = append(out, diffFiles(old[u], cur[u])...)
	}
	return sortChanges(out)
}

func diffFiles(old, cur map[string]string) []fileChange {
	var out []fileChange
	for p := range old {
		if _, ok := cur[p]; !ok {
			out = append(out, fileChange{path: p, del: true})
		}
	}
	for p, c := range cur {
		if o, ok := old[p]; !ok || o != c {
			out = append(out, fileChange{path: p, content: c})
		}
	}
	return out
}

func dedupeUnits(us []unit) []unit {
	out := slices.Clone(us)
	slices.SortFunc(out, func(a, b unit) int { return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.id, b.id)) })
	return slices.Compact(out)
}

// sortChanges puts deletions first, then paths in order.
func sortChanges(cs []fileChange) []fileChange {
	slices.SortFunc(cs, func(a, b fileChange) int {
		if a.del != b.del {
			if a.del {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.path, b.path)
	})
	return cs
}

func (t tree) clone() tree { return maps.Clone(t) }

// A fileChange is one fast-import file command.
type fileChange struct {
	path    string
	content string
	del     bool
}

// A stream writes a git fast-import stream. Marks number commits from 1.
type stream struct {
	w    *bufio.Writer
	mark int
}

// sig is a commit's author (also its committer) and time.
type sig struct {
	who  string
	when int64
}

// commit writes a commit on ref with the given parents (0 for none) and
// returns its mark.
func (s *stream) commit(ref string, from, merge int, by sig, msg string, changes []fileChange) int {
	s.mark++
	w := s.w
	fmt.Fprintf(w, "commit %s\nmark :%d\n", ref, s.mark)
	fmt.Fprintf(w, "author %s %d +0000\ncommitter %s %d +0000\n", by.who, by.when, by.who, by.when)
	fmt.Fprintf(w, "data %d\n%s\n", len(msg)+1, msg)
	if from > 0 {
		fmt.Fprintf(w, "from :%d\n", from)
	}
	if merge > 0 {
		fmt.Fprintf(w, "merge :%d\n", merge)
	}
	for _, c := range changes {
		if c.del {
			fmt.Fprintf(w, "D %s\n", c.path)
			continue
		}
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", c.path, len(c.content), c.content)
	}
	w.WriteString("\n")
	return s.mark
}

// reset points ref at a mark.
func (s *stream) reset(ref string, mark int) {
	fmt.Fprintf(s.w, "reset %s\nfrom :%d\n\n", ref, mark)
}
