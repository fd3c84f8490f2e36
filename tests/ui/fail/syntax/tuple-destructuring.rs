// Destructuring a tuple in `let` is rejected on the pattern.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let (a, b) = (x.sin(), y.cos());
    a * b
}

fn main() {
    let _ = f_grad(1.0, 2.0);
}
