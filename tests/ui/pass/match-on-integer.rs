// `match` on an integer constant, as an expression and as a statement: literal arms, `|`,
// inclusive and half-open ranges, a guard and `_`. Each arm's derivative is its own.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, n: i32) -> f64 {
    let y = match n {
        0 => x,
        1 | 2 => x * x,
        3..=5 => x.sin(),
        _ if n < 0 => -x,
        _ => 1.0,
    };
    y + 1.0
}

#[differentiable]
fn g(x: f64, k: usize) -> f64 {
    let mut y = x;
    match k {
        0..3 => y *= 2.0,
        3 => y = y * y,
        _ => y = -y,
    }
    y
}

fn main() {
    let (value, slope): (f64, f64) = f_grad(3.0, 0);
    assert_eq!((value, slope), (4.0, 1.0));
    assert_eq!(f_grad(3.0, 2), (10.0, 6.0));
    assert_eq!(f_grad(3.0, 4), (3f64.sin() + 1.0, 3f64.cos()));
    assert_eq!(f_grad(3.0, -7), (-2.0, -1.0));
    assert_eq!(f_grad(3.0, 9), (2.0, 0.0));
    let (value, tangent): (f64, f64) = f_jvp(3.0, 2.0, 1);
    assert_eq!((value, tangent), (10.0, 12.0));

    assert_eq!(g_grad(5.0, 2), (10.0, 2.0));
    assert_eq!(g_grad(5.0, 3), (25.0, 10.0));
    assert_eq!(g_vjp(5.0, 7, 3.0), (-5.0, -3.0));
    assert_eq!(g_jvp(5.0, 1.0, 0), (10.0, 2.0));
}
