// Indexing the array a differentiable call returns: refused with the `&mut` output form.
use chainrule::prelude::*;

#[differentiable]
fn scaled(x: f64) -> [f64; 2] {
    [x, 2.0 * x]
}

#[differentiable]
fn f(x: f64) -> f64 {
    let c = scaled(x);
    c[1]
}

fn main() {
    let _ = f_grad(2.0);
}
