package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestAcceptanceExpiresByEnvNow checks that the day an acceptance expires
// against is the CLI's clock, Env.Now, and that the plan cache does not
// keep an acceptance alive past its day.
func TestAcceptanceExpiresByEnvNow(t *testing.T) {
	r := hostileBase(t)
	r.CommitFiles("api stops writing name, which web still reads", map[string]string{
		"cmd/api/main.go":  strings.Replace(hostileAPIMain(""), `, Name: "n"`, "", 1),
		"deployorder.yaml": "accept:\n  - {rule: STOP_CONSUME_BEFORE_STOP_PROVIDE, element: Response.name, reason: the proxy adds it, expires: 2026-06-30}\n",
	})
	tests := []struct {
		now      time.Time
		code     int
		verdict  string
		expiries int // ACCEPTANCE_EXPIRED warnings
	}{
		{now: time.Date(2026, 6, 30, 23, 59, 0, 0, time.UTC), code: ExitOK, verdict: "safe"},
		{now: time.Date(2026, 7, 1, 0, 1, 0, 0, time.UTC), code: ExitFail, verdict: "blocked", expiries: 1},
		{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), code: ExitOK, verdict: "safe"},
	}
	for _, tt := range tests {
		t.Run(tt.now.Format(time.DateTime), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := testEnv(&stdout, &stderr)
			env.Now = func() time.Time { return tt.now }
			// The plan cache stays on: a plan cached on a day when the
			// acceptance applied must not be read the day after.
			code := Main(context.Background(), []string{"plan", "HEAD", "-C", r.Dir, "-o", "json", "-q", "--offline"}, env)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, stderr.String(), stdout.String())
			}
			p := parsePlan(t, stdout.String())
			if p.Verdict != tt.verdict {
				t.Errorf("verdict %s, want %s", p.Verdict, tt.verdict)
			}
			if n := len(p.findings("ACCEPTANCE_EXPIRED")); n != tt.expiries {
				t.Errorf("%d ACCEPTANCE_EXPIRED warnings, want %d; findings:\n%s", n, tt.expiries, findingsText(p))
			}
		})
	}
}
