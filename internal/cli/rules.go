package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/deployorder/deployorder/planner"
	"github.com/spf13/cobra"
)

func newRulesCmd(e *env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Print the rules deployorder checks about each wire key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var buf bytes.Buffer
			switch output {
			case "json":
				type row struct {
					ID       string `json:"id"`
					Severity string `json:"severity"`
					Purpose  string `json:"purpose"`
				}
				rows := []row{}
				for _, r := range planner.Rules {
					rows = append(rows, row{string(r.ID), string(r.Severity), r.Purpose})
				}
				enc := json.NewEncoder(&buf)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rows); err != nil {
					return err
				}
			case "text":
				tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSEVERITY\tPURPOSE")
				for _, r := range planner.Rules {
					lines := wrap(r.Purpose, 72)
					fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, lines[0])
					for _, l := range lines[1:] {
						fmt.Fprintf(tw, "\t\t%s\n", l)
					}
				}
				tw.Flush()
			default:
				return fmt.Errorf("unknown output format %q; use text or json", output)
			}
			_, err := e.stdout.Write(buf.Bytes())
			return err
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
