package cli

import (
	"bytes"
	"context"
	"regexp"
	"testing"
)

// panicWriter stands for a bug: anything written to it panics.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("boom") }

// TestPanicIsOneLine: a bug that panics is one line on stderr that names
// where it happened and exit code 1, not a stack trace and exit code 2
// (which pipelines read as a verdict).
func TestPanicIsOneLine(t *testing.T) {
	var stderr bytes.Buffer
	code := Main(context.Background(), []string{"rules"}, testEnv(panicWriter{}, &stderr))
	if code != ExitError {
		t.Errorf("exit code %d, want %d", code, ExitError)
	}
	want := regexp.MustCompile(`^deployorder: internal error: boom \(cli\.[^ ]+ at [a-z_]+\.go:\d+\); please report it with the command you ran at https://github\.com/deployorder/deployorder/issues\n$`)
	if !want.MatchString(stderr.String()) {
		t.Errorf("stderr = %q, want one line matching %s", stderr.String(), want)
	}
}
