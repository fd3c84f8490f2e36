// A function returning a tuple must end with a tuple literal: returning another
// differentiable function's tuple is rejected on the call.
use chainrule::prelude::*;

#[differentiable]
fn polar(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

#[differentiable]
fn f(r: f64, t: f64) -> (f64, f64) {
    polar(r * 2.0, t)
}

fn main() {
    let _ = f_vjp(1.0, 2.0, (1.0, 0.0));
}
