// Package panicsite names where a panic happened, for the one-line
// internal errors deployorder prints instead of a stack.
package panicsite

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// Site names the first function of deployorder's code on the stack, and
// its line, looking from skip frames above Site (1: Site's caller; 2, in a
// deferred recover, the frames of the panic past the deferred function)
// and passing over functions whose name contains ignore (when not "").
// "unknown site" if none.
func Site(skip int, ignore string) string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(skip+1, pcs)])
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "github.com/deployorder/") && (ignore == "" || !strings.Contains(f.Function, ignore)) {
			return fmt.Sprintf("%s at %s:%d", f.Function[strings.LastIndex(f.Function, "/")+1:], filepath.Base(f.File), f.Line)
		}
		if !more {
			return "unknown site"
		}
	}
}
