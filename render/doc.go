// Package render writes a planner.Plan for people and programs: text for a
// terminal, JSON for pipelines, Markdown for pull-request comments (with a
// Mermaid graph, trimmed under GitHub's comment limit), Mermaid alone, and
// GitHub Actions workflow commands for findings with a position. Every
// renderer reads only the Plan and writes deterministic output. For
// people, findings with one cause are one line, and the warnings and infos
// shown are capped (findings.go); JSON and github keep every finding.
package render
