// Calling a generated derivative inside a differentiable function (nested differentiation):
// of a function that is not generic over its float type with scalar parameters and result
// (this one writes an output): refused with our message on the call.
use chainrule::prelude::*;

#[differentiable]
fn squares(x: f64, out: &mut [f64]) {
    out[0] = x * x;
}

#[differentiable]
fn slope_of_square(x: f64) -> f64 {
    let mut y = [0.0; 1];
    let mut dy = [0.0; 1];
    squares_jvp(x, 1.0, &mut y, &mut dy);
    dy[0] * x
}

fn main() {
    let _ = slope_of_square_grad(2.0);
}
