// Active parameters of different float types are rejected on the second one's type.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f32) -> f64 {
    x * y as f64
}

fn main() {
    let _ = f_grad(1.0, 2.0);
}
