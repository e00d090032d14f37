// Package split divides one commit into the series of commits that a plan's
// split asks for: expand (the providers' changes, with the lines that stop
// providing the old elements held back, so old and new are both provided),
// switch (the consumers' changes), and contract (the held-back removals).
//
// It works on file contents only (the commit's base and head version of
// each changed file) and the plan's split parts, which name the hunks each
// step's part holds; it reads and writes nothing. The pipeline writes the
// commits, checks that they build, and plans them.
//
// Guarantees:
//   - The last step's files are exactly the commit's head files.
//   - A hunk moves whole at one step, or, for a hunk a provider's expand and
//     contract parts share, in two: its expand version (the base's lines kept
//     beside the head's, lines that only change their spacing written once,
//     and a statement that changes only the keys of a composite literal
//     written once with the keys of both) and then the head.
package split

import (
	"fmt"
	"slices"
	"strings"

	"github.com/deployorder/deployorder/change"
	"github.com/deployorder/deployorder/planner"
)

// File is one file the commit changes: its content before and after, nil
// where the file does not exist.
type File struct {
	Path       string
	Base, Head []byte
}

// Step is one commit of the series.
type Step struct {
	Index    int           // the plan's step
	Phase    planner.Phase // expand, switch, contract (deploy for a service not split)
	Services []string      // the services whose parts it holds
	Files    map[string][]byte
	// Kept are the held-back lines this step keeps beside their
	// replacement, "file:line" at the step's content, for a person to
	// check (or to edit by hand when the step does not build).
	Kept []string
}

// Series computes the steps of a split. steps gives each of the plan's
// step indexes its phase; parts are the split's parts.
func Series(files []File, sp planner.Split, phases map[int]planner.Phase) ([]Step, error) {
	if len(sp.Steps) == 0 {
		return nil, fmt.Errorf("the split of %.12s has no steps", sp.Commit)
	}
	first, last := sp.Steps[0], sp.Steps[len(sp.Steps)-1]
	type roles struct{ expand, final int } // steps; expand 0 when the hunk moves whole
	services := map[int][]string{}
	assigned := map[string]map[string]*roles{} // file -> hunk -> its steps
	for _, part := range sp.Parts {
		if !slices.Contains(services[part.Step], part.Service) {
			services[part.Step] = append(services[part.Step], part.Service)
		}
		for _, f := range part.Files {
			if assigned[f.Path] == nil {
				assigned[f.Path] = map[string]*roles{}
			}
			for _, h := range f.Hunks {
				r := assigned[f.Path][h]
				if r == nil {
					r = &roles{}
					assigned[f.Path][h] = r
				}
				switch phases[part.Step] {
				case planner.PhaseExpand:
					if r.expand == 0 || part.Step < r.expand {
						r.expand = part.Step
					}
					r.final = max(r.final, part.Step)
				default:
					r.final = max(r.final, part.Step)
				}
			}
		}
	}
	out := make([]Step, len(sp.Steps))
	for i, s := range sp.Steps {
		out[i] = Step{Index: s, Phase: phases[s], Services: services[s], Files: map[string][]byte{}}
		slices.Sort(out[i].Services)
	}
	at := func(step int) *Step {
		for i := range out {
			if out[i].Index == step {
				return &out[i]
			}
		}
		return nil
	}
	for _, f := range files {
		if f.Base == nil || f.Head == nil || change.IsBinary(f.Base) || change.IsBinary(f.Head) {
			// Whole files: a new file comes first (new types and functions
			// are safe to add early), a deleted one last.
			step := first
			if f.Head == nil {
				step = last
			}
			if r, ok := assigned[f.Path]; ok {
				for _, x := range r {
					step = x.final
				}
			}
			for s := step; s <= last; s++ {
				if st := at(s); st != nil {
					st.Files[f.Path] = f.Head
				}
			}
			continue
		}
		base, head := lines(string(f.Base)), lines(string(f.Head))
		hunks := change.LineHunks(string(f.Base), string(f.Head))
		// A hunk no part names goes with the file's earliest step (an
		// import the part's code needs), else the split's first.
		earliest := last + 1
		for _, r := range assigned[f.Path] {
			earliest = min(earliest, r.final)
			if r.expand != 0 {
				earliest = min(earliest, r.expand)
			}
		}
		if earliest > last {
			earliest = first
		}
		plans := make([]roles, len(hunks))
		for i, h := range hunks {
			if r, ok := assigned[f.Path][h.String()]; ok {
				plans[i] = *r
				if plans[i].expand == plans[i].final {
					plans[i].expand = 0
				}
			} else {
				plans[i] = roles{final: earliest}
			}
		}
		for i := range out {
			st := &out[i]
			var b strings.Builder
			next := 1 // next base line to copy
			for k, h := range hunks {
				oldFrom := h.OldStart
				if h.OldLines == 0 {
					oldFrom = h.OldStart + 1
				}
				for ; next < oldFrom; next++ {
					b.WriteString(base[next-1])
				}
				newFrom := h.NewStart
				if h.NewLines == 0 {
					newFrom = h.NewStart + 1
				}
				old := base[oldFrom-1 : oldFrom-1+h.OldLines]
				cur := head[newFrom-1 : newFrom-1+h.NewLines]
				r := plans[k]
				switch {
				case st.Index >= r.final:
					writeLines(&b, cur)
				case r.expand != 0 && st.Index >= r.expand:
					line := strings.Count(b.String(), "\n") + 1
					merged, kept := expandLines(old, cur)
					for _, n := range kept {
						st.Kept = append(st.Kept, fmt.Sprintf("%s:%d", f.Path, line+n))
					}
					writeLines(&b, merged)
				default:
					writeLines(&b, old)
				}
				next = oldFrom + h.OldLines
			}
			for ; next <= len(base); next++ {
				b.WriteString(base[next-1])
			}
			content := b.String()
			if content != string(f.Base) || st.Index >= last {
				st.Files[f.Path] = []byte(content)
			}
		}
	}
	// The last step is the commit itself.
	lastStep := &out[len(out)-1]
	for _, f := range files {
		lastStep.Files[f.Path] = f.Head
	}
	return out, nil
}

// lines splits text into lines that keep their newline.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.SplitAfter(s, "\n")
	if out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func writeLines(b *strings.Builder, ls []string) {
	for _, l := range ls {
		b.WriteString(l)
	}
}
