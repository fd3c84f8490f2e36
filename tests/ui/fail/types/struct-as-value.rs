// A differentiable struct is read by its fields: bound to another name, it is refused.
use chainrule::prelude::*;

#[derive(Differentiable)]
struct Line {
    w: f64,
}

#[differentiable]
fn f(p: &Line, x: f64) -> f64 {
    let q = p;
    q.w * x
}

fn main() {
    let _ = f_grad(&Line { w: 1.0 }, 2.0);
}
