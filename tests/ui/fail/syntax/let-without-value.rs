// A `let` without an initial value is rejected on the `let`.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y;
    y = x * x;
    y
}

fn main() {
    let _ = f_grad(1.0);
}
