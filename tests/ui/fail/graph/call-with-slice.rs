// A call is drawn as one node with the callee's gradient along each float argument: a call
// passing a slice is refused on the call, not left to fail in generated code.
use chainrule::prelude::*;

#[differentiable]
fn sum(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        s += xs[i];
    }
    s
}

#[differentiable(graph)]
fn f(xs: &[f64], w: f64) -> f64 {
    sum(xs) * w
}

fn main() {}
