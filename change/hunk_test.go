package change

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineHunks(t *testing.T) {
	tests := []struct {
		name     string
		old, cur string
		want     []Hunk
	}{
		{"same", "a\nb\n", "a\nb\n", nil},
		{"insert middle", "a\nc\n", "a\nb\nc\n", []Hunk{{OldStart: 1, OldLines: 0, NewStart: 2, NewLines: 1}}},
		{"delete first", "a\nb\n", "b\n", []Hunk{{OldStart: 1, OldLines: 1, NewStart: 0, NewLines: 0}}},
		{"replace", "a\nb\nc\n", "a\nB\nc\n", []Hunk{{OldStart: 2, OldLines: 1, NewStart: 2, NewLines: 1}}},
		{"two hunks", "a\nb\nc\nd\ne\n", "A\nb\nc\nd\nE\n", []Hunk{
			{OldStart: 1, OldLines: 1, NewStart: 1, NewLines: 1},
			{OldStart: 5, OldLines: 1, NewStart: 5, NewLines: 1},
		}},
		{"new file", "", "a\nb", []Hunk{{OldStart: 0, OldLines: 0, NewStart: 1, NewLines: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, LineHunks(tt.old, tt.cur)); diff != "" {
				t.Errorf("LineHunks (-want +got):\n%s", diff)
			}
		})
	}
}
