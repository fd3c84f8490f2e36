// Tuple parameters, destructured in the signature or named and read by field: their
// tangents and gradients are tuples of the same shape.
use chainrule::prelude::*;

#[differentiable]
fn radius((x, y): (f64, f64)) -> f64 {
    x.hypot(y)
}

#[differentiable]
fn weighted(p: (f64, f64), #[no_grad] w: (f64, f64)) -> f64 {
    w.0 * p.0 * p.0 + w.1 * p.1
}

/// Tuples passed to calls: a tuple parameter passed on, a local tuple, one written out.
#[differentiable]
fn calls(p: (f64, f64), x: f64) -> f64 {
    let q = (p.1, x);
    radius(p) + radius(q) * weighted((x, 1.0), (2.0, 0.5))
}

fn main() {
    // radius(3, 4) + radius(4, 0)·weighted((0, 1), ..) at x = 0: 5 + 4 · 0.5.
    let (v, (dp, dx)) = calls_grad((3.0, 4.0), 0.0);
    assert_eq!((v, dp), (7.0, (0.6, 0.8 + 0.5)));
    // ∂/∂x: radius(q)'s x-partial is 0 at x = 0; weighted's is 2 · 2 · 0 = 0.
    assert_eq!(dx, 0.0);
    let (r, (dx, dy)): (f64, (f64, f64)) = radius_grad((3.0, 4.0));
    assert_eq!((r, dx, dy), (5.0, 0.6, 0.8));
    assert_eq!(radius_jvp((3.0, 4.0), (1.0, 1.0)), (5.0, 1.4));
    let (v, (d0, d1)) = weighted_grad((2.0, 5.0), (0.5, 3.0));
    assert_eq!((v, d0, d1), (17.0, 2.0, 3.0));
}
