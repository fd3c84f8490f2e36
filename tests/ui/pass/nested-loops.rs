// Nested loops: a matrix-vector product over a row-major slice with an inner accumulator
// reset per row, and an inner loop whose bound depends on the outer variable. Checked
// against gradients written out by hand.
use chainrule::prelude::*;

/// Σⱼ tanh(Σᵢ m[j·n + i]·x[i]) for an (m.len() / n) × n matrix.
#[differentiable]
fn layer(m: &[f64], x: &[f64]) -> f64 {
    let n = x.len();
    let mut total = 0.0;
    for j in 0..m.len() / n {
        let mut z = 0.0;
        for i in 0..n {
            z += m[j * n + i] * x[i];
        }
        total += z.tanh();
    }
    total
}

/// Σ over i of Σ over j ≤ i of x[i]·x[j]: a triangular double loop.
#[differentiable]
fn triangle(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        for j in 0..=i {
            s += x[i] * x[j];
        }
    }
    s
}

fn main() {
    let m = [0.1, 0.2, -0.3, 0.4, 0.5, 0.6];
    let x = [1.0, -2.0, 0.5];
    let z: [f64; 2] = [0.1 - 0.4 - 0.15, 0.4 - 1.0 + 0.3];
    let (value, (dm, dx)) = layer_grad(&m, &x);
    assert!((value - (z[0].tanh() + z[1].tanh())).abs() < 1e-15);
    for j in 0..2 {
        let dz = 1.0 - z[j].tanh().powi(2);
        for i in 0..3 {
            assert!((dm[j * 3 + i] - dz * x[i]).abs() < 1e-15);
        }
    }
    for i in 0..3 {
        let expected: f64 = (0..2).map(|j| (1.0 - z[j].tanh().powi(2)) * m[j * 3 + i]).sum();
        assert!((dx[i] - expected).abs() < 1e-15);
    }
    let (_, tangent) = layer_jvp(&m, &[0.0; 6], &x, &[1.0, 0.0, 0.0]);
    assert!((tangent - dx[0]).abs() < 1e-15);

    // x = (1, 2, 3): s = 1·1 + 2·(1 + 2) + 3·(1 + 2 + 3) = 25; ∂s/∂xₖ = Σ_{j≤k} xⱼ + Σ_{i≥k} xᵢ.
    let (value, grad) = triangle_grad(&[1.0, 2.0, 3.0]);
    assert_eq!(value, 25.0);
    assert_eq!(grad, vec![1.0 + 6.0, 3.0 + 5.0, 6.0 + 3.0]);
}
