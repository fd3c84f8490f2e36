// An early `return` inside a branch is rejected on the `return`: `if` is supported, but
// only as one expression whose branches give the value.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    if x < 0.0 {
        return 0.0;
    }
    x * x
}

fn main() {
    let _ = f_grad(1.0);
}
