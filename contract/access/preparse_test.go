package access

import (
	"go/ast"
	"go/parser"
	"go/token"
	"sync"
	"testing"
)

func TestPreparsed(t *testing.T) {
	src := map[string]string{"a.go": "package a\n\n// A is a.\nvar A = 1\n", "b.go": "package a\n\nvar B = 2\n", "bad.go": "package a\n\nvar = \n"}
	var mu sync.Mutex
	reads := map[string]int{}
	read := func(n string) ([]byte, error) {
		mu.Lock()
		reads[n]++
		mu.Unlock()
		return []byte(src[n]), nil
	}
	fset := token.NewFileSet()
	p := Preparse(fset, []string{"a.go", "b.go", "bad.go", "a.go"}, read, 2, nil)
	p.wg.Wait() // every file parsed
	f, err, ok := p.take("a.go")
	if !ok || err != nil || f == nil || f.Name.Name != "a" || len(f.Comments) != 1 {
		t.Fatalf("take(a.go) = %v, %v, %v; want the file with its comment", f, err, ok)
	}
	if _, _, ok := p.take("a.go"); ok {
		t.Error("a.go was handed out twice")
	}
	if _, err, ok := p.take("bad.go"); !ok || err == nil {
		t.Errorf("take(bad.go) = %v, %v; want its parse error", err, ok)
	}
	if _, _, ok := p.take("other.go"); ok {
		t.Error("a file never queued was handed out")
	}
	if reads["a.go"] != 1 {
		t.Errorf("a.go read %d times, want 1", reads["a.go"])
	}
	p.Stop()
	if _, _, ok := p.take("b.go"); ok {
		t.Error("a file was handed out after Stop")
	}

	// A file asked for before a worker starts it is the caller's to parse,
	// and no worker parses it after.
	q := &Preparsed{files: map[string]*preparsedFile{"c.go": {done: make(chan struct{})}}, stop: make(chan struct{})}
	if _, _, ok := q.take("c.go"); ok {
		t.Error("a queued file was handed out before it was parsed")
	}
	if q.files["c.go"].state != 3 {
		t.Error("a file the caller took over is still queued")
	}
	var nilp *Preparsed
	if _, _, ok := nilp.take("a.go"); ok {
		t.Error("a nil Preparsed handed out a file")
	}
	nilp.Stop()
}

// A file already parsed is served as it is, never read or parsed again.
func TestPreparsedServesParsed(t *testing.T) {
	fset := token.NewFileSet()
	known, err := parser.ParseFile(fset, "a.go", "package a\n\n// A is a.\nvar A = 1\n", parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	read := func(n string) ([]byte, error) { reads++; return []byte("package a\n"), nil }
	p := Preparse(fset, []string{"a.go"}, read, 1, map[string]*ast.File{"a.go": known})
	p.wg.Wait()
	if f, err, ok := p.take("a.go"); !ok || err != nil || f != known {
		t.Fatalf("take(a.go) = %p, %v, %v; want the file parsed before (%p)", f, err, ok, known)
	}
	if reads != 0 {
		t.Errorf("a.go read %d times, want 0", reads)
	}
}
