// A macro in expression position is rejected on the macro invocation.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = dbg!(x * x);
    y + 1.0
}

fn main() {
    let _ = f_grad(1.0);
}
