// Arrays written out are call arguments (`norm([x, y])`); rows written out are `let`
// initialisers only: refused on the argument, saying to bind them first.
use chainrule::prelude::*;

#[differentiable]
fn trace(m: [[f64; 2]; 2]) -> f64 {
    m[0][0] + m[1][1]
}

#[differentiable]
fn f(x: f64) -> f64 {
    trace([[x, 1.0], [2.0, x]])
}

fn main() {}
