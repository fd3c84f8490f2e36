// A layer function calls another differentiable function with its own slice parameters
// (`dot(w, x)`) and a runtime primitive on the result: the slice gradients flow through the
// call into the caller's shadows, in both modes.
use chainrule::prelude::*;

#[differentiable]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += w[i] * x[i];
    }
    s
}

#[differentiable]
fn neuron(w: &[f64], x: &[f64], b: f64) -> f64 {
    sigmoid(dot(w, x) + b)
}

/// Two calls on the same slices: their gradients add.
#[differentiable]
fn twice(w: &[f64], x: &[f64]) -> f64 {
    dot(w, x) * dot(x, w)
}

fn main() {
    let w = [0.5, -1.0, 2.0];
    let x = [1.0, 2.0, 0.25];
    let z = 0.5 - 2.0 + 0.5 + 0.25;
    let s = 1.0 / (1.0 + f64::exp(-z));
    let ds = s * (1.0 - s);

    let (value, (dw, dx, db)) = neuron_grad(&w, &x, 0.25);
    assert!((value - s).abs() < 1e-15);
    for i in 0..3 {
        assert!((dw[i] - ds * x[i]).abs() < 1e-15);
        assert!((dx[i] - ds * w[i]).abs() < 1e-15);
    }
    assert!((db - ds).abs() < 1e-15);

    let mut dw = [0.0; 3];
    let mut dx = [0.0; 3];
    let (value, db) = neuron_vjp(&w, &mut dw, &x, &mut dx, 0.25, 2.0);
    assert!((value - s).abs() < 1e-15);
    assert!((db - 2.0 * ds).abs() < 1e-15);
    assert!((dw[2] - 2.0 * ds * x[2]).abs() < 1e-15);
    assert!((dx[1] - 2.0 * ds * w[1]).abs() < 1e-15);

    let (_, tangent) = neuron_jvp(&w, &[0.0, 1.0, 0.0], &x, &[0.0; 3], 0.25, 1.0);
    assert!((tangent - ds * (x[1] + 1.0)).abs() < 1e-15);

    // (w·x)² with w·x = -1: gradient 2(w·x)·x for w and 2(w·x)·w for x.
    let (value, (dw, dx)) = twice_grad(&w, &x);
    assert_eq!(value, 1.0);
    assert_eq!(dw, vec![-2.0, -4.0, -0.5]);
    assert_eq!(dx, vec![-1.0, 2.0, -4.0]);
}
