// A struct parameter is passed on whole to a call, but a struct field is not yet: the field
// is read as an array, which it is not.
use chainrule::prelude::*;

#[derive(Differentiable)]
struct Line {
    w: f64,
}

#[derive(Differentiable)]
struct Model {
    line: Line,
}

#[differentiable]
fn g(p: &Line, x: f64) -> f64 {
    p.w * x
}

#[differentiable]
fn f(m: &Model, x: f64) -> f64 {
    g(&m.line, x) * x
}

fn main() {
    let _ = f_grad(&Model { line: Line { w: 1.0 } }, 2.0);
}
