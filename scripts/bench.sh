#!/usr/bin/env bash
# bench.sh measures deployorder plan on a large synthetic monorepo, side by
# side with the floor (go list of the whole repository) and git log; or,
# with REPO and RANGE, on a snapshot of a real repository.
#
# It builds ./cmd/deployorder and ./internal/monogen into a temporary
# directory, generates the repository once into a cache directory (reused
# on later runs), and prints, for each measurement, the median wall time of
# RUNS runs after one warm-up run, its ratio to the floor, and the peak RSS
# of the warm-up run (/usr/bin/time -f %M; "n/a" without it) with its ratio
# to the floor's.
#
# Environment (defaults in brackets):
#   PACKAGES [2000] SERVICES [100] CONTRACTS [20] COMMITS [500] SEED [1]
#                    sizes passed to monogen
#   RUNS [5]         timed runs per measurement
#   BENCH_DIR [$HOME/.cache/deployorder-bench]
#                    where generated repositories are kept
#   REPO, RANGE      measure a real repository instead: REPO is a git
#                    repository (only read), RANGE a range in it (its head
#                    as a hash, or a ref of REPO as origin/NAME, e.g.
#                    RANGE=C^..C). REPO is copied once into BENCH_DIR (git
#                    clone --no-hardlinks, so REPO is never written) and
#                    the head of RANGE checked out there; the table has the
#                    floor (go list -deps -json ./... there, or work with a
#                    go.work) and the cold
#                    plan (plan RANGE --no-cache -o json)
#   CLEAR_CACHE [rm -rf the plan cache]
#                    shell command run (untimed) before the warm-up and every
#                    timed run of the cold plan measurements; the plans are
#                    cached in a temporary DEPLOYORDER_CACHE_DIR, so the
#                    cold runs start empty and the re-run reads the cache.
#                    The dependency index kept there too (what the module
#                    cache's and GOROOT's directories hold, which never
#                    changes) stays warm, as the go command's module index
#                    in GOCACHE is for the floor; the rows marked "empty
#                    dependency index" start without it
#
# Usage: scripts/bench.sh            (from anywhere in the repository)
#        RUNS=3 PACKAGES=300 SERVICES=20 COMMITS=100 scripts/bench.sh
#        REPO=~/src/jaeger RANGE=f6fcb05e5f^..f6fcb05e5f scripts/bench.sh
set -euo pipefail

PACKAGES=${PACKAGES:-2000}
SERVICES=${SERVICES:-100}
CONTRACTS=${CONTRACTS:-20}
COMMITS=${COMMITS:-500}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
BENCH_DIR=${BENCH_DIR:-$HOME/.cache/deployorder-bench}
REPO=${REPO:-}
RANGE=${RANGE:-}

if [[ $# -gt 0 ]]; then
	case $1 in
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "bench.sh: unexpected argument $1; settings are environment variables, see scripts/bench.sh --help" >&2
		exit 2
		;;
	esac
fi
if [[ -n $REPO && -z $RANGE || -z $REPO && -n $RANGE ]]; then
	echo "bench.sh: REPO and RANGE go together; set both, e.g. REPO=/path/to/repo RANGE=C^..C" >&2
	exit 2
fi
for v in PACKAGES SERVICES CONTRACTS COMMITS SEED RUNS; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]] || [[ ${!v} -eq 0 && $v != SEED ]]; then
		echo "bench.sh: $v=${!v} is not a positive integer; set it to one, e.g. $v=3" >&2
		exit 2
	fi
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/deployorder-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# deployorder caches finished plans; the cold measurements start from an
# empty cache, the re-run reads the cache the run before it filled.
export DEPLOYORDER_CACHE_DIR=$tmp/plan-cache
CLEAR_CACHE=${CLEAR_CACHE:-rm -rf "$DEPLOYORDER_CACHE_DIR"/plan-*}
log() { echo "bench: $*" >&2; }

# Build the tools with the caller's Go settings, then measure with the
# settings deployorder itself uses for go list.
log "building deployorder and monogen"
(cd "$root" && go build -o "$tmp/deployorder" ./cmd/deployorder && go build -o "$tmp/monogen" ./internal/monogen)
export GOFLAGS= GOTOOLCHAIN=local CGO_ENABLED=0

