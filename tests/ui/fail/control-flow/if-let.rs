// `if let` is rejected on the `let` condition: the branches of `if` are supported, but a
// pattern binding is not.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, #[no_grad] scale: Option<f64>) -> f64 {
    if let Some(s) = scale { x * s } else { x }
}

fn main() {
    let _ = f_grad(1.0, Some(2.0));
}
