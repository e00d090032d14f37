// Package config reads deployorder.yaml, the optional file at the root of a
// monorepo that declares, renames or excludes services, marks paths that
// never affect a deploy, adds, excludes or binds wire contracts, and
// accepts breaks. Starter writes a first one for deployorder init.
//
// Guarantees: a Config returned without error has unique service names,
// valid globs, contract types of the form importpath.Type, a non-negative
// soak, and acceptances with a rule, an element glob and a reason; what
// Starter writes parses. Every error names the file and line and says how to
// fix it; unknown keys are errors, so a typo never silently changes a plan.
package config
