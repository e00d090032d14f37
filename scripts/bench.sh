#!/usr/bin/env bash
# bench.sh measures deployorder plan on a large synthetic monorepo, side by
# side with the floor (go list of the whole repository) and git log; or,
# with REPO and RANGE, on a snapshot of a real repository.
#
# It builds ./cmd/deployorder and ./internal/monogen into a temporary
# directory, generates the repository once into a cache directory (reused
# on later runs), and prints, for each measurement, the median wall time of
# RUNS runs after one warm-up run, its ratio to the floor, and the largest
# peak RSS of its runs (/usr/bin/time -f %M; "n/a" without it) with its
# ratio to the floor's. The runs are interleaved: each of RUNS rounds runs
# every measurement once, so a machine whose speed drifts slows them alike.
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
#                    The dependency index and the dependencies' types kept
#                    there too (what the module cache's and GOROOT's
#                    directories hold, which never changes) stay warm, as
#                    the go command's module index in GOCACHE is for the
#                    floor; the rows marked "empty dependency index and
#                    types" start without them
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

# add NAME OK_CODES CLEAR CMD...: a measurement of the current group; a run
# fails unless its exit code is in OK_CODES (space separated). CLEAR=1 runs
# CLEAR_CACHE before each run, CLEAR=2 empties DEPLOYORDER_CACHE_DIR (the
# dependency index too).
names=() oks=() clears=() cmds=() group=()
add() {
	names+=("$1")
	oks+=(" $2 ")
	clears+=("$3")
	shift 3
	cmds+=("$(printf '%q ' "$@")")
	group+=(${#names[@]})
}

# run I: one run of measurement I; it records the wall time in seconds
# (and, with /usr/bin/time, the peak RSS in KiB) in $tmp/times.I and
# returns its exit code.
run() {
	local i=$1 rc=0 t0 t1
	clear_cache "${clears[i - 1]}"
	t0=$(seconds)
	if [[ -n $time_bin ]]; then
		eval "\"\$time_bin\" -f %M -o \"\$tmp/rss\" ${cmds[i - 1]}" >/dev/null 2>"$tmp/err.$i" || rc=$?
	else
		eval "${cmds[i - 1]}" >/dev/null 2>"$tmp/err.$i" || rc=$?
	fi
	t1=$(seconds)
	awk -v a="$t0" -v b="$t1" -v r="$([[ -n $time_bin ]] && tail -n 1 "$tmp/rss" || echo 0)" 'BEGIN { printf "%.4f %d\n", b - a, r }' >>"$tmp/times.$i"
	return $rc
}

# measure_group: one warm-up run of each measurement of the group, then
# RUNS rounds that each run every measurement once, in turn: on a shared
# machine whose speed drifts from one minute to the next, interleaved
# runs compare what sequential blocks of runs would not.
measure_group() {
	local i r rc
	declare -A bad=()
	for i in "${group[@]}"; do
		log "warming up ${names[i - 1]}"
		rc=0
		run "$i" || rc=$?
		if [[ ${oks[i - 1]} != *" $rc "* ]]; then
			bad[$i]=$rc
		fi
	done
	for ((r = 1; r <= RUNS; r++)); do
		log "round $r of $RUNS"
		for i in "${group[@]}"; do
			[[ -n ${bad[$i]:-} ]] && continue
			rc=0
			run "$i" || rc=$?
			if [[ ${oks[i - 1]} != *" $rc "* ]]; then
				bad[$i]=$rc
			fi
		done
	done
	for i in "${group[@]}"; do
		if [[ -n ${bad[$i]:-} ]]; then
			log "${names[i - 1]} failed with exit code ${bad[$i]}: ${cmds[i - 1]}"
			sed 's/^/  /' "$tmp/err.$i" | tail -n 20 >&2
			rows+=("${names[i - 1]}|failed (exit ${bad[$i]})|n/a")
			failed=1
			continue
		fi
		# The median of the timed runs (the warm-up, the first line, left
		# out) and the largest peak RSS of them all.
		rows+=("${names[i - 1]}|$(tail -n +2 "$tmp/times.$i" | sort -g | awk '
			{ t[NR] = $1 }
			END { if (NR % 2) printf "%.3f", t[(NR + 1) / 2]; else printf "%.3f", (t[NR / 2] + t[NR / 2 + 1]) / 2 }')|$(
			[[ -n $time_bin ]] && awk '$2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$tmp/times.$i" || echo n/a)")
	done
	group=()
}

if [[ -n $REPO ]]; then
	if [[ -f go.work ]]; then
		# A workspace's packages are all its modules': "work" lists them,
		# as deployorder does, where ./... lists the root module only.
		add "floor: go list -deps -json work" "0" 0 go list -deps -json work
	else
		add "floor: go list -deps -json ./..." "0" 0 go list -deps -json ./...
	fi
	add "plan $RANGE --no-cache, empty dependency index and types" "0 2" 2 "$tmp/deployorder" plan "$RANGE" --no-cache -o json
	add "plan $RANGE --no-cache" "0 2" 0 "$tmp/deployorder" plan "$RANGE" --no-cache -o json
	measure_group
else
	git checkout -q -f plain
	add "floor: go list -deps -json ./..." "0" 0 go list -deps -json ./...
	add "git log --first-parent --name-status base..plain" "0" 0 git log --first-parent --name-status base..plain
	add "plan plain~$recent..plain" "0 2" 1 "$tmp/deployorder" plan "plain~$recent..plain" -o json
	add "plan base..plain" "0 2" 1 "$tmp/deployorder" plan base..plain -o json
	measure_group
	# The warm re-run reads what the cold run before it cached: it runs on
	# its own, after them.
	add "plan base..plain (warm re-run, cached)" "0 2" 0 "$tmp/deployorder" plan base..plain -o json
	measure_group
	git checkout -q -f contracts
	add "plan contracts~$recent..contracts" "0 2" 1 "$tmp/deployorder" plan "contracts~$recent..contracts" -o json
	add "plan base..contracts, empty dependency index and types" "0 2" 2 "$tmp/deployorder" plan base..contracts -o json
	add "plan base..contracts" "0 2" 1 "$tmp/deployorder" plan base..contracts -o json
	measure_group
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
echo "median of RUNS=$RUNS interleaved runs after one warm-up each; largest peak RSS of all runs"
echo "repository: $repo"
echo "deployorder: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
echo "machine: $(nproc) CPUs, $(go version | cut -d' ' -f3-), $(uname -sm)$(awk -F': ' '/^model name/ { print ", " $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
if [[ -n $REPO ]]; then
	echo "reproduce: REPO=$REPO RANGE=$RANGE RUNS=$RUNS BENCH_DIR=$BENCH_DIR scripts/bench.sh"
else
	echo "reproduce: PACKAGES=$PACKAGES SERVICES=$SERVICES CONTRACTS=$CONTRACTS COMMITS=$COMMITS SEED=$SEED RUNS=$RUNS BENCH_DIR=$BENCH_DIR scripts/bench.sh"
fi
exit $failed
