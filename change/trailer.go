package change

import "strings"

// Trailer is one "Key: value" line of a commit message's body, as git
// interpret-trailers writes them (Signed-off-by: ..., Deploy-Order-Accept:
// ...).
type Trailer struct {
	Key   string // as written; git compares keys without regard to case
	Value string // without surrounding blanks; folded lines joined by one space
}

// ParseTrailers returns the trailer lines of a commit message: every line
// after the subject that is a key (letters, digits and '-', starting with
// a letter or digit), a colon and a value, with the indented lines after it
// folded in, in order.
//
// Unlike git, it does not look only at the last paragraph: a squash merge
// writes each squashed commit's message, trailers included, into the
// middle of one message, and a trailer lost there would be a decision
// silently dropped. A prose line that happens to look like a trailer
// ("Note: ...") is returned too; readers look up only the keys they know.
func ParseTrailers(msg string) []Trailer {
	lines := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	if len(lines) < 2 {
		return nil
	}
	var out []Trailer
	folding := false // the previous line was a trailer, or folded into one
	for _, line := range lines[1:] {
		if folding && line != "" && (line[0] == ' ' || line[0] == '\t') {
			t := &out[len(out)-1]
			t.Value = strings.TrimSpace(t.Value + " " + strings.TrimSpace(line))
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		folding = ok && isTrailerKey(key)
		if folding {
			out = append(out, Trailer{Key: key, Value: strings.TrimSpace(value)})
		}
	}
	return out
}

func isTrailerKey(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
