//! Issue 3: `#[no_grad]` on a slice parameter. A `#[no_grad]` slice is a constant the body reads
//! by index and measures with `len()`, here as fixed weights: it should differentiate like
//! any slice, without a gradient of its own.
use chainrule::prelude::*;

#[differentiable]
fn weighted_squares(x: &[f64], #[no_grad] c: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..c.len() {
        s += c[i] * x[i] * x[i];
    }
    s
}

fn main() {
    let (x, c) = ([1.0, -2.0], [3.0, 0.5]);
    // Σ cᵢ xᵢ² = 3 + 2, with gradient 2 cᵢ xᵢ.
    let (value, dx) = weighted_squares_grad(&x, &c);
    assert_eq!(value, 5.0);
    assert_eq!(dx, vec![6.0, -2.0]);
}
