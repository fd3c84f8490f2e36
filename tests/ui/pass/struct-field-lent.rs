// A struct parameter is passed on whole to a call, and so are its fields (`&m.line`, `&m.w`):
// the callee takes the same field of the tangent and of the shadow, whether it is a struct
// or an array.
use chainrule::prelude::*;

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Line {
    w: f64,
}

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Model {
    line: Line,
    v: Vec<f64>,
}

#[differentiable]
fn g(p: &Line, x: f64) -> f64 {
    p.w * x
}

#[differentiable]
fn total(v: &[f64]) -> f64 {
    v[0] + v[1]
}

#[differentiable]
fn f(m: &Model, x: f64) -> f64 {
    g(&m.line, x) * x + total(&m.v)
}

fn main() {
    let m = Model { line: Line { w: 1.5 }, v: vec![1.0, 2.0] };
    // f = w x² + v₀ + v₁ at x = 2: 9; ∂/∂w = x² = 4, ∂/∂v = (1, 1), ∂/∂x = 2 w x = 6.
    let (value, (g, dx)) = f_grad(&m, 2.0);
    assert_eq!((value, g, dx), (9.0, Model { line: Line { w: 4.0 }, v: vec![1.0, 1.0] }, 6.0));
}
