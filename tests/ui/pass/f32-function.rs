// An `f32` function: the companions take and return `f32`, f32 constants resolve, and one
// f32 function calls another.
use chainrule::prelude::*;

#[differentiable]
fn square(x: f32) -> f32 {
    x * x
}

#[differentiable]
fn f(x: f32, y: f32) -> f32 {
    square(x) * y + x.sin() * std::f32::consts::PI
}

fn main() {
    let (value, (dx, dy)): (f32, (f32, f32)) = f_grad(0.0, 3.0);
    assert_eq!((value, dx, dy), (0.0, std::f32::consts::PI, 0.0));
    let (value, (dx, dy)) = f_grad(2.0, 3.0);
    assert!((value - (12.0 + 2.0_f32.sin() * std::f32::consts::PI)).abs() < 1e-5);
    assert!((dx - (12.0 + 2.0_f32.cos() * std::f32::consts::PI)).abs() < 1e-5);
    assert_eq!(dy, 4.0);
    let (_, tangent): (f32, f32) = f_jvp(2.0, 0.0, 3.0, 1.0);
    assert_eq!(tangent, 4.0);
    assert_eq!(square_vjp(3.0_f32, 2.0), (9.0, 12.0));
}
