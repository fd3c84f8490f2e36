// A tuple of floats as the result, written as a tuple literal at the end (also after
// `return`): there is no `f_grad`; `f_vjp` takes a seed tuple (the adjoint of each
// component) and returns the value and seed·Jacobian, and `f_jvp` returns the tangent of
// each component.
use chainrule::prelude::*;

/// Polar to Cartesian.
#[differentiable]
fn to_xy(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

/// A sum, a product and a branchy maximum, from a loop.
#[differentiable]
fn stats(xs: &[f64]) -> (f64, f64, f64) {
    let mut s = 0.0;
    let mut p = 1.0;
    let mut m = xs[0];
    for i in 0..xs.len() {
        s += xs[i];
        p *= xs[i];
        if xs[i] > m {
            m = xs[i];
        }
    }
    return (s, p, m);
}

fn main() {
    let (r, t) = (2.0, 0.5f64);
    let ((x, y), (dr, dt)): ((f64, f64), (f64, f64)) = to_xy_vjp(r, t, (1.0, 0.0));
    assert_eq!((x, y), (r * t.cos(), r * t.sin()));
    // Seed (1, 0) picks x = r cos t: ∂x/∂r = cos t, ∂x/∂t = -r sin t.
    assert_eq!((dr, dt), (t.cos(), -r * t.sin()));
    let (_, (dr, dt)) = to_xy_vjp(r, t, (0.0, 2.0));
    assert_eq!((dr, dt), (2.0 * t.sin(), 2.0 * r * t.cos()));
    // Tangent along t: (∂x/∂t, ∂y/∂t).
    let ((x2, y2), (tx, ty)): ((f64, f64), (f64, f64)) = to_xy_jvp(r, 0.0, t, 1.0);
    assert_eq!((x2, y2), (x, y));
    assert_eq!((tx, ty), (-r * t.sin(), r * t.cos()));

    let xs = [2.0, 5.0, 3.0];
    let mut dxs = [0.0; 3];
    let (value, ()) = stats_vjp(&xs, &mut dxs, (1.0, 0.5, 10.0));
    assert_eq!(value, (10.0, 30.0, 5.0));
    // 1·∇sum + 0.5·∇product + 10·∇max = (1, 1, 1) + 0.5·(15, 6, 10) + (0, 10, 0).
    assert_eq!(dxs, [8.5, 14.0, 6.0]);
    let (value, tangent) = stats_jvp(&xs, &[0.0, 1.0, 0.0]);
    assert_eq!((value, tangent), ((10.0, 30.0, 5.0), (1.0, 6.0, 1.0)));
}
