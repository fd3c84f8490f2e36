// Casting an active value to an integer would drop its derivative: rejected on the cast.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let n = x as i32;
    x.powi(n)
}

fn main() {
    let _ = f_grad(1.0);
}
