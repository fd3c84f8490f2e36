// Paths to constants are constants: `std::f64::consts::PI` by full path, an imported
// `TAU`, an associated constant `f64::EPSILON`, and a `const` item of the user's crate.
use chainrule::prelude::*;
use std::f64::consts::TAU;

const SCALE: f64 = 3.0;

#[differentiable]
fn area(r: f64) -> f64 {
    std::f64::consts::PI * r * r
}

#[differentiable]
fn f(x: f64) -> f64 {
    SCALE * x + TAU + f64::EPSILON * 0.0
}

fn main() {
    let pi = std::f64::consts::PI;
    assert_eq!(area_grad(2.0), (pi * 4.0, pi * 4.0));
    assert_eq!(area_jvp(2.0, 0.5), (pi * 4.0, pi * 2.0));
    assert_eq!(f_grad(1.0), (3.0 + TAU, 3.0));
}
