//! Real Rust in (issue 11): constructs numerical code is written with, each differentiated
//! in both modes and checked by the shared property checks (finite differences, forward
//! against reverse, values bit for bit) and by values worked by hand.

// Index loops are one of the forms checked here.
#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::prelude::*;

// ---- Tests of values, assertions, discarded values. -------------------------------------------

/// `is_finite` / `is_nan` on a differentiated value decide a branch; assertions stay in the
/// code; `let _ = ..` discards.
#[differentiable]
fn guarded(x: f64, y: f64) -> f64 {
    assert!(y.is_finite(), "y must be finite, not {}", y);
    debug_assert!(x > -100.0);
    let _ = x * y;
    let r = (x * x + y).sqrt();
    if r.is_nan() || !r.is_finite() { 0.0 } else { r * x }
}

// ---- Destructuring. ---------------------------------------------------------------------------

/// `let (a, b) = (.., ..)`, including a swap.
#[differentiable]
fn rotated(x: f64, t: f64) -> f64 {
    let (c, s) = (t.cos(), t.sin());
    let (mut u, mut v) = (x * c, x * s);
    for _ in 0..3 {
        (u, v) = (v, -u);
    }
    let (u, v) = (v, u);
    u * 2.0 + v
}

#[test]
fn destructured_values_are_differentiated() {
    let (value, (dx, dt)) = rotated_grad(1.5, 0.3);
    let (c, s) = (0.3f64.cos(), 0.3f64.sin());
    // Three quarter turns: (u, v) = (x c, x s) -> (-x s, x c); then swapped.
    assert!((value - (1.5 * c * 2.0 - 1.5 * s)).abs() < 1e-12, "{value}");
    assert!((dx - (2.0 * c - s)).abs() < 1e-12 && (dt - 1.5 * (-2.0 * s - c)).abs() < 1e-12);
}

mod properties {
    use crate::property;

    property!(guarded, guarded_grad, guarded_jvp, [x in -2.0..2.0, y in 0.1..3.0] where x * x + y > 1e-3);
    property!(rotated, rotated_grad, rotated_jvp, [x in -2.0..2.0, t in -3.0..3.0]);
}
