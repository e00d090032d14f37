package ghcomment

import (
	"fmt"
	"os"
)

// AppendStepSummary appends body to the job summary file at path (the
// value of GITHUB_STEP_SUMMARY), which GitHub shows on the run's page.
func AppendStepSummary(path, body string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("writing the job summary: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%s\n", body); err != nil {
		f.Close()
		return fmt.Errorf("writing the job summary %s: %w", path, err)
	}
	return f.Close()
}
