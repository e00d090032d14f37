package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/deployorder/deployorder/planner"
)

// GitHub writes the plan's findings as GitHub Actions workflow commands
// (::error, ::warning, ::notice), one line each, so that a workflow shows
// them as annotations on the files and lines they name. A finding without
// a file is written without file and line properties.
type GitHub struct{}

func (GitHub) Render(w io.Writer, p *planner.Plan) error {
	b := &strings.Builder{}
	for _, f := range p.Findings {
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

// escapeData escapes a workflow command's message: %, CR and LF.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value: as the
// message, and also : and , which end a property.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
