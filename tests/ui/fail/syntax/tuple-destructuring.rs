// Destructuring the tuple a call returns is not supported yet (a tuple of values is).
use chainrule::prelude::*;

#[differentiable]
fn polar(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let (a, b) = polar(x, y);
    a * b
}

fn main() {
    let _ = f_grad(1.0, 2.0);
}
