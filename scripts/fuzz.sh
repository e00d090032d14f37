#!/usr/bin/env bash
# fuzz.sh runs each fuzz target for FUZZTIME, one after another, prints each
# target's result, and exits non-zero if any of them failed.
#
# Targets: FuzzParseSpec (./gitdiff), FuzzParse (./config),
# FuzzParseProtoTag and FuzzJSONTag (./contract).
#
# go test -fuzz keeps the inputs it finds interesting in its cache
# (GOCACHE/fuzz), not in the repository; it writes to testdata/fuzz/<Target>
# only the input that made a target fail. A failing target's new files are
# kept (commit them: they become regression seeds); anything a passing
# target left under testdata/fuzz is removed, so that a clean run leaves
# the tree as it was.
#
# Environment (defaults in brackets):
#   FUZZTIME [30s]   how long to fuzz each target (a go test -fuzztime value)
#
# Usage: scripts/fuzz.sh              (from anywhere in the repository)
#        FUZZTIME=2m scripts/fuzz.sh
set -uo pipefail

FUZZTIME=${FUZZTIME:-30s}
cd "$(dirname "$0")/.."

targets=(
	"FuzzParseSpec ./gitdiff"
	"FuzzParse ./config"
	"FuzzParseProtoTag ./contract"
	"FuzzJSONTag ./contract"
)

# corpus_files lists the files under a package's testdata/fuzz/<target>.
corpus_files() {
	local dir="$1/testdata/fuzz/$2"
	[ -d "$dir" ] && find "$dir" -type f | LC_ALL=C sort
	return 0
}

failed=()
for t in "${targets[@]}"; do
	read -r name pkg <<<"$t"
	echo "=== $name ($pkg, $FUZZTIME)"
	before=$(corpus_files "$pkg" "$name")
	had_fuzz_dir=false
	[ -d "$pkg/testdata/fuzz" ] && had_fuzz_dir=true
	had_testdata=false
	[ -d "$pkg/testdata" ] && had_testdata=true

	start=$SECONDS
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1 | sed 's/^/    /'
	status=${PIPESTATUS[0]}
	took=$((SECONDS - start))

	new=$(LC_ALL=C comm -13 <(printf '%s\n' "$before") <(corpus_files "$pkg" "$name") | sed '/^$/d')
	if [ "$status" -eq 0 ]; then
		echo "--- $name: ok (${took}s)"
		# A passing run should write nothing; remove whatever it left.
		if [ -n "$new" ]; then
			printf '%s\n' "$new" | xargs rm -f
		fi
		rmdir "$pkg/testdata/fuzz/$name" 2>/dev/null
		$had_fuzz_dir || rmdir "$pkg/testdata/fuzz" 2>/dev/null
		$had_testdata || rmdir "$pkg/testdata" 2>/dev/null
	else
		echo "--- $name: FAILED (exit $status, ${took}s)"
		if [ -n "$new" ]; then
			echo "    failing input kept (re-run it with: go test -run '$name/<file>' $pkg):"
			printf '%s\n' "$new" | sed 's/^/      /'
		fi
		failed+=("$name")
	fi
done

echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz: all ${#targets[@]} targets passed ($FUZZTIME each)"
