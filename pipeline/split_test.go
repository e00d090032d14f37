package pipeline

import (
	"strings"
	"testing"
)

func TestTagRenameHint(t *testing.T) {
	src := "package api\n\ntype R struct {\n\tID string `json:\"id\"`\n\tName string `json:\"name\"`\n\tName string `json:\"name_v2,omitempty\"`\n\tAge int `json:\"age\"`\n\tAge int64 `json:\"years\"`\n}\n"
	for _, tc := range []struct {
		name string
		line int
		kept int
		want string // a fragment; "" wants no hint
	}{
		{"the new line after the kept one", 6, 5, `the field Name changes only its JSON name ("name" to "name_v2")`},
		{"the kept line after the new one", 6, 6, `the field Name changes only its JSON name ("name_v2" to "name")`},
		{"neither line is kept", 6, 4, ""},
		{"the type changes too: a hand edit, but not this one", 8, 7, ""},
		{"a field with no twin", 4, 4, ""},
		{"not a field", 1, 5, ""},
		{"out of range", 40, 5, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tagRenameHint([]byte(src), tc.line, map[int]bool{tc.kept: true})
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("tagRenameHint(line %d) = %q, want %q", tc.line, got, tc.want)
			}
		})
	}
}
