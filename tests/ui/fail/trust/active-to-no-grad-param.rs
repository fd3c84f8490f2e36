// A differentiated argument passed to a constant (`#[no_grad]`) parameter would lose its
// derivative (`scaled(a, 2.0 * a)` once gave 6 instead of 12): a compile error on the
// argument, in both modes.
use chainrule::prelude::*;

#[differentiable]
fn scaled(x: f64, #[no_grad] c: f64) -> f64 {
    x * c
}

#[differentiable]
fn f(a: f64) -> f64 {
    scaled(a, 2.0 * a)
}

fn main() {
    let _ = f_grad(3.0);
}
