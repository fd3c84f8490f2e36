// Rows of floats are read by element, by row or iterated; passing them on whole is refused
// on the name.
use chainrule::prelude::*;

#[differentiable]
fn first(m: &[[f64; 2]]) -> f64 {
    m[0][0]
}

#[differentiable]
fn f(m: &[[f64; 2]]) -> f64 {
    first(m) * m[0][1]
}

fn main() {
    let _ = f_grad(&[[1.0, 2.0]]);
}
