// A struct parameter must derive `Differentiable` (or be #[no_grad]).
use chainrule::prelude::*;

struct Line {
    w: f64,
}

#[differentiable]
fn f(p: &Line, x: f64) -> f64 {
    p.w * x
}

fn main() {
    let _ = f_grad(&Line { w: 1.0 }, 2.0);
}
