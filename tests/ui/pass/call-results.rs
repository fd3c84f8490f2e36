// The arrays and tuples differentiable calls return, used directly: kept under a name and
// indexed, destructured, a field taken, indexed on the spot, or returned as they are.
use chainrule::prelude::*;

#[differentiable]
fn scaled(x: f64) -> [f64; 2] {
    [x, 2.0 * x]
}

#[differentiable]
fn polar(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

#[differentiable]
fn uses(x: f64, y: f64) -> f64 {
    let c = scaled(x);
    let (a, b) = polar(x, y);
    let p = polar(y, x);
    c[1] * a + b * p.0 + scaled(y)[0] * polar(x, x).1
}

#[differentiable]
fn passes_on(x: f64, y: f64) -> (f64, f64) {
    polar(x * y, y)
}

fn main() {
    let (x, y) = (0.5f64, -1.25f64);
    let want = 2.0 * x * (x * y.cos()) + x * y.sin() * (y * x.cos()) + y * (x * x.sin());
    let (value, (dx, dy)) = uses_grad(x, y);
    assert!((value - want).abs() < 1e-12);
    let (_, tx) = uses_jvp(x, 1.0, y, 0.0);
    let (_, ty) = uses_jvp(x, 0.0, y, 1.0);
    assert!((dx - tx).abs() < 1e-12 && (dy - ty).abs() < 1e-12);
    let h = 1e-6;
    assert!((dx - (uses(x + h, y) - uses(x - h, y)) / (2.0 * h)).abs() < 1e-6);
    let ((u, v), (du, dv)) = passes_on_jvp(x, 1.0, y, 0.0);
    assert_eq!((u, v), polar(x * y, y));
    assert!((du - y * y.cos()).abs() < 1e-12 && (dv - y * y.sin()).abs() < 1e-12);
}
