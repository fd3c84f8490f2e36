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

fn main() {
    let (r, (dx, dy)): (f64, (f64, f64)) = radius_grad((3.0, 4.0));
    assert_eq!((r, dx, dy), (5.0, 0.6, 0.8));
    assert_eq!(radius_jvp((3.0, 4.0), (1.0, 1.0)), (5.0, 1.4));
    let (v, (d0, d1)) = weighted_grad((2.0, 5.0), (0.5, 3.0));
    assert_eq!((v, d0, d1), (17.0, 2.0, 3.0));
}
