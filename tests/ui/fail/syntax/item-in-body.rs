// An item (here a helper function) inside the body is rejected on the item.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    fn half(v: f64) -> f64 {
        v / 2.0
    }
    half(x) * x
}

fn main() {
    let _ = f_grad(1.0);
}
