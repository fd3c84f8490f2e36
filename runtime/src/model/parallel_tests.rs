//! The training pass on two threads against one: the same loss, the same gradients up to
//! the rounding of their sum, every layer's output over the whole batch, and a panicking
//! loss that panics rather than leaving the other thread waiting.

use super::*;

fn network() -> Sequential<f64> {
    Sequential::mlp(&[5, 12, 7, 3], Activation::Tanh, Activation::Identity, &mut Rng::new(11))
}

fn inputs(rows: usize) -> Vec<f64> {
    (0..rows * 5).map(|i| (i as f64 * 0.731).sin()).collect()
}

/// A mean over the whole batch, so that a loss seeing only part of it would differ.
fn mean_squared(out: &[f64], dout: &mut [f64]) -> f64 {
    let n = out.len() as f64;
    for (d, (i, o)) in dout.iter_mut().zip(out.iter().enumerate()) {
        *d = (o - (i as f64 * 0.1).cos()) / n;
    }
    out.iter().enumerate().map(|(i, o)| 0.5 * (o - (i as f64 * 0.1).cos()).powi(2)).sum::<f64>() / n
}

fn gradients(model: &mut Sequential<f64>) -> Vec<f64> {
    model.parameters().iter().flat_map(|p| p.gradient.to_vec()).collect()
}

#[test]
fn two_threads_give_one_threads_loss_gradients_and_outputs() {
    for rows in [32, 33, 100] {
        let x = inputs(rows);
        let mut model = network();
        let one = model.loss_and_gradient(&x, rows, mean_squared);
        let (g1, outputs1): (Vec<f64>, Vec<Vec<f64>>) =
            (gradients(&mut model), (0..3).map(|l| model.layer_output(l).to_vec()).collect());
        model.set_threads(2);
        assert_eq!(model.threads(), 2);
        let two = model.loss_and_gradient(&x, rows, mean_squared);
        assert!((one - two).abs() <= 1e-15 * one.abs(), "{rows} rows: loss {one} vs {two}");
        let g2 = gradients(&mut model);
        assert!(g1.iter().any(|g| *g != 0.0));
        for (a, b) in g1.iter().zip(&g2) {
            assert!((a - b).abs() <= 1e-13 * (1.0 + a.abs()), "{rows} rows: gradient {a} vs {b}");
        }
        for (l, expected) in outputs1.iter().enumerate() {
            let actual = model.layer_output(l);
            assert_eq!(actual.len(), expected.len(), "layer {l}'s output over the whole batch");
            assert!(actual.iter().zip(expected).all(|(a, b)| (a - b).abs() <= 1e-14), "layer {l}");
        }
        // A second pass on two threads starts from zeroed gradients.
        let again = model.loss_and_gradient(&x, rows, mean_squared);
        assert_eq!(again.to_bits(), two.to_bits());
        assert_eq!(gradients(&mut model), g2);
    }
}

#[test]
fn small_batches_stay_on_one_thread_with_the_same_results() {
    let x = inputs(31);
    let mut model = network();
    let one = model.loss_and_gradient(&x, 31, mean_squared);
    let g1 = gradients(&mut model);
    model.set_threads(2);
    let two = model.loss_and_gradient(&x, 31, mean_squared);
    assert_eq!((one.to_bits(), g1), (two.to_bits(), gradients(&mut model)));
}

#[test]
fn a_panicking_loss_on_two_threads_panics_and_does_not_hang() {
    let x = inputs(64);
    let mut model = network();
    model.set_threads(2);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        model.loss_and_gradient(&x, 64, |_, _| panic!("the user's loss"))
    }));
    let message = result.expect_err("the loss panicked");
    assert_eq!(message.downcast_ref::<&str>(), Some(&"the user's loss"));
    // The model is usable afterwards.
    let value = model.loss_and_gradient(&x, 64, mean_squared);
    assert!(value.is_finite());
}

#[test]
#[should_panic(expected = "Sequential::set_threads: 3 threads; 1 or 2 are supported")]
fn three_threads_are_refused() {
    network().set_threads(3);
}
