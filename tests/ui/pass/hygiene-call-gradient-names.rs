// A user variable named like the bindings of a call's gradients (`__dy_0` for the first
// gradient of the call bound to `y`) must not be shadowed in the adjoint sweep.
use chainrule::prelude::*;

#[differentiable]
fn h(x: f64) -> f64 {
    let __dy_0 = x * 3.0;
    let z = __dy_0 * x;
    let y = sigmoid(z);
    y
}

fn main() {
    // h = sigmoid(3x²), h' = s(1 - s)·6x.
    let x = 0.5f64;
    let s = 1.0 / (1.0 + (-3.0 * x * x).exp());
    let (v, d) = h_grad(x);
    assert!((v - s).abs() < 1e-15);
    assert!((d - s * (1.0 - s) * 6.0 * x).abs() < 1e-12, "{d} vs {}", s * (1.0 - s) * 6.0 * x);
}
