// A `_` in a nested pattern stands for one float: over an array gradient it would shift the
// names after it onto the wrong floats, so it is refused at compile time.
use chainrule::prelude::*;

#[differentiable]
fn objective<F: Float>(p: [F; 2], q: [F; 2]) -> F {
    p[0] * p[1] - q[0] * q[0] - q[1] * q[1]
}

#[differentiable]
fn second(p: [f64; 2], q: [f64; 2]) -> f64 {
    let (_, (_, [g0, g1])) = objective_grad(p, q);
    g0 + 10.0 * g1
}

fn main() {
    let _ = second_grad([0.3, 0.7], [2.0, 5.0]);
}
