#!/usr/bin/env bash
# How the macro's expansion time grows with the size of a function: for each N given
# (default 1500 3000 6000 12000), a crate with one #[differentiable] function of N
# statements (`let mut` updates of a few accumulators, some under a loop), checked with
# and without the macro; prints seconds for both. Reuses one target directory under
# target/compile-time, so only the first run builds syn and the macro.
#   scripts/compile-time.sh 1500 3000 6000 12000
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sizes=${*:-1500 3000 6000 12000}
dir=$root/target/compile-time
mkdir -p "$dir/src"
cp Cargo.lock "$dir/Cargo.lock"
cat >"$dir/Cargo.toml" <<TOML
[package]
name = "compile-time"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
chainrule = { path = "$root" }

[workspace]
TOML
body() { # n statements
    local n=$1 i
    echo "    let mut a = x;"
    echo "    let mut b = y;"
    echo "    let mut s = 0.0;"
    for ((i = 0; i < n; i++)); do
        case $((i % 4)) in
            0) echo "    let mut t$i = a * 0.5 + b;" ;;
            1) echo "    a = (a * 0.999).sin() + t$((i - 1)) * 0.001;" ;;
            2) echo "    b = b * 0.998 + a * 0.002;" ;;
            3) echo "    s += a * b;" ;;
        esac
    done
    echo "    s + a + b"
}
for n in $sizes; do
    for attr in "#[differentiable]" ""; do
        {
            echo "#![allow(unused_mut, unused_variables, clippy::all)]"
            echo "use chainrule::prelude::*;"
            echo "$attr"
            echo "pub fn f(x: f64, y: f64) -> f64 {"
            body "$n"
            echo "}"
            echo "fn main() { println!(\"{}\", f(0.1, 0.2)); }"
        } >"$dir/src/main.rs"
        # Dependencies first, untimed; then the crate itself.
        cargo check --quiet --offline --manifest-path "$dir/Cargo.toml" 2>/dev/null || true
        touch "$dir/src/main.rs"
        start=$(date +%s.%N)
        cargo check --quiet --offline --manifest-path "$dir/Cargo.toml"
        end=$(date +%s.%N)
        label=${attr:-plain}
        printf '%6d statements %-18s %8.2f s\n' "$n" "$label" "$(awk "BEGIN { print $end - $start }")"
    done
done
