// A macro used as a statement (debugging output) is rejected on the macro invocation.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = x * x;
    println!("y = {y}");
    y
}

fn main() {
    let _ = f_grad(1.0);
}
