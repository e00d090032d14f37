package gitdiff

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    Spec
		wantErr bool
	}{
		{in: "HEAD", want: Spec{Text: "HEAD", Kind: Single, To: "HEAD"}},
		{in: " abc123 ", want: Spec{Text: "abc123", Kind: Single, To: "abc123"}},
		{in: "main..feature", want: Spec{Text: "main..feature", Kind: TwoDot, From: "main", To: "feature"}},
		{in: "main...HEAD", want: Spec{Text: "main...HEAD", Kind: ThreeDot, From: "main", To: "HEAD"}},
		{in: "main..", want: Spec{Text: "main..", Kind: TwoDot, From: "main", To: "HEAD"}},
		{in: "...feature", want: Spec{Text: "...feature", Kind: ThreeDot, From: "HEAD", To: "feature"}},
		{in: "HEAD~3..HEAD^", want: Spec{Text: "HEAD~3..HEAD^", Kind: TwoDot, From: "HEAD~3", To: "HEAD^"}},
		{in: "origin/main...@", want: Spec{Text: "origin/main...@", Kind: ThreeDot, From: "origin/main", To: "@"}},
		{in: "", wantErr: true},
		{in: "a....b", wantErr: true},
		{in: "a..b..c", wantErr: true},
		{in: "a b", wantErr: true},
		{in: "main\n..x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSpec(tt.in)
			if tt.wantErr {
				var e *Error
				if !errors.As(err, &e) || e.Kind != BadRange {
					t.Fatalf("ParseSpec(%q) error = %v, want a BadRange error", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseSpec(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"HEAD", "a..b", "a...b", "..", "...", "a....b", "@~2..@", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseSpec(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Msg == "" {
				t.Fatalf("ParseSpec(%q): error without a message: %v", s, err)
			}
			return
		}
		if spec.To == "" {
			t.Fatalf("ParseSpec(%q) = %+v: no head revision", s, spec)
		}
		if spec.Kind != Single && spec.From == "" {
			t.Fatalf("ParseSpec(%q) = %+v: no base revision", s, spec)
		}
	})
}
