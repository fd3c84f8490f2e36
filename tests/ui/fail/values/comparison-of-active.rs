// Comparing active values is rejected on the comparison operator.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let above = x > y;
    x * (above as u8 as f64)
}

fn main() {
    let _ = f_grad(1.0, 2.0);
}
