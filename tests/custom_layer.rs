//! A user's own `#[differentiable]` function as a layer, in a model beside a built-in one:
//! the example `examples/custom_layer.rs`, run as a test.

#[allow(dead_code)]
#[path = "../examples/custom_layer.rs"]
mod custom_layer;

use chainrule::layer::{Adjoints, Layer};
use custom_layer::{Swish, swish_dense};

#[test]
fn the_model_with_the_user_layer_trains() {
    let (first, last) = custom_layer::train(2000);
    assert!(last < first / 1000.0, "loss went from {first} to {last}");
}

/// The layer's backward pass (generated) agrees with finite differences of
/// L = Σ seed ⊙ out, for the weights and the input.
#[test]
fn the_user_layer_backward_matches_finite_differences() {
    let layer = Swish { weights: vec![0.3, -0.2, 0.5, 0.1, -0.4, 0.7], biases: vec![0.05, -0.1] };
    let (x, batch) = ([0.2, -1.0, 0.5, 1.5, 0.3, -0.7], 2);
    let seed = [0.3, -1.2, 0.8, 0.5];
    let loss = |w: &[f64], x: &[f64]| {
        let mut out = [0.0; 4];
        swish_dense(w, &layer.biases, x, &mut out, batch);
        out.iter().zip(&seed).map(|(o, s)| o * s).sum::<f64>()
    };
    let mut out = [0.0; 4];
    let mut dout = [0.0; 4];
    let mut dx = [0.0; 6];
    let mut grads = vec![vec![0.0; 6], vec![0.0; 2]];
    let mut seen = Vec::new();
    // The rest of the model: L = Σ seed ⊙ out.
    let mut rest = |out: &[f64], dout: &mut [f64]| {
        seen.extend_from_slice(out);
        dout.copy_from_slice(&seed);
    };
    layer.forward_backward(
        &x,
        &mut out,
        batch,
        &mut rest,
        Adjoints { dout: &mut dout, dx: &mut dx, params: &mut grads },
    );
    assert_eq!(seen, out, "the rest of the model sees the layer's output");
    assert_eq!(dout, [0.0; 4], "the output adjoint is consumed");
    let h = 1e-6;
    for i in 0..6 {
        let (mut wp, mut wm) = (layer.weights.clone(), layer.weights.clone());
        wp[i] += h;
        wm[i] -= h;
        let fd = (loss(&wp, &x) - loss(&wm, &x)) / (2.0 * h);
        assert!((grads[0][i] - fd).abs() < 1e-7, "dw[{i}]: {} vs {fd}", grads[0][i]);
        let (mut xp, mut xm) = (x, x);
        xp[i] += h;
        xm[i] -= h;
        let fd = (loss(&layer.weights, &xp) - loss(&layer.weights, &xm)) / (2.0 * h);
        assert!((dx[i] - fd).abs() < 1e-7, "dx[{i}]: {} vs {fd}", dx[i]);
    }
}
