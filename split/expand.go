package split

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
)

// expandLines is the expand version of a hunk that replaces old lines by
// cur: both the old lines and the new ones, so that old and new elements
// are both provided. A line that only changes its spacing (gofmt realigning
// a struct) is written once, in its new form; a statement that changes only
// the keys of a composite literal (Response{ID: id, Metadata: m} becoming
// Response{ID: id, MetadataV2: e}) is written once, with the keys of both.
// kept are the indexes, in the result, of the old lines held back.
func expandLines(old, cur []string) (out []string, kept []int) {
	used := make([]bool, len(cur))
	drop := make([]bool, len(old))
	for i, d := range old {
		for j, c := range cur {
			if !used[j] && squash(d) == squash(c) {
				used[j], drop[i] = true, true
				break
			}
		}
	}
	merged := make([]string, len(cur))
	copy(merged, cur)
	for i, d := range old {
		if drop[i] {
			continue
		}
		for j, c := range cur {
			if used[j] {
				continue
			}
			if m, ok := mergeLiteral(d, c); ok {
				merged[j], used[j], drop[i] = m, true, true
				break
			}
		}
	}
	for i, d := range old {
		if !drop[i] {
			kept = append(kept, len(out))
			out = append(out, d)
		}
	}
	return append(out, merged...), kept
}

// squash is a line without its spaces and tabs.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}

// mergeLiteral merges two versions of one statement that differ only in
// the keyed elements of one composite literal: the new version, with the
// old version's elements whose keys it lacks added before the closing
// brace.
func mergeLiteral(old, cur string) (string, bool) {
	ol, ok := onlyLiteral(old)
	if !ok {
		return "", false
	}
	cl, ok := onlyLiteral(cur)
	if !ok || ol.typ != cl.typ || squash(ol.outside) != squash(cl.outside) {
		return "", false
	}
	var extra []string
	for _, kv := range ol.elems {
		if _, ok := cl.keys[kv.key]; !ok {
			extra = append(extra, kv.text)
		}
	}
	if len(extra) == 0 {
		return "", false
	}
	sep := ", "
	if len(cl.elems) == 0 {
		sep = ""
	}
	return cur[:cl.close] + sep + strings.Join(extra, ", ") + cur[cl.close:], true
}

// literal is the one composite literal of a one-line statement.
type literal struct {
	typ     string // its type, as written
	elems   []keyed
	keys    map[string]bool
	close   int    // offset of its closing brace in the line
	outside string // the line with the literal's braces and contents cut out
}

type keyed struct{ key, text string }

const wrapPrefix = "package p\nfunc _() {\n"

// onlyLiteral parses a line as a statement and returns its composite
// literal, when it has exactly one and every element of it is keyed.
func onlyLiteral(line string) (literal, bool) {
	src := wrapPrefix + strings.TrimRight(line, "\n") + "\n}\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return literal{}, false
	}
	var lits []*ast.CompositeLit
	ast.Inspect(f, func(n ast.Node) bool {
		if cl, ok := n.(*ast.CompositeLit); ok {
			lits = append(lits, cl)
			return false // literals inside are part of its elements
		}
		return true
	})
	if len(lits) != 1 || lits[0].Type == nil {
		return literal{}, false
	}
	cl := lits[0]
	off := func(p token.Pos) int { return fset.Position(p).Offset - len(wrapPrefix) }
	l := literal{typ: src[fset.Position(cl.Type.Pos()).Offset:fset.Position(cl.Type.End()).Offset], keys: map[string]bool{}, close: off(cl.Rbrace)}
	for _, e := range cl.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			return literal{}, false
		}
		key := src[fset.Position(kv.Key.Pos()).Offset:fset.Position(kv.Key.End()).Offset]
		l.elems = append(l.elems, keyed{key: key, text: src[fset.Position(kv.Pos()).Offset:fset.Position(kv.End()).Offset]})
		l.keys[key] = true
	}
	l.outside = line[:off(cl.Lbrace)] + line[off(cl.Rbrace)+1:]
	return l, true
}
