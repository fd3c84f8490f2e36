// Hyperbolic methods: sinh cosh tanh.
use chainrule::prelude::*;

#[differentiable]
fn f_sinh(x: f64) -> f64 {
    x.sinh()
}

#[differentiable]
fn f_cosh(x: f64) -> f64 {
    x.cosh()
}

#[differentiable]
fn f_tanh(x: f64) -> f64 {
    x.tanh()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

fn check(grad: (f64, f64), jvp: (f64, f64), value: f64, slope: f64) {
    assert!(close(grad.0, value) && close(grad.1, slope), "grad {grad:?}, want ({value}, {slope})");
    assert!(close(jvp.0, value) && close(jvp.1, slope), "jvp {jvp:?}, want ({value}, {slope})");
}

fn main() {
    let x = -0.8_f64;
    check(f_sinh_grad(x), f_sinh_jvp(x, 1.0), x.sinh(), x.cosh());
    check(f_cosh_grad(x), f_cosh_jvp(x, 1.0), x.cosh(), x.sinh());
    check(f_tanh_grad(x), f_tanh_jvp(x, 1.0), x.tanh(), 1.0 - x.tanh() * x.tanh());
}
