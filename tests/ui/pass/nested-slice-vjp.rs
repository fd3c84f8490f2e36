// Nested differentiation of a function of slices: its gradient added into a buffer by
// `g_vjp`, inside a differentiable function differentiated in both modes.
#![deny(warnings)]
use chainrule::prelude::*;

#[differentiable]
fn energy<F: Float>(x: &[F]) -> F {
    let mut s = F::ZERO;
    for i in 0..x.len() {
        s += x[i] * x[i] * x[i];
    }
    s
}

/// Σ (∂E/∂xᵢ)² = Σ 9 xᵢ⁴, by the gradient in a buffer.
#[differentiable]
fn slopes(x: &[f64]) -> f64 {
    let mut g = vec![0.0; x.len()];
    let (_, ()) = energy_vjp(x, &mut g, 1.0);
    let mut s = 0.0;
    for i in 0..g.len() {
        s += g[i] * g[i];
    }
    s
}

fn main() {
    let x = [0.5, -1.0, 2.0];
    let (value, dx) = slopes_grad(&x);
    let expected: f64 = x.iter().map(|v| 9.0 * v * v * v * v).sum();
    assert!((value - expected).abs() < 1e-12);
    // ∂/∂xᵢ = 36 xᵢ³.
    for (d, v) in dx.iter().zip(&x) {
        assert!((d - 36.0 * v * v * v).abs() < 1e-12, "{d} vs {}", 36.0 * v * v * v);
    }
    let (_, tangent) = slopes_jvp(&x, &[1.0, 0.0, 0.0]);
    assert!((tangent - dx[0]).abs() < 1e-12);
}
