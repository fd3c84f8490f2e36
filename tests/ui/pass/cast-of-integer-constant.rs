// `as f64` casts of integer constant parameters: the casts stay plain Rust and the
// integer parameters pass through `f_grad`, `f_vjp` and `f_jvp` without a tangent.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, n: i32, k: usize) -> f64 {
    let m = n as f64;
    x * m + (k as f64) * x * x + 2.0
}

fn main() {
    // One active parameter: the gradient is a bare f64. df/dx = n + 2kx.
    assert_eq!(f_grad(2.0, 3, 4), (24.0, 19.0));
    assert_eq!(f_vjp(2.0, 3, 4, -1.0), (24.0, -19.0));
    assert_eq!(f_jvp(2.0, 0.5, 3, 4), (24.0, 9.5));
}
