// `return` before the last statement is rejected on the `return`.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = x * x;
    return y;
    let z = y * 2.0;
    z
}

fn main() {
    let _ = f_grad(1.0);
}
