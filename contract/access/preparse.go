package access

import (
	"go/ast"
	"go/parser"
	"go/token"
	"sync"
)

// Preparsed parses files in the background, as the repository's own
// packages can be while go list still reads their dependencies: a
// Universe whose Preparsed is set takes a file from it instead of parsing
// it again. A file not started yet when it is asked for is left to the
// caller, so nobody waits for the queue.
type Preparsed struct {
	mu    sync.Mutex
	files map[string]*preparsedFile
	stop  chan struct{}
	wg    sync.WaitGroup
}

type preparsedFile struct {
	state int           // 0 queued, 1 parsing, 2 done, 3 taken by a caller before it started
	done  chan struct{} // closed when state becomes 2
	f     *ast.File
	err   error
}

// Preparse starts parsing files (read with read, positions in fset, with
// comments, as Prepare parses a package it checks with bodies) on workers
// goroutines. parsed are files already parsed that way, into fset: they
// are served as they are.
func Preparse(fset *token.FileSet, names []string, read func(string) ([]byte, error), workers int, parsed map[string]*ast.File) *Preparsed {
	p := &Preparsed{files: map[string]*preparsedFile{}, stop: make(chan struct{})}
	queue := make(chan string, len(names))
	for _, n := range names {
		if _, dup := p.files[n]; dup {
			continue
		}
		pf := &preparsedFile{done: make(chan struct{})}
		p.files[n] = pf
		if f := parsed[n]; f != nil {
			pf.f, pf.state = f, 2
			close(pf.done)
			continue
		}
		queue <- n
	}
	close(queue)
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for n := range queue {
				select {
				case <-p.stop:
					return
				default:
				}
				p.mu.Lock()
				pf := p.files[n]
				if pf.state != 0 {
					p.mu.Unlock()
					continue
				}
				pf.state = 1
				p.mu.Unlock()
				data, err := read(n)
				var f *ast.File
				if err == nil {
					f, err = parser.ParseFile(fset, n, data, parser.SkipObjectResolution|parser.ParseComments)
				}
				p.mu.Lock()
				pf.f, pf.err, pf.state = f, err, 2
				p.mu.Unlock()
				close(pf.done)
			}
		}()
	}
	return p
}

// take returns a file's syntax when it is parsed or being parsed (waiting
// for it then); ok is false when the caller must parse it itself. Each
// file is handed out once.
func (p *Preparsed) take(name string) (f *ast.File, err error, ok bool) {
	if p == nil {
		return nil, nil, false
	}
	p.mu.Lock()
	pf := p.files[name]
	if pf == nil || pf.state == 3 {
		p.mu.Unlock()
		return nil, nil, false
	}
	if pf.state == 0 {
		pf.state = 3
		p.mu.Unlock()
		return nil, nil, false
	}
	p.mu.Unlock()
	<-pf.done
	p.mu.Lock()
	f, err = pf.f, pf.err
	pf.f, pf.err, pf.state = nil, nil, 3
	p.mu.Unlock()
	return f, err, true
}

// Stop ends the background work and drops what nobody took.
func (p *Preparsed) Stop() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	p.files = nil
	p.mu.Unlock()
}
