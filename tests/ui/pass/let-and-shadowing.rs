// `let` with and without a type annotation, and shadowing (of a parameter and of a local):
// each shadowing binding is a new value, and the gradient flows through all of them.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let q = x + y;
    let r: f64 = q * x;
    let x = r * 2.0;
    let x = x + y;
    x
}

fn main() {
    // f = 2(x + y)x + y, so df/dx = 2(2x + y) and df/dy = 2x + 1.
    assert_eq!(f_grad(3.0, 1.0), (25.0, (14.0, 7.0)));
    assert_eq!(f_vjp(3.0, 1.0, 2.0), (25.0, (28.0, 14.0)));
    assert_eq!(f_jvp(3.0, 1.0, 1.0, 0.0), (25.0, 14.0));
    assert_eq!(f_jvp(3.0, 0.0, 1.0, 1.0), (25.0, 7.0));
}
