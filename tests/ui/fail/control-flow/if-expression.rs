// `if` is rejected on the `if` expression itself, with what to write instead. The function
// still gets companions and a derivative protocol of the right types (stubs), so using
// them, directly and from another differentiable function, adds no second error.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let z = x * y;
    if z > 0.0 { z } else { -z }
}

#[differentiable]
fn g(x: f64) -> f64 {
    f(x, 2.0) * x
}

fn main() {
    let (_value, (_dx, _dy)): (f64, (f64, f64)) = f_grad(1.0, 2.0);
    let (_value, (_dx, _dy)): (f64, (f64, f64)) = f_vjp(1.0, 2.0, 1.0);
    let (_value, _tangent): (f64, f64) = f_jvp(1.0, 1.0, 2.0, 0.0);
    let (_value, _slope): (f64, f64) = g_grad(1.0);
}
