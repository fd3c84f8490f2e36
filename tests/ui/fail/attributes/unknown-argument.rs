// An unknown argument of #[differentiable] is rejected on the argument, listing the valid
// ones.
use chainrule::prelude::*;

#[differentiable(gradient = f_gradient)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {
    let _ = f_grad(1.0);
}