if [[ -n $REPO ]]; then
	# The head of the range: what follows the last .. (or ...), or the
	# revision itself.
	head=${RANGE##*..}
	head=${head#.}
	if [[ -z $head || $head == "$RANGE" && $RANGE == *..* ]]; then
		head=HEAD
	fi
	if ! sha=$(git -C "$REPO" rev-parse --verify -q "$head^{commit}"); then
		echo "bench.sh: $head (the head of RANGE=$RANGE) is not a commit of $REPO; give a hash or a ref of it" >&2
		exit 2
	fi
	repo="$BENCH_DIR/real-$(basename "$REPO")-${sha:0:12}"
	if [[ -d $repo/.git ]]; then
		log "reusing $repo"
	else
		log "cloning $REPO at ${sha:0:12} into $repo"
		mkdir -p "$BENCH_DIR"
		rm -rf "$repo.tmp"
		git clone -q --no-checkout --no-hardlinks "$REPO" "$repo.tmp"
		if ! git -C "$repo.tmp" -c advice.detachedHead=false checkout -q --detach "$sha"; then
			rm -rf "$repo.tmp"
			echo "bench.sh: cannot check out ${sha:0:12} of $REPO (a snapshot with missing blobs?); pick another commit or repository" >&2
			exit 1
		fi
		mv "$repo.tmp" "$repo"
	fi
else
	# The cache key includes a checksum of the generator, so a changed
	# generator makes a new repository instead of reusing a stale one.
	genhash=$(cat "$root"/internal/monogen/gen/*.go | cksum | cut -d' ' -f1)
	repo="$BENCH_DIR/mono-p$PACKAGES-s$SERVICES-k$CONTRACTS-c$COMMITS-seed$SEED-g$genhash"
	if [[ -d $repo/.git ]]; then
		log "reusing $repo"
	else
		log "generating $repo"
		mkdir -p "$BENCH_DIR"
		rm -rf "$repo.tmp"
		"$tmp/monogen" -out "$repo.tmp" -packages "$PACKAGES" -services "$SERVICES" \
			-contracts "$CONTRACTS" -commits "$COMMITS" -seed "$SEED" >&2
		mv "$repo.tmp" "$repo"
	fi
fi
cd "$repo"

time_bin=$(command -v /usr/bin/time || true)
recent=$((COMMITS < 100 ? COMMITS : 100))
rows=()
failed=0

# seconds prints the wall clock in seconds with a fraction.
seconds() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		echo "${EPOCHREALTIME/,/.}"
	else
		date +%s.%N
	fi
}

# clear_cache CLEAR: see measure.
clear_cache() {
	if [[ $1 == 1 && -n $CLEAR_CACHE ]]; then
		bash -c "$CLEAR_CACHE"
	elif [[ $1 == 2 ]]; then
		rm -rf "$DEPLOYORDER_CACHE_DIR"
	fi
}

# measure NAME OK_CODES CLEAR CMD...: one warm-up run (peak RSS recorded),
# then RUNS timed runs; a run fails unless its exit code is in OK_CODES
# (space separated). CLEAR=1 runs CLEAR_CACHE before each timed run,
# CLEAR=2 empties DEPLOYORDER_CACHE_DIR (the dependency index too).
measure() {
	local name=$1 ok=" $2 " clear=$3 rc rss=n/a t0 t1 i times=()
	shift 3
	log "measuring $name"
	rc=0
	clear_cache "$clear"
	if [[ -n $time_bin ]]; then
		"$time_bin" -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || rc=$?
		rss=$(tail -n 1 "$tmp/rss" | awk '{ printf "%.0f", $1 / 1024 }')
	else
		"$@" >/dev/null 2>"$tmp/err" || rc=$?
	fi
	for ((i = 0; i < RUNS; i++)); do
		[[ $ok == *" $rc "* ]] || break
		clear_cache "$clear"
		rc=0
		t0=$(seconds)
		"$@" >/dev/null 2>"$tmp/err" || rc=$?
		t1=$(seconds)
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
	done
	if [[ $ok != *" $rc "* ]]; then
		log "$name failed with exit code $rc: $*"
		sed 's/^/  /' "$tmp/err" | tail -n 20 >&2
		rows+=("$name|failed (exit $rc)|$rss")
		failed=1
		return
	fi
	rows+=("$name|$(printf '%s\n' "${times[@]}" | sort -g | awk '
		{ t[NR] = $1 }
		END { if (NR % 2) printf "%.3f", t[(NR + 1) / 2]; else printf "%.3f", (t[NR / 2] + t[NR / 2 + 1]) / 2 }')|$rss")
}

if [[ -n $REPO ]]; then
	if [[ -f go.work ]]; then
		# A workspace's packages are all its modules': "work" lists them,
		# as deployorder does, where ./... lists the root module only.
		measure "floor: go list -deps -json work" "0" 0 go list -deps -json work
	else
		measure "floor: go list -deps -json ./..." "0" 0 go list -deps -json ./...
	fi
	measure "plan $RANGE --no-cache, empty dependency index" "0 2" 2 "$tmp/deployorder" plan "$RANGE" --no-cache -o json
	measure "plan $RANGE --no-cache" "0 2" 0 "$tmp/deployorder" plan "$RANGE" --no-cache -o json
else
	git checkout -q -f plain
	measure "floor: go list -deps -json ./..." "0" 0 go list -deps -json ./...
	measure "git log --first-parent --name-status base..plain" "0" 0 git log --first-parent --name-status base..plain
	measure "plan plain~$recent..plain" "0 2" 1 "$tmp/deployorder" plan "plain~$recent..plain" -o json
	measure "plan base..plain" "0 2" 1 "$tmp/deployorder" plan base..plain -o json
	measure "plan base..plain (warm re-run, cached)" "0 2" 0 "$tmp/deployorder" plan base..plain -o json
	git checkout -q -f contracts
	measure "plan contracts~$recent..contracts" "0 2" 1 "$tmp/deployorder" plan "contracts~$recent..contracts" -o json
	measure "plan base..contracts, empty dependency index" "0 2" 2 "$tmp/deployorder" plan base..contracts -o json
	measure "plan base..contracts" "0 2" 1 "$tmp/deployorder" plan base..contracts -o json
	git checkout -q -f plain
fi

IFS='|' read -r _ floor floor_rss <<<"${rows[0]}"
# ratio M F prints M/F as "1.23x", or - when either is not a number.
ratio() {
	if [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]]; then
		awk -v m="$1" -v f="$2" 'BEGIN { if (f <= 0) print "-"; else if (m / f < 10) printf "%.2fx", m / f; else printf "%.1fx", m / f }'
	else
		echo -
	fi
}
echo
printf '%-66s %10s %9s %13s %9s\n' "measurement" "median s" "x floor" "peak RSS MiB" "x floor"
for row in "${rows[@]}"; do
	IFS='|' read -r name median rss <<<"$row"
	printf '%-66s %10s %9s %13s %9s\n' "$name" "$median" "$(ratio "$median" "$floor")" "$rss" "$(ratio "$rss" "$floor_rss")"
done
echo
echo "median of RUNS=$RUNS runs after one warm-up; peak RSS of the warm-up run"
echo "repository: $repo"
echo "deployorder: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
echo "machine: $(nproc) CPUs, $(go version | cut -d' ' -f3-), $(uname -sm)$(awk -F': ' '/^model name/ { print ", " $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
if [[ -n $REPO ]]; then
	echo "reproduce: REPO=$REPO RANGE=$RANGE RUNS=$RUNS BENCH_DIR=$BENCH_DIR scripts/bench.sh"
else
	echo "reproduce: PACKAGES=$PACKAGES SERVICES=$SERVICES CONTRACTS=$CONTRACTS COMMITS=$COMMITS SEED=$SEED RUNS=$RUNS BENCH_DIR=$BENCH_DIR scripts/bench.sh"
fi
exit $failed
