// An array parameter is rejected on its type.
use chainrule::prelude::*;

#[differentiable]
fn f(x: [f64; 2], y: f64) -> f64 {
    x[0] * x[1] * y
}

fn main() {
    let _ = f_grad([1.0, 2.0], 3.0);
}
