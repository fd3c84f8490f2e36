// A differentiable function may call one defined further down the file, through a chain of
// such calls; a value passed to two calls gathers the gradient from both.
use chainrule::prelude::*;

#[differentiable]
fn outer(x: f64) -> f64 {
    middle(x) + inner(x)
}

#[differentiable]
fn middle(x: f64) -> f64 {
    inner(x) * 2.0
}

#[differentiable]
fn inner(x: f64) -> f64 {
    x * x * x
}

fn main() {
    // outer = 3x³: derivative 9x².
    assert_eq!(outer_grad(2.0), (24.0, 36.0));
    assert_eq!(outer_jvp(2.0, 1.0), (24.0, 36.0));
}
