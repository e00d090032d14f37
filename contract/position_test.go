package contract

import "testing"

func TestSplitPosition(t *testing.T) {
	tests := []struct {
		in, file, msg string
		line          int
	}{
		{"cmd/web/main.go:13:14: cannot use x", "cmd/web/main.go", "cannot use x", 13},
		{"a.go:3: bad", "a.go", "bad", 3},
		{"c:/x/a.go:5:2: m", "c:/x/a.go", "m", 5},
		{"no position", "", "no position", 0},
	}
	for _, tt := range tests {
		file, line, msg := splitPosition(tt.in)
		if file != tt.file || line != tt.line || msg != tt.msg {
			t.Errorf("splitPosition(%q) = %q, %d, %q; want %q, %d, %q", tt.in, file, line, msg, tt.file, tt.line, tt.msg)
		}
	}
}
