package change

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTrailers(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want []Trailer
	}{
		{name: "subject only", msg: "fix: the thing\n"},
		{name: "a subject that looks like a trailer is not one", msg: "Deploy-Order-Accept: X y z"},
		{name: "git's trailer block",
			msg: "api: drop metadata\n\nBilling reads it from its cache until the next release.\n\nDeploy-Order-Accept: STOP_CONSUME_BEFORE_STOP_PROVIDE Response.metadata billing caches it\nSigned-off-by: Dev <dev@example.com>\n",
			want: []Trailer{
				{Key: "Deploy-Order-Accept", Value: "STOP_CONSUME_BEFORE_STOP_PROVIDE Response.metadata billing caches it"},
				{Key: "Signed-off-by", Value: "Dev <dev@example.com>"},
			}},
		{name: "folded lines join the trailer above",
			msg:  "s\n\nDeploy-Order-Accept: R Response.x a long\n  reason over\n\ttwo lines\nnot folded\n",
			want: []Trailer{{Key: "Deploy-Order-Accept", Value: "R Response.x a long reason over two lines"}}},
		{name: "a squash merge keeps each commit's trailers mid-message",
			msg: "Rename metadata (#42)\n\n* api: write both\n\nDeploy-Order-Accept: R A.b first\n\n* readers: switch\n\nDeploy-Order-Accept: R A.c second\n",
			want: []Trailer{
				{Key: "Deploy-Order-Accept", Value: "R A.b first"},
				{Key: "Deploy-Order-Accept", Value: "R A.c second"},
			}},
		{name: "keys are words: no blanks, no leading hyphen; CRLF is a line break",
			msg:  "s\r\n\r\nnot a key: x\r\n-x: y\r\nKey:\r\n",
			want: []Trailer{{Key: "Key", Value: ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseTrailers(tt.msg)); diff != "" {
				t.Errorf("ParseTrailers (-want +got):\n%s", diff)
			}
		})
	}
}
