package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/deployorder/deployorder/planner"
)

// Markdown writes the plan as a pull-request comment.
type Markdown struct{}

func (Markdown) Render(w io.Writer, p *planner.Plan) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "**%s**\n\n", p.Summary)
	fmt.Fprintf(b, "Range `%s` (%s, `%s..%s`)\n", p.Range.Spec, plural(len(p.Range.Commits), "commit", "commits"), Short(p.Range.Base), Short(p.Range.Head))
	if len(p.Steps) > 0 {
		fmt.Fprintf(b, "\n| step | phase | services | why |\n|---|---|---|---|\n")
		for _, st := range p.Steps {
			soak := ""
			if st.Soak != "" {
				soak = fmt.Sprintf(" (after %s soak)", st.Soak)
			}
			fmt.Fprintf(b, "| %d | %s%s | %s | %s |\n", st.Index, st.Phase, soak, mdEscape(strings.Join(st.Services, ", ")), mdEscape(st.Reason))
		}
	}
	aff, _ := affected(p)
	if len(aff) > 0 {
		fmt.Fprintf(b, "\n<details><summary>Why each service is affected</summary>\n\n")
		for _, s := range aff {
			fmt.Fprintf(b, "- **%s** (%s): %s\n", s.Name, s.Status, mdEscape(whyLine(s)))
		}
		fmt.Fprintf(b, "\n</details>\n")
	}
	if len(p.Findings) > 0 {
		fmt.Fprintf(b, "\n<details><summary>Findings</summary>\n\n")
		for _, f := range p.Findings {
			fmt.Fprintf(b, "- %s `%s`: %s\n", f.Severity, f.Code, mdEscape(f.Message))
		}
		fmt.Fprintf(b, "\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;").Replace(s)
}
