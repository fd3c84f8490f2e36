// A type alias of `f64` is rejected on the type rather than silently treated as a constant
// (which would drop its gradient).
use chainrule::prelude::*;

type Real = f64;

#[differentiable]
fn f(x: Real) -> f64 {
    x * x
}

fn main() {
    let _ = f_grad(1.0);
}
