// Inputs are drawn one node per float: a struct parameter is refused on its type, with the
// two ways out (a constant, or its floats passed).
use chainrule::prelude::*;

#[derive(Differentiable)]
struct Line {
    w: f64,
    b: f64,
}

#[differentiable(graph)]
fn f(line: &Line, x: f64) -> f64 {
    line.w * x + line.b
}

fn main() {}
