// An array as the result, returned as a local array by name or as an array literal: there
// is no `f_grad`; `f_vjp` takes a seed array (the adjoint of each element) and `f_jvp`
// returns the tangent array.
use chainrule::prelude::*;

/// Powers x⁰, x¹, ..., x³ built in a loop.
#[differentiable]
fn powers(x: f64) -> [f64; 4] {
    let mut out = [0.0; 4];
    let mut p = 1.0;
    for k in 0..4 {
        out[k] = p;
        p *= x;
    }
    out
}

/// A rotation of (u[0], u[1]) by t.
#[differentiable]
fn rotate(u: [f64; 2], t: f64) -> [f64; 2] {
    [u[0] * t.cos() - u[1] * t.sin(), u[0] * t.sin() + u[1] * t.cos()]
}

fn main() {
    let (value, slope): ([f64; 4], f64) = powers_vjp(2.0, [1.0, 1.0, 1.0, 1.0]);
    assert_eq!(value, [1.0, 2.0, 4.0, 8.0]);
    // d/dx (1 + x + x² + x³) = 1 + 2x + 3x².
    assert_eq!(slope, 17.0);
    assert_eq!(powers_vjp(2.0, [0.0, 0.0, 0.0, 2.0]).1, 24.0);
    let (value, tangent): ([f64; 4], [f64; 4]) = powers_jvp(2.0, 1.0);
    assert_eq!((value, tangent), ([1.0, 2.0, 4.0, 8.0], [0.0, 1.0, 4.0, 12.0]));

    let t = 0.25f64;
    let (value, (du, dt)): ([f64; 2], ([f64; 2], f64)) = rotate_vjp([1.0, 0.0], t, [1.0, 0.0]);
    assert_eq!(value, [t.cos(), t.sin()]);
    // Seed picks the first component u₀ cos t - u₁ sin t.
    assert_eq!(du, [t.cos(), -t.sin()]);
    assert_eq!(dt, -t.sin());
    let (_, tangent) = rotate_jvp([1.0, 0.0], [0.0, 0.0], t, 1.0);
    assert_eq!(tangent, [-t.sin(), t.cos()]);
}
