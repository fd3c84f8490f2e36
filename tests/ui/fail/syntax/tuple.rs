// A tuple expression inside the body is rejected on the tuple where it is neither a `let`'s
// value, a call's argument nor the final result: here, a field of a tuple literal.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    (x, y).0 * y
}

fn main() {
    let _ = f_grad(1.0, 2.0);
}
