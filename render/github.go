package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/deployorder/deployorder/planner"
)

// GitHub writes the plan as GitHub Actions workflow commands (::error,
// ::warning, ::notice), one line each, so that a workflow shows them as
// annotations: the verdict (an error when the range needs a split or is
// blocked, a notice when it must deploy in order), each split part on the
// first changed line of each file it moves, and the findings on the files
// and lines they name. A finding without a file is written without file and
// line properties; an accepted finding is a notice that says who accepted
// it and why.
type GitHub struct{}

func (GitHub) Render(w io.Writer, p *planner.Plan) error {
	b := &strings.Builder{}
	switch p.Verdict {
	case planner.SplitRequired, planner.Blocked:
		b.WriteString(workflowCommand(planner.Finding{Severity: planner.Error, Code: "deployorder", Message: p.Summary}) + "\n")
	case planner.Ordered:
		b.WriteString(workflowCommand(planner.Finding{Severity: planner.Info, Code: "deployorder", Message: p.Summary}) + "\n")
	}
	for _, sp := range p.Splits {
		for _, part := range sp.Parts {
			for _, f := range part.Files {
				msg := fmt.Sprintf("step %d (%s) of splitting commit %s", part.Step, part.Service, Short(sp.Commit))
				if part.Keep != "" {
					msg += ": " + part.Keep
				}
				b.WriteString(workflowCommand(planner.Finding{Severity: planner.Error, Code: string(planner.SplitCycle), File: f.Path, Line: firstNewLine(f.Hunks), Message: msg}) + "\n")
			}
		}
	}
	for _, f := range p.Findings {
		if f.Accepted != nil {
			// No longer a problem of the check run: a notice that says so.
			f.Severity, f.Message = planner.Info, f.Message+" ("+acceptedNote(f.Accepted)+")"
		}
		b.WriteString(workflowCommand(f))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// workflowCommand is one finding as a workflow command:
// ::error file=F,line=L,title=CODE::message.
func workflowCommand(f planner.Finding) string {
	cmd := "notice"
	switch f.Severity {
	case planner.Error:
		cmd = "error"
	case planner.Warning:
		cmd = "warning"
	}
	var props []string
	if f.File != "" {
		props = append(props, "file="+escapeProperty(f.File))
		if f.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", f.Line))
		}
	}
	if f.Code != "" {
		props = append(props, "title="+escapeProperty(f.Code))
	}
	s := "::" + cmd
	if len(props) > 0 {
		s += " " + strings.Join(props, ",")
	}
	return s + "::" + escapeData(f.Message)
}

// firstNewLine is the head line where the first hunk starts (at least 1).
func firstNewLine(hunks []string) int {
	for _, h := range hunks {
		var a, b, c, d int
		if _, err := fmt.Sscanf(h, "@@ -%d,%d +%d,%d @@", &a, &b, &c, &d); err == nil {
			return max(c, 1)
		}
	}
	return 0
}

// escapeData escapes a workflow command's message: %, CR and LF.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value: as the
// message, and also : and , which end a property.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
