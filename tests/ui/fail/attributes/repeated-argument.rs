// An argument given twice would silently take the last; refused.
use chainrule::prelude::*;

#[differentiable(grad = g, grad = h)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
