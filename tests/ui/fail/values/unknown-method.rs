// A float method without a derivative rule, on an active value, is rejected on the method
// name, and the message lists the supported methods.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    x.rem_euclid(2.0) * 2.0
}

fn main() {
    let _ = f_grad(1.0);
}
