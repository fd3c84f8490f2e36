// Nested differentiation: a differentiable function calls the gradient, the jvp and the vjp
// of a generic function of scalars, and is differentiated in both modes.
use chainrule::prelude::*;

#[differentiable]
fn energy<F: Float>(x: F, y: F) -> F {
    x * x * y + y.sin()
}

#[differentiable]
fn slope_sum(x: f64, y: f64) -> f64 {
    let (_, (gx, gy)) = energy_grad(x, y);
    let (_, directional) = energy_jvp(x, 1.0, y, 1.0);
    let (_, (sx, _)) = energy_vjp(x, y, 2.0);
    gx + gy + directional + sx
}

fn main() {
    // gx = 2xy, gy = x² + cos y; the sum of them twice more (jvp along (1, 1)) and 2 gx.
    let (x, y) = (0.5, 0.25);
    let (value, (dx, dy)) = slope_sum_grad(x, y);
    assert!((value - (2.0 * (2.0 * x * y + x * x + y.cos()) + 4.0 * x * y)).abs() < 1e-15);
    // ∂/∂x = 2 (2y + 2x) + 4y, ∂/∂y = 2 (2x − sin y) + 4x.
    assert!((dx - (2.0 * (2.0 * y + 2.0 * x) + 4.0 * y)).abs() < 1e-14);
    assert!((dy - (2.0 * (2.0 * x - y.sin()) + 4.0 * x)).abs() < 1e-14);
    assert!((slope_sum_jvp(x, 1.0, y, 0.0).1 - dx).abs() < 1e-14);
}
