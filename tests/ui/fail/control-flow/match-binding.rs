// A `match` arm that binds the scrutinee to a name is rejected on the pattern: only
// literals, ranges, constants, `|` and `_` can be tested.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, n: i32) -> f64 {
    match n {
        0 => x,
        k => x.powi(k),
    }
}

fn main() {
    let _ = f_grad(1.0, 2);
}
