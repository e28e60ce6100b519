#!/usr/bin/env bash
# CI, again and again, on a loaded machine: the check that no test depends
# on how fast the machine is.
#
#   tools/ci_under_load.sh [RUNS] [COMMIT]
#
# Clones COMMIT (default: HEAD) of this checkout RUNS times (default 3), each
# into a fresh folder with ../shared beside it, as CI does, and runs CI's
# command (.ci/run: set-up, pure tier, Odoo tier) in each clone, one after
# the other, while a busy loop started here keeps one core busy. The busy
# loop is stopped when the script ends, however it ends.
#
# Each run's log is kept in .ci/out/under-load/run-N.log; the script prints
# each run's outcome and exits non-zero unless every run is green.
#
# Environment: UNDER_LOAD_DIR (where the clones go; default a new folder in
# $TMPDIR, removed at the end), BUSY_CORES (default 1).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
commit=$(git -C "$repo" rev-parse --verify "${2:-HEAD}^{commit}") || exit 2
busy_cores=${BUSY_CORES:-1}
shared=$(readlink -f "$repo/../shared" 2>/dev/null || true)
if [ -z "$shared" ] || [ ! -d "$shared" ]; then
    echo "../shared is not beside $repo: CI runs with it there." >&2
    exit 2
fi
out="$repo/.ci/out/under-load"
mkdir -p "$out"
work=${UNDER_LOAD_DIR:-$(mktemp -d -t bigcommerce-under-load.XXXXXX)}
busy_pids=()
cleanup() {
    for pid in "${busy_pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait "${busy_pids[@]}" 2>/dev/null
    [ -n "${UNDER_LOAD_DIR:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for _core in $(seq "$busy_cores"); do
    # A plain busy loop: one core's worth of other work.
    bash -c 'while :; do :; done' &
    busy_pids+=($!)
done
echo "busy loop(s) started: ${busy_pids[*]} (on $(nproc) cores)"
echo "commit $(git -C "$repo" log -1 --format='%h %s' "$commit")"

green=0
results=()
for run in $(seq "$runs"); do
    dir="$work/run-$run"
    mkdir -p "$dir"
    ln -sfn "$shared" "$dir/shared"
    git clone -q --no-hardlinks "$repo" "$dir/addon"
    git -C "$dir/addon" checkout -q --detach "$commit"
    log="$out/run-$run.log"
    started=$(date +%s)
    echo "run $run/$runs: bash .ci/run in $dir/addon (log: $log)"
    (cd "$dir/addon" && bash .ci/run) >"$log" 2>&1
    rc=$?
    seconds=$(($(date +%s) - started))
    for pid in "${busy_pids[@]}"; do
        kill -0 "$pid" 2>/dev/null || echo "  (the busy loop $pid had stopped)"
    done
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [ "$rc" -eq 0 ]; then
        green=$((green + 1))
        results+=("run $run: green, ${summary:-no summary}, ${seconds}s")
    else
        results+=("run $run: FAILED (exit $rc), ${summary:-no summary}, ${seconds}s")
        grep -E "(FAIL|ERROR): " "$log" | sed 's/^/    /' | head -20
    fi
    echo "  ${results[-1]}"
    # The clone's set-up is its own: drop it before the next run.
    rm -rf "$dir"
done

echo
printf '%s\n' "${results[@]}"
echo "$green of $runs runs green under load (commit ${commit:0:7})"
[ "$green" -eq "$runs" ]
