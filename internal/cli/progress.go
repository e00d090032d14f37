package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress reports the phases of a slow command on stderr: when stderr is
// a terminal, a phase that runs longer than a second says so, and its time
// when it ends. DEPLOYORDER_TRACE=1 prints every phase's time, terminal or
// not (for measurements). -q silences both.
type progress struct {
	w       io.Writer
	now     func() time.Time
	live    bool // stderr is a terminal
	trace   bool
	mu      sync.Mutex
	started time.Time
}

func newProgress(e *Env, quiet bool) *progress {
	p := &progress{w: e.Stderr, now: e.Now, started: e.Now()}
	if quiet {
		return p
	}
	if f, ok := e.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.live = true
	}
	p.trace = e.Getenv("DEPLOYORDER_TRACE") == "1"
	return p
}

// phase starts a named phase; call the returned function when it ends.
func (p *progress) phase(name string) func() {
	if p == nil || !p.live && !p.trace {
		return func() {}
	}
	start := p.now()
	shown := false
	var timer *time.Timer
	if p.live {
		timer = time.AfterFunc(time.Second, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			shown = true
			fmt.Fprintf(p.w, "deployorder: %s...\n", name)
		})
	}
	return func() {
		if timer != nil {
			timer.Stop()
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if shown || p.trace {
			fmt.Fprintf(p.w, "deployorder: %s: %.2fs\n", name, p.now().Sub(start).Seconds())
		}
	}
}
