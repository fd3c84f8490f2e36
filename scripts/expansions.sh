#!/usr/bin/env bash
# Writes the macro expansion of every test, example, benchmark and the runtime into DIR
# (one file each), to compare the code the macro generates before and after a change:
#   scripts/expansions.sh /tmp/before; <change>; scripts/expansions.sh /tmp/after
#   diff -r /tmp/before /tmp/after
# `-Zunpretty=expanded` is a nightly flag; RUSTC_BOOTSTRAP lets the stable compiler take it.
# A development tool only: nothing in CI or in the tests runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/expansions.sh DIR}
mkdir -p "$out"
expand() { # name, cargo target selection...
    local name=$1; shift
    RUSTC_BOOTSTRAP=1 cargo rustc --quiet --profile=check "$@" -- -Zunpretty=expanded >"$out/$name.rs" 2>/dev/null \
        || echo "failed: $name" >&2
}
for t in tests/*.rs; do expand "test-$(basename "$t" .rs)" --test "$(basename "$t" .rs)"; done
for d in tests/*/main.rs; do n=$(basename "$(dirname "$d")"); expand "test-$n" --test "$n"; done
for e in lecture mazur xor newton custom_layer; do expand "example-$e" -p chainrule-examples --example "$e"; done
for b in benches/*.rs; do expand "bench-$(basename "$b" .rs)" --bench "$(basename "$b" .rs)"; done
expand runtime -p chainrule-runtime --lib
