// A `for` loop is rejected on the loop, with the advice to unroll it.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut y = x;
    for _ in 0..3 {
        y *= x;
    }
    y
}

fn main() {
    let _ = f_grad(1.0);
}
