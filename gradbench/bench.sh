#!/usr/bin/env bash
# Builds chainrule-gradbench and runs GradBench's evals against it with the scripts of
# ../shared/gradbench (run.sh: GradBench's own evals, validated against its `manual`
# tool), then prints the table of every log in OUT_DIR (so a run of run-peers.sh into the
# same OUT_DIR is compared in the same table).
#   gradbench/bench.sh OUT_DIR [EVAL...]        (default: all twelve)
# Environment: as run.sh (GB_DIR, GB_EVAL_ARGS, GB_MIN_RUNS, ...); GB_SCRIPTS is the
# folder of run.sh (default ../shared/gradbench next to this repository).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPTS="${GB_SCRIPTS:-$HERE/../../shared/gradbench}"
OUT="${1:?usage: bench.sh OUT_DIR [EVAL...]}"
shift
EVALS=("$@")
[ ${#EVALS[@]} -eq 0 ] && EVALS=(hello lse llsq det ode kmeans gmm lstm ba ht particle saddle)
cargo build --release --quiet --manifest-path "$HERE/Cargo.toml" || exit 1
TOOL="$HERE/../target/release/chainrule-gradbench"
status=0
for e in "${EVALS[@]}"; do
  GB_TOOL_NAME=chainrule "$SCRIPTS/run.sh" "$e" "$TOOL" "$OUT" > "$OUT.$e.log" 2>&1 || status=1
  grep -E "^outcome|INVALID" "$OUT.$e.log" | sed "s/^/$e: /"
done
python3 "$SCRIPTS/summarize.py" --stat min --geomean "$OUT"/*/*.jsonl
exit $status
