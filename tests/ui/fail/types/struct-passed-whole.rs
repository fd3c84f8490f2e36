// A differentiable struct is read by its fields; passing it on whole is refused on the name.
use chainrule::prelude::*;

#[derive(Differentiable)]
struct Line {
    w: f64,
}

#[differentiable]
fn g(p: &Line, x: f64) -> f64 {
    p.w * x
}

#[differentiable]
fn f(p: &Line, x: f64) -> f64 {
    g(p, x) * x
}

fn main() {
    let _ = f_grad(&Line { w: 1.0 }, 2.0);
}
