// A Hessian (a matrix) called inside a differentiable function is refused with our message:
// only the companions whose results are floats have a protocol there.
use chainrule::prelude::*;

#[differentiable]
fn energy<F: Float>(x: F, y: F) -> F {
    x * x * y
}

#[differentiable]
fn curvature(x: f64, y: f64) -> f64 {
    let (value, _, _) = energy_hessian(x, y);
    value * x
}

fn main() {
    let _ = curvature_grad(1.0, 2.0);
}
