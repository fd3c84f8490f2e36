// `stop_gradient` detaches one float; an array (or a wrong number of arguments) is an error
// on the call that says what to write.
use chainrule::prelude::*;

#[differentiable]
fn f(x: &[f64]) -> f64 {
    let _y = stop_gradient(x);
    x[0]
}

#[differentiable]
fn g(x: f64, y: f64) -> f64 {
    stop_gradient(x, y)
}

fn main() {}
