// `if` as an expression (the value of the function, of a `let`, nested in `else if`) and as
// a statement assigning a `let mut` variable, with conditions built from comparisons of
// active and constant values, `&&`, `||` and `!`. The derivative follows the branch taken,
// through a call from another differentiable function too.
use chainrule::prelude::*;

/// |x·y|, written as a branch.
#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let z = x * y;
    if z > 0.0 { z } else { -z }
}

#[differentiable]
fn g(x: f64) -> f64 {
    f(x, 2.0) * x
}

/// A piecewise function with three pieces, and a statement-`if` on a constant flag.
#[differentiable]
fn piecewise(x: f64, flag: bool) -> f64 {
    let base = if x < -1.0 {
        -x
    } else if x <= 1.0 && !flag {
        x * x
    } else {
        x.ln_1p()
    };
    let mut scaled = base;
    if flag || x > 10.0 {
        scaled *= 3.0;
    }
    scaled
}

fn main() {
    let (value, (dx, dy)): (f64, (f64, f64)) = f_grad(1.0, 2.0);
    assert_eq!((value, dx, dy), (2.0, 2.0, 1.0));
    assert_eq!(f_grad(-1.0, 2.0), (2.0, (-2.0, 1.0)));
    let (_value, (dx, dy)): (f64, (f64, f64)) = f_vjp(-1.0, 2.0, 0.5);
    assert_eq!((dx, dy), (-1.0, 0.5));
    let (value, tangent): (f64, f64) = f_jvp(1.0, 1.0, 2.0, 0.0);
    assert_eq!((value, tangent), (2.0, 2.0));
    // g = 2x·|x|: slope 4|x|.
    let (value, slope): (f64, f64) = g_grad(-3.0);
    assert_eq!((value, slope), (-18.0, 12.0));

    assert_eq!(piecewise_grad(-2.0, false), (2.0, -1.0));
    assert_eq!(piecewise_grad(0.5, false), (0.25, 1.0));
    // With the flag, the middle piece is skipped and the result tripled: 3·ln(1 + x).
    let (value, slope) = piecewise_grad(0.5, true);
    assert!((value - 3.0 * 1.5f64.ln()).abs() < 1e-15);
    assert!((slope - 3.0 / 1.5).abs() < 1e-15);
    let (value, slope) = piecewise_jvp(20.0, 1.0, false);
    assert!((value - 3.0 * 21f64.ln()).abs() < 1e-13);
    assert!((slope - 3.0 / 21.0).abs() < 1e-15);
}
