package render

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/deployorder/deployorder/graph"
	"github.com/deployorder/deployorder/planner"
)

// Renderer writes a plan in one format.
type Renderer interface {
	Render(w io.Writer, p *planner.Plan) error
}

// Formats lists the output formats, for help and errors.
var Formats = []string{"text", "json", "markdown", "mermaid", "github"}

// For returns the renderer for a format name.
func For(format string) (Renderer, error) {
	switch format {
	case "text", "":
		return Text{}, nil
	case "json":
		return JSON{}, nil
	case "markdown", "md":
		return Markdown{}, nil
	case "mermaid":
		return Mermaid{}, nil
	case "github":
		return GitHub{}, nil
	}
	return nil, fmt.Errorf("unknown output format %q; use %s", format, FormatList())
}

// FormatList is the formats in words: "text, json, ... or github".
func FormatList() string {
	return strings.Join(Formats[:len(Formats)-1], ", ") + " or " + Formats[len(Formats)-1]
}

// JSON writes the plan as indented JSON (planner.SchemaVersion).
type JSON struct{}

func (JSON) Render(w io.Writer, p *planner.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

// Short abbreviates a commit hash for people.
func Short(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	if sha == "" {
		return "(root)"
	}
	return sha
}

// quotePath shows a path as git does with core.quotePath: in double quotes
// with escapes when it holds control characters, quotes or backslashes, so
// that a file name never breaks a line of output.
func quotePath(p string) string {
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '`' {
			return strconv.Quote(p)
		}
	}
	return p
}

// oneLine escapes the line breaks and control characters in text that
// deployorder did not write (file names inside messages).
func oneLine(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// whyLine is a service's reasons in one line: the first chain, and how many
// more paths there are.
func whyLine(s planner.Service) string {
	if len(s.Reasons) == 0 {
		return ""
	}
	r := s.Reasons[0]
	r.Path = quotePath(r.Path)
	if len(r.Chain) > 0 {
		r.Chain = append([]string{quotePath(r.Chain[0])}, r.Chain[1:]...)
	}
	var line string
	switch r.Kind {
	case graph.ViaModule:
		line = fmt.Sprintf("%s: %s %s -> %s", r.Path, r.Module, orNone(r.From), orNone(r.To))
		if len(r.Chain) > 2 {
			line += " via " + strings.Join(r.Chain[1:], " -> ")
		}
	case graph.ViaGoVersion:
		line = fmt.Sprintf("%s: %s -> %s", r.Path, orNone(r.From), orNone(r.To))
	case graph.ViaOwned:
		line = r.Path + " (owned path)"
	case graph.ViaAdded:
		line = "new service in " + r.Path
	case graph.ViaRemoved:
		line = "main package removed (" + r.Path + ")"
	case graph.ViaEmbed:
		line = strings.Join(r.Chain, " -> ") + " (embedded)"
	default:
		line = strings.Join(r.Chain, " -> ")
	}
	paths := map[string]bool{}
	for _, x := range s.Reasons {
		paths[x.Path] = true
	}
	if n := len(paths) - 1; n > 0 {
		line += fmt.Sprintf(" (+%d more)", n)
	}
	return line
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func affected(p *planner.Plan) (aff []planner.Service, unchanged int) {
	for _, s := range p.Services {
		if s.Affected {
			aff = append(aff, s)
		} else {
			unchanged++
		}
	}
	sort.SliceStable(aff, func(i, j int) bool { return aff[i].Name < aff[j].Name })
	return aff, unchanged
}

// SplitCommand is the command that writes a split as commits: the
// expand, switch and contract commits in place of the split commit, on a
// new branch named after it.
func SplitCommand(sp planner.Split) string {
	return fmt.Sprintf("deployorder split %s --branch split-%s", Short(sp.Commit), Short(sp.Commit))
}
