// Package render writes a planner.Plan for people and programs: text for a
// terminal, JSON for pipelines, Markdown for pull-request comments. Every
// renderer reads only the Plan and writes deterministic output.
package render
