// Rows of a local `Vec`, as many as the data says: `vec![[0.0; 2]; n]`, written and read by
// element, iterated by row; differentiated in both modes.
#![deny(warnings)]
use chainrule::prelude::*;

#[differentiable]
fn squares_of_pairs(xs: &[f64]) -> f64 {
    let n = xs.len() / 2;
    let mut r = vec![[0.0; 2]; n];
    for k in 0..n {
        r[k][0] = xs[2 * k] * xs[2 * k];
        r[k][1] = xs[2 * k + 1];
    }
    let mut s = 0.0;
    for row in r.iter() {
        s += row[0] * row[1];
    }
    s
}

fn main() {
    let xs = [1.0, 2.0, 3.0, 4.0];
    let (value, dx) = squares_of_pairs_grad(&xs);
    // 1·2 + 9·4; ∂/∂x₀ = 2·1·2, ∂/∂x₁ = 1, ∂/∂x₂ = 2·3·4, ∂/∂x₃ = 9.
    assert_eq!((value, dx), (38.0, vec![4.0, 1.0, 24.0, 9.0]));
    assert_eq!(squares_of_pairs_jvp(&xs, &[0.0, 0.0, 1.0, 0.0]).1, 24.0);
}
