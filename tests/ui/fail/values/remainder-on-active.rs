// `%` on an active value is rejected on the operator, with the equivalent to write.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    (x % 2.0) * x
}

fn main() {
    let _ = f_grad(1.0);
}
