// Methods with kinks: abs, max, min, clamp and fract, away from the kinks and at them
// (abs'(0) = 0; max/min with equal arguments give half the gradient to each).
use chainrule::prelude::*;

#[differentiable]
fn f_abs(x: f64) -> f64 {
    x.abs()
}

#[differentiable]
fn f_max(x: f64, y: f64) -> f64 {
    x.max(y)
}

#[differentiable]
fn f_min(x: f64, y: f64) -> f64 {
    x.min(y)
}

#[differentiable]
fn f_clamp(x: f64) -> f64 {
    x.clamp(-1.0, 1.0)
}

#[differentiable]
fn f_fract(x: f64) -> f64 {
    x.fract()
}

fn main() {
    assert_eq!(f_abs_grad(-2.0), (2.0, -1.0));
    assert_eq!(f_abs_grad(2.0), (2.0, 1.0));
    assert_eq!(f_abs_grad(0.0), (0.0, 0.0));
    assert_eq!(f_abs_jvp(-2.0, 3.0), (2.0, -3.0));

    assert_eq!(f_max_grad(1.0, 2.0), (2.0, (0.0, 1.0)));
    assert_eq!(f_max_grad(3.0, 2.0), (3.0, (1.0, 0.0)));
    assert_eq!(f_max_grad(2.0, 2.0), (2.0, (0.5, 0.5)));
    assert_eq!(f_max_jvp(2.0, 1.0, 2.0, 1.0), (2.0, 1.0));

    assert_eq!(f_min_grad(1.0, 2.0), (1.0, (1.0, 0.0)));
    assert_eq!(f_min_grad(2.0, 2.0), (2.0, (0.5, 0.5)));
    assert_eq!(f_min_jvp(1.0, 4.0, 2.0, 1.0), (1.0, 4.0));

    assert_eq!(f_clamp_grad(0.5), (0.5, 1.0));
    assert_eq!(f_clamp_grad(3.0), (1.0, 0.0));
    assert_eq!(f_clamp_grad(-3.0), (-1.0, 0.0));

    assert_eq!(f_fract_grad(2.25), (0.25, 1.0));
    assert_eq!(f_fract_jvp(2.25, 2.0), (0.25, 2.0));
}
