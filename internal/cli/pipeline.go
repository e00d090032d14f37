package cli

import (
	"context"

	"github.com/deployorder/deployorder/pipeline"
	"github.com/deployorder/deployorder/planner"
)

// source is the shared flags of the commands that read a repository.
type source struct {
	dir     string // -C
	config  string // --config
	offline bool   // --offline
	quiet   bool   // -q
	noCache bool   // --no-cache
}

// options turns the flags into pipeline options that read the environment
// through e and report phases on e's stderr.
func (s source) options(e *Env) pipeline.Options {
	prog := newProgress(e, s.quiet)
	return pipeline.Options{Dir: s.dir, Config: s.config, Offline: s.offline, NoCache: s.noCache,
		Getenv: e.Getenv, Environ: e.Environ(), Phase: prog.phase, Today: e.Now()}
}

// computePlan runs the pipeline for a range spec ("" for the default range).
func computePlan(ctx context.Context, e *Env, s source, spec string) (*planner.Plan, error) {
	return pipeline.Plan(ctx, spec, s.options(e))
}
