// The exponential and logarithmic float methods, each checked in both modes against its
// textbook derivative: exp exp2 exp_m1 ln ln_1p log2 log10, and log with an active base.
use chainrule::prelude::*;

#[differentiable]
fn f_exp(x: f64) -> f64 {
    x.exp()
}

#[differentiable]
fn f_exp2(x: f64) -> f64 {
    x.exp2()
}

#[differentiable]
fn f_exp_m1(x: f64) -> f64 {
    x.exp_m1()
}

#[differentiable]
fn f_ln(x: f64) -> f64 {
    x.ln()
}

#[differentiable]
fn f_ln_1p(x: f64) -> f64 {
    x.ln_1p()
}

#[differentiable]
fn f_log2(x: f64) -> f64 {
    x.log2()
}

#[differentiable]
fn f_log10(x: f64) -> f64 {
    x.log10()
}

#[differentiable]
fn f_log(x: f64, b: f64) -> f64 {
    x.log(b)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

/// Both modes agree with the expected value and slope.
fn check(grad: (f64, f64), jvp: (f64, f64), value: f64, slope: f64) {
    assert!(close(grad.0, value) && close(grad.1, slope), "grad {grad:?}, want ({value}, {slope})");
    assert!(close(jvp.0, value) && close(jvp.1, slope), "jvp {jvp:?}, want ({value}, {slope})");
}

fn main() {
    let x = 0.7_f64;
    let ln2 = std::f64::consts::LN_2;
    let ln10 = std::f64::consts::LN_10;
    check(f_exp_grad(x), f_exp_jvp(x, 1.0), x.exp(), x.exp());
    check(f_exp2_grad(x), f_exp2_jvp(x, 1.0), x.exp2(), x.exp2() * ln2);
    check(f_exp_m1_grad(x), f_exp_m1_jvp(x, 1.0), x.exp_m1(), x.exp());
    check(f_ln_grad(x), f_ln_jvp(x, 1.0), x.ln(), 1.0 / x);
    check(f_ln_1p_grad(x), f_ln_1p_jvp(x, 1.0), x.ln_1p(), 1.0 / (1.0 + x));
    check(f_log2_grad(x), f_log2_jvp(x, 1.0), x.log2(), 1.0 / (x * ln2));
    check(f_log10_grad(x), f_log10_jvp(x, 1.0), x.log10(), 1.0 / (x * ln10));

    let b = 3.0_f64;
    let (value, (dx, db)) = f_log_grad(x, b);
    assert!(close(value, x.log(b)));
    assert!(close(dx, 1.0 / (x * b.ln())));
    assert!(close(db, -x.ln() / (b * b.ln() * b.ln())));
    let (_, along_b) = f_log_jvp(x, 0.0, b, 1.0);
    assert!(close(along_b, db));
}
