// `while` with a constant counter and `while` with a condition on an active value: the
// derivative follows the iterations actually run.
use chainrule::prelude::*;

#[differentiable]
fn power(x: f64, n: i32) -> f64 {
    let mut y = x;
    let mut i = 0;
    while i < n {
        y *= x;
        i += 1;
    }
    y
}

/// Halves `x` until it is at most 1: x / 2ᵏ, with k fixed near any x that is not a power of 2.
#[differentiable]
fn reduce(x: f64) -> f64 {
    let mut z = x;
    while z > 1.0 {
        z *= 0.5;
    }
    z * z
}

fn main() {
    // x^(n+1): 3⁴ = 81, slope 4·3³ = 108.
    assert_eq!(power_grad(3.0, 3), (81.0, 108.0));
    assert_eq!(power_vjp(3.0, 3, 0.5), (81.0, 54.0));
    assert_eq!(power_jvp(3.0, 2.0, 3), (81.0, 216.0));
    // No iteration: y = x.
    assert_eq!(power_grad(3.0, 0), (3.0, 1.0));
    // 6 -> 3 -> 1.5 -> 0.75: z = x / 8, z² = x² / 64, slope x / 32.
    assert_eq!(reduce_grad(6.0), (0.5625, 0.1875));
    assert_eq!(reduce_jvp(6.0, 1.0), (0.5625, 0.1875));
    // Already small: no iteration, z² with slope 2x.
    assert_eq!(reduce_grad(0.5), (0.25, 1.0));
}
