package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	size := []string{"-packages", "40", "-services", "4", "-contracts", "2", "-commits", "5"}
	tests := []struct {
		name       string
		args       []string
		code       int
		out, error string // substrings of stdout and stderr
	}{
		{"no -out", size, 2, "", "pass the output directory with -out DIR"},
		{"unknown flag", []string{"-bogus"}, 2, "", "flag provided but not defined"},
		{"non-empty dir", append([]string{"-out", full}, size...), 1, "", "is not empty"},
		{"too small", []string{"-out", filepath.Join(t.TempDir(), "r"), "-packages", "10"}, 1, "", "raise packages"},
		{"small repository", append([]string{"-out", filepath.Join(t.TempDir(), "r")}, size...), 0, "plain     ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String(), tt.out) || !strings.Contains(stderr.String(), tt.error) {
				t.Errorf("run(%q) = %d\nstdout: %s\nstderr: %s\nwant %d, stdout containing %q, stderr containing %q",
					tt.args, code, stdout.String(), stderr.String(), tt.code, tt.out, tt.error)
			}
		})
	}
}
