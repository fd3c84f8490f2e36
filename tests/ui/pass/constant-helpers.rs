// Tests of values and assertions stay in the primal and are not differentiated:
// `is_finite()` / `is_nan()` in conditions, `assert!` / `debug_assert!`, `let _ = ..`.
use chainrule::prelude::*;

#[differentiable]
fn guarded(x: f64, y: f64) -> f64 {
    assert!(y.is_finite(), "y must be finite, not {}", y);
    debug_assert!(x > -100.0);
    let _ = x * y;
    let r = (x * x + y).sqrt();
    if r.is_nan() || !r.is_finite() { 0.0 } else { r * x }
}

fn main() {
    // r = sqrt(x² + y) = 2 at (1, 3): value 2, ∂/∂x = r + x²/r = 2.5, ∂/∂y = x / (2r) = 0.25.
    let (value, (dx, dy)) = guarded_grad(1.0, 3.0);
    assert!((value - 2.0).abs() < 1e-15 && (dx - 2.5).abs() < 1e-15 && (dy - 0.25).abs() < 1e-15);
    // The square root of a negative is NaN, so the guarded branch: the value 0.
    assert_eq!(guarded(0.5, -1.0), 0.0);
}
