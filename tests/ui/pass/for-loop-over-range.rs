// `for` over integer ranges: `a..b`, `a..=b`, `.rev()`, `.step_by(k)` and both together,
// with the loop variable used as a constant in the body and an active accumulator carried
// across iterations, checked against the derivative of the unrolled polynomial.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, n: usize) -> f64 {
    let mut y = x;
    for _ in 0..3 {
        y *= x;
    }
    // Horner's rule: the coefficients n, n - 1, ..., 1, leading first.
    let mut p = 0.0;
    for k in (1..=n).rev() {
        p = p * x + k as f64;
    }
    let mut odd = 0.0;
    for k in (1..8).step_by(2) {
        odd += x * k as f64;
    }
    let mut down = 0.0;
    for k in (0..6).step_by(2).rev() {
        down = down * 0.5 + x * k as f64;
    }
    y + p + odd + down
}

fn main() {
    // n = 3: y = x⁴, p = 3x² + 2x + 1, odd = (1 + 3 + 5 + 7)x = 16x, and `down` sees
    // k = 4, 2, 0 in that order: ((4x)·0.5 + 2x)·0.5 + 0 = 2x.
    let x: f64 = 1.5;
    let value = x.powi(4) + (3.0 * x * x + 2.0 * x + 1.0) + 16.0 * x + 2.0 * x;
    let slope = 4.0 * x.powi(3) + (6.0 * x + 2.0) + 16.0 + 2.0;
    let (v, d) = f_grad(x, 3);
    assert!((v - value).abs() < 1e-12, "{v} vs {value}");
    assert!((d - slope).abs() < 1e-12, "{d} vs {slope}");
    assert_eq!(f_vjp(x, 3, 2.0), (v, 2.0 * d));
    let (v2, t) = f_jvp(x, 1.0, 3);
    assert_eq!(v2, v);
    assert!((t - slope).abs() < 1e-12);
    // An empty range runs no iteration: p = 0.
    assert_eq!(f_grad(2.0, 0).0, 16.0 + 32.0 + 4.0);
}
