// Package planner turns what a commit range changes into a rollout plan:
// which services deploy, in which order, which changes must be split into
// expand -> switch -> contract steps, and how to roll back.
//
// The Plan is plain data and the JSON output is its serialisation
// (schema_version 1); renderers read only the Plan. Build is a pure function
// of its Input: the same range, workspace and config give the same Plan,
// with every list sorted. Even the clock comes in as data: acceptances
// (Acceptances: the config's and the commits' Deploy-Order-Accept
// trailers) expire against Input.Today.
package planner
