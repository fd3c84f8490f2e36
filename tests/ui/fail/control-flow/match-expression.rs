// `match` is rejected on the `match` expression; the stubs keep a constant parameter's
// place in the companions' signatures.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, n: i32) -> f64 {
    let y = match n {
        0 => x,
        _ => x * x,
    };
    y + 1.0
}

fn main() {
    let (_value, _slope): (f64, f64) = f_grad(1.0, 0);
    let (_value, _tangent): (f64, f64) = f_jvp(1.0, 1.0, 0);
}
