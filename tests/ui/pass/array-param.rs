// Arrays by value are active parameters: `f_grad` and `f_vjp` give their gradient as an
// array of the same length, `f_jvp` takes an array tangent, and a scalar beside them keeps
// its place in the gradient tuple.
use chainrule::prelude::*;

#[differentiable]
fn f(x: [f64; 2], y: f64) -> f64 {
    x[0] * x[1] * y
}

/// The squared norm, over a loop bounded by the array's length.
#[differentiable]
fn norm2(v: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i];
    }
    s
}

fn main() {
    let (value, (dx, dy)): (f64, ([f64; 2], f64)) = f_grad([2.0, 3.0], 4.0);
    assert_eq!((value, dx, dy), (24.0, [12.0, 8.0], 6.0));
    assert_eq!(f_vjp([2.0, 3.0], 4.0, 0.5), (24.0, ([6.0, 4.0], 3.0)));
    assert_eq!(f_jvp([2.0, 3.0], [1.0, 0.0], 4.0, 1.0), (24.0, 12.0 + 6.0));

    // With one active parameter the gradient is the array itself.
    let (value, grad): (f64, [f64; 3]) = norm2_grad([1.0, -2.0, 3.0]);
    assert_eq!((value, grad), (14.0, [2.0, -4.0, 6.0]));
    assert_eq!(norm2_vjp([1.0, -2.0, 3.0], 2.0), (14.0, [4.0, -8.0, 12.0]));
    assert_eq!(norm2_jvp([1.0, -2.0, 3.0], [1.0, 1.0, 1.0]), (14.0, 4.0));
}
