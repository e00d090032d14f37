package gen

import (
	"fmt"
	"path"
	"strings"
)

// numTemplates is the number of function body templates.
const numTemplates = 5

// renderLib renders a library's files. The first file carries the package
// comment.
func renderLib(m *model, l *lib) map[string]string {
	out := make(map[string]string, len(l.files))
	for i, f := range l.files {
		var body strings.Builder
		var std, local []string
		for _, d := range f.decls {
			std = append(std, writeDecl(&body, m, d)...)
			for _, c := range d.calls {
				local = append(local, module+"/"+m.libs[c].dir)
			}
		}
		var b strings.Builder
		if i == 0 {
			fmt.Fprintf(&b, "// Package %s provides %s helpers for the %s area.\n", l.name, strings.TrimRight(l.name, "0123456789"), path.Base(path.Dir(l.dir)))
		}
		fmt.Fprintf(&b, "package %s\n\n", l.name)
		writeImports(&b, std, local)
		b.WriteString(body.String())
		out[l.dir+"/"+f.name] = gofmt(l.dir, b.String())
	}
	return out
}

// writeDecl writes one declaration and returns the standard packages it
// uses. The variant changes constants, and for some templates adds a
// statement, inside the body only: the signature never changes.
func writeDecl(b *strings.Builder, m *model, d *decl) []string {
	v := d.variant
	a, bb, c, dd := d.k[0]+v%5, d.k[1]+v, d.k[2]+3*v, d.k[3]+11*v
	n := d.name
	switch d.kind {
	case declCalls:
		fmt.Fprintf(b, "\n// %s combines the results of the packages it builds on.\nfunc %s(n int) int {\n\tv := n + %d\n", n, n, a)
		for i, id := range d.calls {
			l := m.libs[id]
			if i%2 == 0 {
				fmt.Fprintf(b, "\tv += %s.%s(v)\n", l.name, l.entry())
			} else {
				fmt.Fprintf(b, "\tv += %s.%s(v %% %d)\n", l.name, l.entry(), c)
			}
		}
		fmt.Fprintf(b, "\treturn v %% %d\n}\n", dd)
		return nil
	case declType:
		fmt.Fprintf(b, "\n// %s tracks a running %s count.\ntype %s struct {\n\tName string\n\tCount int\n\tTags []string\n}\n", n, d.word, n)
		fmt.Fprintf(b, "\n// New%s returns a %s named name.\nfunc New%s(name string) *%s {\n\treturn &%s{Name: name, Tags: []string{%q}}\n}\n", n, n, n, n, n, d.word)
		fmt.Fprintf(b, "\n// %s adds n, scaled, to the count and returns the new count.\nfunc (t *%s) %s(n int) int {\n\tt.Count += n * %d\n", d.method, n, d.method, a)
		if v%2 == 1 {
			fmt.Fprintf(b, "\tif t.Count > %d {\n\t\tt.Count = %d\n\t}\n", dd, bb)
		}
		b.WriteString("\treturn t.Count\n}\n")
		return nil
	}
	switch d.tmpl {
	case 0:
		fmt.Fprintf(b, "\n// %s folds n through a short loop.\nfunc %s(n int) int {\n\ttotal := n\n\tfor i := 0; i < %d; i++ {\n\t\ttotal += i * %d\n\t}\n", n, n, a, bb)
		if v%3 == 1 {
			fmt.Fprintf(b, "\tif total > %d {\n\t\ttotal %%= %d\n\t}\n", dd, dd)
		}
		b.WriteString("\treturn total\n}\n")
		return nil
	case 1:
		fmt.Fprintf(b, "\n// %s measures a padded %s label for n.\nfunc %s(n int) int {\n\ts := strings.Repeat(%q, n%%%d+1)\n\treturn len(s)*%d + %d\n}\n", n, d.word, n, d.word, a, bb, c)
		return []string{"strings"}
	case 2:
		fmt.Fprintf(b, "\n// %s buckets n into bands.\nfunc %s(n int) int {\n\tswitch {\n\tcase n < %d:\n\t\treturn n * %d\n\tcase n < %d:\n\t\treturn n + %d\n\tdefault:\n\t\treturn n - %d\n\t}\n}\n", n, n, c, a, dd, bb, c)
		return nil
	case 3:
		fmt.Fprintf(b, "\n// %s returns the largest of n and a few fixed %s weights.\nfunc %s(n int) int {\n\txs := []int{n, %d, %d, n %% %d}\n\tsort.Ints(xs)\n\treturn xs[len(xs)-1]\n}\n", n, d.word, n, bb, c, a)
		return []string{"sort"}
	default:
		fmt.Fprintf(b, "\n// %s counts the distinct residues of n's multiples.\nfunc %s(n int) int {\n\tseen := map[int]bool{}\n\tfor i := 0; i < n%%%d+%d; i++ {\n\t\tseen[i*n%%%d] = true\n\t}\n\treturn len(seen)\n}\n", n, n, a, bb, c)
		return nil
	}
}
