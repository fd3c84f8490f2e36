// A closure is rejected on the closure, with the advice to write a differentiable function.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let square = |t: f64| t * t;
    square(x)
}

fn main() {
    let _ = f_grad(1.0);
}
