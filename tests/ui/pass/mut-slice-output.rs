// A `&mut [f64]` output parameter, written by the function (which may then return `()`):
// in `f_vjp` the shadow after it holds the adjoint of what is written, is consumed (left
// zero), and gives the inputs their gradients; in `f_jvp` it receives the tangent of what is
// written. An output may also be read back after it is written.
use chainrule::prelude::*;

/// out[i] = s·xs[i]², and nothing returned.
#[differentiable]
fn scale_squares(xs: &[f64], s: f64, out: &mut [f64]) {
    for i in 0..xs.len() {
        out[i] = s * xs[i] * xs[i];
    }
}

/// Writes x² and returns x·out[0] = x³.
#[differentiable]
fn cube(x: f64, out: &mut [f64]) -> f64 {
    out[0] = x * x;
    out[0] * x
}

fn main() {
    let xs = [1.0, 2.0];
    let mut out = [0.0; 2];
    let mut dxs = [0.0; 2];
    // Adjoint of the outputs: L = 1·out[0] + 3·out[1].
    let mut dout = [1.0, 3.0];
    let ((), ds) = scale_squares_vjp(&xs, &mut dxs, 0.5, &mut out, &mut dout);
    assert_eq!(out, [0.5, 2.0]);
    // ∂L/∂xs[i] = adjoint·2s·xs[i]; ∂L/∂s = Σ adjoint·xs[i]².
    assert_eq!(dxs, [1.0, 6.0]);
    assert_eq!(ds, 1.0 + 12.0);
    assert_eq!(dout, [0.0, 0.0]);

    let mut tangent = [0.0; 2];
    let ((), ()) = scale_squares_jvp(&xs, &[1.0, 1.0], 0.5, 0.0, &mut out, &mut tangent);
    assert_eq!(tangent, [1.0, 2.0]);

    let mut out = [0.0];
    assert_eq!(cube_grad(2.0, &mut out), (8.0, 12.0));
    assert_eq!(out, [4.0]);
    // Seeding the output too: L = result + 10·out[0] = x³ + 10x².
    let mut dout = [10.0];
    assert_eq!(cube_vjp(2.0, &mut out, &mut dout, 1.0), (8.0, 12.0 + 40.0));
}
