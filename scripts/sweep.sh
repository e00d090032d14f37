#!/usr/bin/env bash
# sweep.sh runs deployorder plan on each first-parent commit of a range in a
# real repository and prints a summary: panics, errors, verdicts, findings,
# times and the commits to review. It builds ./cmd/deployorder into a
# temporary directory and passes it to ./internal/sweep; the arguments are
# sweep's (see internal/sweep/main.go).
#
# Usage: scripts/sweep.sh [-C DIR] [-n N] [-j 1] [-timeout 10m] [-out FILE.jsonl] [-- extra plan flags] RANGE
#        scripts/sweep.sh -C ~/src/etcd -out etcd.jsonl HEAD~100..HEAD
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/deployorder-sweep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cd "$root"
go build -o "$tmp/deployorder" ./cmd/deployorder
go run ./internal/sweep -bin "$tmp/deployorder" "$@"
