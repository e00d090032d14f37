package split

import (
	"fmt"
	"strings"

	"github.com/deployorder/deployorder/change"
)

// UnifiedDiff is the git diff of one file between two contents (nil where
// the file does not exist), with three lines of context, as `git apply`
// and `git am` read it. Equal contents give "".
func UnifiedDiff(path string, old, cur []byte) string {
	if string(old) == string(cur) && (old == nil) == (cur == nil) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "diff --git a/%s b/%s\n", path, path)
	from, to := "a/"+path, "b/"+path
	switch {
	case old == nil:
		b.WriteString("new file mode 100644\n")
		from = "/dev/null"
	case cur == nil:
		b.WriteString("deleted file mode 100644\n")
		to = "/dev/null"
	}
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", from, to)
	a, c := lines(string(old)), lines(string(cur))
	hunks := change.LineHunks(string(old), string(cur))
	const ctx = 3
	// Group hunks whose contexts touch.
	for i := 0; i < len(hunks); {
		j := i
		for j+1 < len(hunks) && start(hunks[j+1].OldStart, hunks[j+1].OldLines)-(start(hunks[j].OldStart, hunks[j].OldLines)+hunks[j].OldLines) <= 2*ctx {
			j++
		}
		oFrom := max(1, start(hunks[i].OldStart, hunks[i].OldLines)-ctx)
		oTo := min(len(a), start(hunks[j].OldStart, hunks[j].OldLines)+hunks[j].OldLines-1+ctx)
		nFrom := max(1, start(hunks[i].NewStart, hunks[i].NewLines)-ctx)
		nTo := min(len(c), start(hunks[j].NewStart, hunks[j].NewLines)+hunks[j].NewLines-1+ctx)
		oLen, nLen := oTo-oFrom+1, nTo-nFrom+1
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", rangeText(oFrom, oLen), rangeText(nFrom, nLen))
		line := oFrom
		for k := i; k <= j; k++ {
			h := hunks[k]
			os := start(h.OldStart, h.OldLines)
			for ; line < os; line++ {
				b.WriteString(" " + withNewline(a[line-1]))
			}
			for n := 0; n < h.OldLines; n++ {
				b.WriteString("-" + withNewline(a[os-1+n]))
			}
			ns := start(h.NewStart, h.NewLines)
			for n := 0; n < h.NewLines; n++ {
				b.WriteString("+" + withNewline(c[ns-1+n]))
			}
			line = os + h.OldLines
		}
		for ; line <= oTo; line++ {
			b.WriteString(" " + withNewline(a[line-1]))
		}
		i = j + 1
	}
	return b.String()
}

// start is the first line a side of a hunk covers (a side with no lines
// starts after its OldStart, as git writes it).
func start(s, n int) int {
	if n == 0 {
		return s + 1
	}
	return s
}

func rangeText(from, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", from-1)
	}
	if n == 1 {
		return fmt.Sprint(from)
	}
	return fmt.Sprintf("%d,%d", from, n)
}

func withNewline(l string) string {
	if strings.HasSuffix(l, "\n") {
		return l
	}
	return l + "\n\\ No newline at end of file\n"
}
