package change

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Hunk is one run of changed lines, as `git diff -U0` prints it: lines
// OldStart..OldStart+OldLines-1 at base became NewStart..NewStart+NewLines-1
// at head. A side with no lines has its start on the line before the change,
// as in git.
type Hunk struct {
	OldStart, OldLines int
	NewStart, NewLines int
}

func (h Hunk) String() string {
	return fmt.Sprintf("@@ -%d,%d +%d,%d @@", h.OldStart, h.OldLines, h.NewStart, h.NewLines)
}

// ContainsNew reports whether head line n lies in the hunk.
func (h Hunk) ContainsNew(n int) bool { return n >= h.NewStart && n < h.NewStart+h.NewLines }

// ContainsOld reports whether base line n lies in the hunk.
func (h Hunk) ContainsOld(n int) bool { return n >= h.OldStart && n < h.OldStart+h.OldLines }

// IsBinary reports whether content looks binary, as git decides: a NUL byte
// in the first 8000 bytes.
func IsBinary(b []byte) bool {
	if len(b) > 8000 {
		b = b[:8000]
	}
	return bytes.IndexByte(b, 0) >= 0
}

// LineHunks diffs two texts line by line into hunks.
func LineHunks(old, cur string) []Hunk {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = time.Hour // the default second would give up on big files under load
	a, b, lines := dmp.DiffLinesToRunes(old, cur)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(a, b, false), lines)
	var hunks []Hunk
	oldLine, newLine := 1, 1
	var h *Hunk
	flush := func() {
		if h != nil {
			if h.OldLines == 0 {
				h.OldStart--
			}
			if h.NewLines == 0 {
				h.NewStart--
			}
			hunks = append(hunks, *h)
			h = nil
		}
	}
	for _, d := range diffs {
		n := lineCount(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			flush()
			oldLine += n
			newLine += n
		case diffmatchpatch.DiffDelete:
			if h == nil {
				h = &Hunk{OldStart: oldLine, NewStart: newLine}
			}
			h.OldLines += n
			oldLine += n
		case diffmatchpatch.DiffInsert:
			if h == nil {
				h = &Hunk{OldStart: oldLine, NewStart: newLine}
			}
			h.NewLines += n
			newLine += n
		}
	}
	flush()
	return hunks
}

func lineCount(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}
