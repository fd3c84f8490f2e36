// Trigonometric methods and angle conversions: sin cos tan asin acos atan, atan2 over two
// active values, to_degrees and to_radians.
use chainrule::prelude::*;

#[differentiable]
fn f_sin(x: f64) -> f64 {
    x.sin()
}

#[differentiable]
fn f_cos(x: f64) -> f64 {
    x.cos()
}

#[differentiable]
fn f_tan(x: f64) -> f64 {
    x.tan()
}

#[differentiable]
fn f_asin(x: f64) -> f64 {
    x.asin()
}

#[differentiable]
fn f_acos(x: f64) -> f64 {
    x.acos()
}

#[differentiable]
fn f_atan(x: f64) -> f64 {
    x.atan()
}

#[differentiable]
fn f_atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}

#[differentiable]
fn f_to_degrees(x: f64) -> f64 {
    x.to_degrees()
}

#[differentiable]
fn f_to_radians(x: f64) -> f64 {
    x.to_radians()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

fn check(grad: (f64, f64), jvp: (f64, f64), value: f64, slope: f64) {
    assert!(close(grad.0, value) && close(grad.1, slope), "grad {grad:?}, want ({value}, {slope})");
    assert!(close(jvp.0, value) && close(jvp.1, slope), "jvp {jvp:?}, want ({value}, {slope})");
}

fn main() {
    let x = 0.3_f64;
    check(f_sin_grad(x), f_sin_jvp(x, 1.0), x.sin(), x.cos());
    check(f_cos_grad(x), f_cos_jvp(x, 1.0), x.cos(), -x.sin());
    check(f_tan_grad(x), f_tan_jvp(x, 1.0), x.tan(), 1.0 / (x.cos() * x.cos()));
    check(f_asin_grad(x), f_asin_jvp(x, 1.0), x.asin(), 1.0 / (1.0 - x * x).sqrt());
    check(f_acos_grad(x), f_acos_jvp(x, 1.0), x.acos(), -1.0 / (1.0 - x * x).sqrt());
    check(f_atan_grad(x), f_atan_jvp(x, 1.0), x.atan(), 1.0 / (1.0 + x * x));
    check(f_to_degrees_grad(x), f_to_degrees_jvp(x, 1.0), x.to_degrees(), 180.0 / std::f64::consts::PI);
    check(f_to_radians_grad(x), f_to_radians_jvp(x, 1.0), x.to_radians(), std::f64::consts::PI / 180.0);

    // atan2(y, x) is the angle of (x, y): its gradient is (x, −y) / (x² + y²).
    let (value, (dy, dx)) = f_atan2_grad(1.0, 1.0);
    assert!(close(value, std::f64::consts::FRAC_PI_4));
    assert!(close(dy, 0.5) && close(dx, -0.5));
}
