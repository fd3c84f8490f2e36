// A private differentiable function used only through its companions raises no warning:
// not dead code for `f`, its protocol or its unused companions, no lint from generated code.
#![deny(warnings)]
#![deny(clippy::all)]

use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64, n: i32) -> f64 {
    let q = x * y;
    q.powi(n) + x
}

// Only `g_grad` is ever called: `g`, `g_vjp` and `g_jvp` are reached through nothing else.
#[differentiable]
fn g(x: f64) -> f64 {
    x.sin()
}

#[differentiable]
fn uses_f(x: f64) -> f64 {
    f(x, 2.0, 2) * 0.5
}

fn main() {
    assert_eq!(f_grad(1.0, 3.0, 2), (10.0, (19.0, 6.0)));
    assert_eq!(g_grad(0.0), (0.0, 1.0));
    assert_eq!(uses_f_jvp(1.0, 1.0), (2.5, 4.5));
}
