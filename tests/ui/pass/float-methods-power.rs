// Powers and roots: sqrt cbrt recip, powi with a literal and with a constant `i32`
// parameter, powf with an active exponent, hypot and mul_add over several active values.
use chainrule::prelude::*;

#[differentiable]
fn f_sqrt(x: f64) -> f64 {
    x.sqrt()
}

#[differentiable]
fn f_cbrt(x: f64) -> f64 {
    x.cbrt()
}

#[differentiable]
fn f_recip(x: f64) -> f64 {
    x.recip()
}

#[differentiable]
fn f_cube(x: f64) -> f64 {
    x.powi(3)
}

#[differentiable]
fn f_powi(x: f64, n: i32) -> f64 {
    x.powi(n)
}

#[differentiable]
fn f_powf(x: f64, y: f64) -> f64 {
    x.powf(y)
}

#[differentiable]
fn f_hypot(x: f64, y: f64) -> f64 {
    x.hypot(y)
}

#[differentiable]
fn f_mul_add(x: f64, y: f64, z: f64) -> f64 {
    x.mul_add(y, z)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

fn check(grad: (f64, f64), jvp: (f64, f64), value: f64, slope: f64) {
    assert!(close(grad.0, value) && close(grad.1, slope), "grad {grad:?}, want ({value}, {slope})");
    assert!(close(jvp.0, value) && close(jvp.1, slope), "jvp {jvp:?}, want ({value}, {slope})");
}

fn main() {
    let x = 1.7_f64;
    check(f_sqrt_grad(x), f_sqrt_jvp(x, 1.0), x.sqrt(), 0.5 / x.sqrt());
    check(f_cbrt_grad(x), f_cbrt_jvp(x, 1.0), x.cbrt(), 1.0 / (3.0 * x.cbrt() * x.cbrt()));
    check(f_recip_grad(x), f_recip_jvp(x, 1.0), 1.0 / x, -1.0 / (x * x));
    check(f_cube_grad(x), f_cube_jvp(x, 1.0), x.powi(3), 3.0 * x * x);
    check(f_powi_grad(x, -2), f_powi_jvp(x, 1.0, -2), x.powi(-2), -2.0 * x.powi(-3));

    let y = 2.5_f64;
    let (value, (dx, dy)) = f_powf_grad(x, y);
    assert!(close(value, x.powf(y)));
    assert!(close(dx, y * x.powf(y - 1.0)));
    assert!(close(dy, x.powf(y) * x.ln()));

    assert_eq!(f_hypot_grad(3.0, 4.0), (5.0, (0.6, 0.8)));
    assert_eq!(f_hypot_jvp(3.0, 0.0, 4.0, 1.0), (5.0, 0.8));

    assert_eq!(f_mul_add_grad(2.0, 3.0, 4.0), (10.0, (3.0, 2.0, 1.0)));
    assert_eq!(f_mul_add_jvp(2.0, 1.0, 3.0, 1.0, 4.0, 1.0), (10.0, 6.0));
}
