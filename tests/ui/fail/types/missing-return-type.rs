// A function without a return type is rejected, with the advice to add `-> f64`.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) {
    let _y = x * x;
}

fn main() {
    let _ = f_grad(1.0);
}
