use super::*;
use crate::layer::{Activation, Dense, Layer};
use crate::model::ShapeError;
use crate::optim::{Adam, Sgd};

fn model(layers: Vec<Dense<f64>>) -> Sequential<f64> {
    Sequential::new(layers.into_iter().map(|l| Box::new(l) as Box<dyn Layer<f64>>).collect())
}

fn linear(w: &[f64], b: &[f64]) -> Dense<f64> {
    Dense::from_parts(w.to_vec(), b.to_vec(), Activation::Identity)
}

#[test]
fn fits_a_line_with_every_batch_size() {
    let x: Vec<f64> = (0..10).map(|i| i as f64 / 10.0).collect();
    let y: Vec<f64> = x.iter().map(|v| 3.0 * v - 2.0).collect();
    for batch_size in [1, 3, 10, 50] {
        let mut m = model(vec![linear(&[0.0], &[0.0])]);
        let config = FitConfig { epochs: 2000, batch_size, seed: 4, shuffle: true };
        let h = fit(&mut m, &x, Targets::Values(&y), Loss::MeanSquaredError, &mut Sgd::new(0.1), &config).unwrap();
        assert_eq!(h.losses.len(), 2000);
        assert!(h.losses[0] > 1.0 && h.last().unwrap() < 1e-10, "batch {batch_size}: {:?}", h.last());
        let p = m.parameters();
        assert!((p[0].values[0] - 3.0).abs() < 1e-4 && (p[1].values[0] + 2.0).abs() < 1e-4);
    }
}

#[test]
fn trains_in_f32() {
    let x = [0.0f32, 0.5, 1.0, 1.5];
    let y = x.map(|v| 1.0 - 2.0 * v);
    let mut m = Sequential::<f32>::mlp(&[1, 1], Activation::Identity, Activation::Identity, &mut Rng::new(0));
    let config = FitConfig { epochs: 300, batch_size: 2, seed: 0, shuffle: true };
    let h = fit(&mut m, &x, Targets::Values(&y), Loss::HalfSquaredError, &mut Adam::new(0.05), &config).unwrap();
    assert!(h.last().unwrap() < 1e-4, "{:?}", h.last());
    let p = m.parameters();
    assert!((p[0].values[0] + 2.0).abs() < 1e-2 && (p[1].values[0] - 1.0).abs() < 1e-2);
}

/// With η = 0 the parameters stay put, so every epoch's loss is the loss over the whole
/// data set however it is batched: summed for the lecture's E, averaged for the others.
#[test]
fn epoch_loss_sums_or_averages_over_batches() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [0.0, 0.0, 0.0, 0.0, 1.0];
    let e = [0.5, 2.0, 4.5, 8.0, 8.0].iter().sum::<f64>();
    let mse = 2.0 * e / 5.0;
    for (loss, expected) in [(Loss::HalfSquaredError, e), (Loss::MeanSquaredError, mse)] {
        for (batch_size, shuffle) in [(1, true), (2, false), (2, true), (5, false)] {
            let mut m = model(vec![linear(&[1.0], &[0.0])]);
            let config = FitConfig { epochs: 3, batch_size, seed: 1, shuffle };
            let h = fit(&mut m, &x, Targets::Values(&y), loss, &mut Sgd::new(0.0), &config).unwrap();
            for l in h.losses {
                assert!((l - expected).abs() < 1e-12, "{loss:?}, batch {batch_size}: {l} != {expected}");
            }
        }
    }
}

#[test]
fn runs_are_reproducible_from_the_seed() {
    let (x, labels) = crate::data::spirals::<f64>(20, 3, 0.2, &mut Rng::new(0));
    let run = |seed| {
        let mut m = Sequential::mlp(&[2, 8, 3], Activation::Relu, Activation::Identity, &mut Rng::new(0));
        let config = FitConfig { epochs: 5, batch_size: 7, seed, shuffle: true };
        fit(&mut m, &x, Targets::Labels(&labels), Loss::SoftmaxCrossEntropy, &mut Adam::new(0.01), &config)
            .unwrap()
            .losses
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn cross_entropy_losses_train() {
    // Labels: class 1 when x > 0. Both the two-logit softmax and the one-logit BCE learn it.
    let x = [-2.0, -1.0, -0.5, 0.5, 1.0, 2.0];
    let labels = [0, 0, 0, 1, 1, 1];
    let config = FitConfig { epochs: 300, batch_size: 6, seed: 0, shuffle: false };
    let mut m = model(vec![linear(&[0.0, 0.0], &[0.0, 0.0])]);
    let h = fit(&mut m, &x, Targets::Labels(&labels), Loss::SoftmaxCrossEntropy, &mut Sgd::new(1.0), &config);
    let h = h.unwrap();
    assert!((h.losses[0] - 2f64.ln()).abs() < 1e-12, "uniform softmax: ln 2, got {}", h.losses[0]);
    assert!(h.last().unwrap() < 0.05);
    assert_eq!(accuracy(&m, &x, &labels), Ok(1.0));

    let y = labels.map(|c| c as f64);
    let mut m = model(vec![linear(&[0.0], &[0.0])]);
    let bce = Loss::BinaryCrossEntropyWithLogits;
    let h = fit(&mut m, &x, Targets::Values(&y), bce, &mut Sgd::new(1.0), &config).unwrap();
    assert!((h.losses[0] - 2f64.ln()).abs() < 1e-12 && h.last().unwrap() < 0.05);
    assert!(m.predict(&[1.0], 1)[0] > 2.0 && m.predict(&[-1.0], 1)[0] < -2.0);
}

#[test]
fn early_stop_from_the_callback() {
    let mut m = model(vec![linear(&[0.0], &[0.0])]);
    let config = FitConfig { epochs: 100, batch_size: 1, seed: 0, shuffle: false };
    let mut seen = Vec::new();
    let h =
        fit_with(&mut m, &[1.0], Targets::Values(&[1.0]), Loss::HalfSquaredError, &mut Sgd::new(0.1), &config, |e| {
            seen.push((e.number, e.loss, e.model.predict(&[1.0], 1)[0]));
            if e.number == 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        })
        .unwrap();
    assert_eq!(h.losses.len(), 3);
    // out = w + b from 0: each step moves both by η(1 − out), so 1 − out shrinks by 0.8.
    assert_eq!(seen.iter().map(|s| s.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!((seen[2].1 - 0.5 * 0.64f64.powi(2)).abs() < 1e-12);
    assert!((seen[2].2 - (1.0 - 0.8f64.powi(3))).abs() < 1e-12);
}

#[test]
fn a_nan_parameter_is_named() {
    // The first input is always 0, so w[0]'s gradient is 0 and an infinite step makes it
    // ∞·0 = NaN; the other weights become infinite.
    let mut m = model(vec![linear(&[0.5, 0.5, 0.5, 0.5], &[0.0, 0.0]), linear(&[1.0, 1.0], &[0.0])]);
    let config = FitConfig { epochs: 5, batch_size: 2, seed: 0, shuffle: false };
    let err = fit(
        &mut m,
        &[0.0, 1.0, 0.0, 2.0],
        Targets::Values(&[0.0, 0.0]),
        Loss::MeanSquaredError,
        &mut Sgd::new(f64::INFINITY),
        &config,
    )
    .unwrap_err();
    assert!(matches!(err, TrainError::NonFiniteParameter { layer: 0, index: 0, quantity: Quantity::Values, .. }));
    assert_eq!(err.to_string(), "layer 0 (dense 2→2 Identity) weights became NaN at epoch 1, batch 1 (element 0)");
}

#[test]
fn a_loss_that_overflows_before_any_step_names_the_layer_that_overflowed() {
    let config = FitConfig { epochs: 5, batch_size: 1, seed: 0, shuffle: false };
    // The first layer's output overflows at once: the initial weights, not the steps.
    let mut m = model(vec![linear(&[f64::MAX], &[0.0]), linear(&[1.0], &[0.0])]);
    let err =
        fit(&mut m, &[10.0], Targets::Values(&[0.0]), Loss::HalfSquaredError, &mut Sgd::new(1.0), &config).unwrap_err();
    assert_eq!(
        err,
        TrainError::NonFiniteLoss {
            epoch: 1,
            batch: 1,
            value: f64::INFINITY,
            layer: Some((0, "dense 1→1 Identity".into()))
        }
    );
    assert!(err.to_string().ends_with("; the first non-finite output is layer 0's (dense 1→1 Identity)"));
    // Here every output is finite (1e200) and their square overflows: the loss itself.
    let mut m = model(vec![linear(&[1e200], &[0.0])]);
    let err =
        fit(&mut m, &[1.0], Targets::Values(&[0.0]), Loss::HalfSquaredError, &mut Sgd::new(1.0), &config).unwrap_err();
    assert_eq!(err, TrainError::NonFiniteLoss { epoch: 1, batch: 1, value: f64::INFINITY, layer: None });
    assert_eq!(
        err.to_string(),
        "the loss became infinite at epoch 1, batch 1; every layer's output is finite, so the loss itself \
         overflowed: the outputs are too far from the targets (rescale the data)"
    );
}

#[test]
fn a_nan_gradient_is_named_before_the_step() {
    // h = ∞, then relu(−h) = 0: a finite loss whose gradient for w₂ is h·0 = NaN.
    let relu = Dense::from_parts(vec![-1.0], vec![0.0], Activation::Relu);
    let mut m = model(vec![linear(&[f64::INFINITY], &[0.0]), relu]);
    let config = FitConfig { epochs: 1, batch_size: 1, seed: 0, shuffle: false };
    let err =
        fit(&mut m, &[1.0], Targets::Values(&[0.0]), Loss::HalfSquaredError, &mut Sgd::new(0.1), &config).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the gradient of layer 1 (dense 1→1 Relu) weights became NaN at epoch 1, batch 1 (element 0)"
    );
    // The step did not run.
    assert_eq!(m.parameters()[2].values[0], -1.0);
}

#[test]
fn mismatched_data_is_an_error_not_a_panic() {
    let mut m = model(vec![linear(&[1.0, 1.0, 1.0, 1.0], &[0.0, 0.0])]);
    let config = FitConfig::default();
    let mut sgd = Sgd::new(0.1);
    let mut run = |x: &[f64], t: Targets<'_, f64>, loss, batch_size| {
        let config = FitConfig { batch_size, ..config };
        fit(&mut m, x, t, loss, &mut sgd, &config).unwrap_err().to_string()
    };
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(
        run(&x[..3], Targets::Values(&x), Loss::MeanSquaredError, 1),
        "3 input values do not make whole rows of 2 (the model's input width)"
    );
    assert_eq!(
        run(&x, Targets::Values(&x[..3]), Loss::MeanSquaredError, 1),
        "3 target values for 2 samples: expected 4 (2 per sample, the model's output width)"
    );
    assert_eq!(
        run(&x, Targets::Labels(&[0, 1]), Loss::HalfSquaredError, 1),
        "HalfSquaredError needs target values (Targets::Values), not class labels"
    );
    assert_eq!(
        run(&x, Targets::Values(&x), Loss::SoftmaxCrossEntropy, 1),
        "SoftmaxCrossEntropy needs class labels (Targets::Labels), not target values"
    );
    assert_eq!(
        run(&x, Targets::Labels(&[0, 2]), Loss::SoftmaxCrossEntropy, 1),
        "label 2 of sample 1 is not below the 2 classes"
    );
    assert_eq!(
        run(&x, Targets::Labels(&[0]), Loss::SoftmaxCrossEntropy, 1),
        "1 labels for 2 samples: expected one per sample"
    );
    assert_eq!(run(&x, Targets::Values(&x), Loss::MeanSquaredError, 0), "batch_size must be at least 1");
}

#[test]
fn diagnose_counts_dead_and_saturated_units() {
    // For x = 1, 2, 3: unit 0 is x (alive); units 1 (−x), 2 (x − 10) and 3 (−x − 1) are
    // never positive: 3 of 4 dead.
    let relu = Dense::from_parts(vec![1.0, -1.0, 1.0, -1.0], vec![0.0, 0.0, -10.0, -1.0], Activation::Relu);
    // σ(0·h₀), σ(2h₀), σ(3h₀), σ(0): |σ − ½| > 0.49 ⇔ |z| > ln 99 ≈ 4.6, so σ(2h₀) saturates
    // for h₀ = 3 and σ(3h₀) for h₀ = 2, 3: 3 of 12 outputs.
    let sigmoid = Dense::from_parts(
        [[0.0, 2.0, 3.0, 0.0], [0.0; 4], [0.0; 4], [0.0; 4]].concat(),
        vec![0.0; 4],
        Activation::Sigmoid,
    );
    // tanh(s) and tanh(3s) with s = σ(2h₀) + σ(3h₀) in [1.83, 2): |tanh(s)| ≤ 0.965 never
    // saturates, tanh(3s) ≥ 0.9999 always: 3 of 6.
    let tanh =
        Dense::from_parts([[0.0, 0.0], [1.0, 3.0], [1.0, 3.0], [0.0, 0.0]].concat(), vec![0.0; 2], Activation::Tanh);
    let mut m = model(vec![relu, sigmoid, tanh]);
    let x = [1.0, 2.0, 3.0];
    let reports = diagnose(&mut m, &x, Targets::Values(&[0.0; 6]), Loss::HalfSquaredError).unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!((reports[0].dead, reports[0].saturated), (Some(0.75), None));
    assert_eq!((reports[1].dead, reports[1].saturated), (None, Some(0.25)));
    assert_eq!((reports[2].dead, reports[2].saturated), (None, Some(0.5)));
    let norms: Vec<f64> = {
        let mut sq = [0.0; 3];
        for p in m.parameters() {
            sq[p.layer] += p.gradient.iter().map(|g| g * g).sum::<f64>();
        }
        sq.iter().map(|s| s.sqrt()).collect()
    };
    for (r, n) in reports.iter().zip(&norms) {
        assert_eq!(r.gradient_norm, *n);
    }
    assert!(norms.iter().all(|&n| n > 0.0));
    assert_eq!(reports[0].to_string(), format!("layer 0 (dense 1→4 Relu): gradient norm {:.3e}, 75.0% dead", norms[0]));
}

/// Full-batch SGD on a 1→1 linear unit from w = b = 0 under the mean squared error, by hand:
/// the epoch whose loss is first not finite, and the largest gradient norm of the steps before.
fn diverge_by_hand(x: &[f64], y: &[f64], lr: f64) -> (usize, f64) {
    let (mut w, mut b, mut largest) = (0.0f64, 0.0f64, 0.0f64);
    let n = x.len() as f64;
    for epoch in 1.. {
        let errors: Vec<f64> = x.iter().zip(y).map(|(x, y)| w * x + b - y).collect();
        if !(errors.iter().map(|e| e * e).sum::<f64>() / n).is_finite() {
            return (epoch, largest);
        }
        let gw = errors.iter().zip(x).map(|(e, x)| 2.0 * e * x).sum::<f64>() / n;
        let gb = errors.iter().map(|e| 2.0 * e).sum::<f64>() / n;
        largest = largest.max(gw.hypot(gb));
        (w, b) = (w - lr * gw, b - lr * gb);
    }
    unreachable!()
}

/// `fit` of that unit: its error, which must be a divergence, and its message.
fn diverge(x: &[f64], y: &[f64], lr: f64) -> (TrainError, String) {
    let mut m = model(vec![linear(&[0.0], &[0.0])]);
    let config = FitConfig { epochs: 10_000, batch_size: x.len(), seed: 0, shuffle: false };
    let err = fit(&mut m, x, Targets::Values(y), Loss::MeanSquaredError, &mut Sgd::new(lr), &config).unwrap_err();
    let message = err.to_string();
    (err, message)
}

/// Checks a divergence against the run by hand: the epoch, the learning rate, the first loss
/// and the largest gradient norm, in the fields and in the message.
fn assert_diverged(x: &[f64], y: &[f64], lr: f64, hint: &str) {
    let (err, message) = diverge(x, y, lr);
    let (epoch_by_hand, norm_by_hand) = diverge_by_hand(x, y, lr);
    let first_by_hand = y.iter().map(|y| y * y).sum::<f64>() / y.len() as f64;
    let TrainError::Diverged { epoch, batch, learning_rate, value, first_loss, gradient_norm, gradient_layer, .. } =
        err
    else {
        panic!("lr {lr}: not a divergence: {message}")
    };
    assert_eq!((epoch, batch, learning_rate, value), (epoch_by_hand, 1, lr, f64::INFINITY), "{message}");
    assert!(epoch > 2 && (first_loss - first_by_hand).abs() < 1e-12 * first_by_hand, "{message}");
    assert!((gradient_norm - norm_by_hand).abs() < 1e-9 * norm_by_hand, "{gradient_norm} vs {norm_by_hand}");
    assert_eq!(gradient_layer, (0, "dense 1→1 Identity".to_string()));
    let start = format!("the loss diverged at epoch {epoch} (batch 1) with learning rate {lr}: from {first_loss:.3e}");
    assert!(message.starts_with(&start), "{message}");
    let norm = format!("; the largest gradient norm was {gradient_norm:.3e}, at layer 0 (dense 1→1 Identity); ");
    assert!(message.contains(&norm) && message.ends_with(hint), "{message}");
    assert!(!message.contains("check the targets"), "{message}");
}

const X: [f64; 4] = [0.5, 1.0, 1.5, 2.0];
const Y: [f64; 4] = [2.0, 3.0, 4.0, 5.0]; // 2x + 1

#[test]
fn a_learning_rate_of_50_diverges() {
    assert_diverged(&X, &Y, 50.0, "lower the learning rate or rescale the data");
}

#[test]
fn a_negative_learning_rate_diverges() {
    assert_diverged(&X, &Y, -1.0, "a negative learning rate climbs the loss instead of descending it");
}

#[test]
fn inputs_scaled_by_1e30_diverge() {
    let x = X.map(|x| x * 1e30);
    assert_diverged(&x, &Y, 0.1, "lower the learning rate or rescale the data");
}

#[test]
fn gradient_norms_past_1e154_do_not_overflow() {
    // out = 1e-200 · 1e200 = 1 against 0: ∂E/∂w = x = 1e200 and ∂E/∂b = 1, whose squares sum
    // past f64::MAX; the norm is recomputed scaled.
    let mut m = model(vec![linear(&[1e-200], &[0.0])]);
    let reports = diagnose(&mut m, &[1e200], Targets::Values(&[0.0]), Loss::HalfSquaredError).unwrap();
    assert_eq!(reports[0].gradient_norm, 1e200);
    assert_eq!(m.parameters()[0].gradient, [1e200]);
}

#[test]
fn a_divergence_reports_the_loss_before_and_the_layer_that_overflowed() {
    // η = 1e200: after one step w = 1 − 1e200, and the next loss squares −1e200.
    let mut m = model(vec![linear(&[1.0], &[0.0])]);
    let config = FitConfig { epochs: 5, batch_size: 1, seed: 0, shuffle: false };
    let err = fit(&mut m, &[1.0], Targets::Values(&[0.0]), Loss::HalfSquaredError, &mut Sgd::new(1e200), &config)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the loss diverged at epoch 2 (batch 1) with learning rate 1e200: from 5.000e-1 at the first batch to \
         5.000e-1 at the batch before, then infinite; the largest gradient norm was 1.414e0, at layer 0 (dense 1→1 \
         Identity); lower the learning rate or rescale the data"
    );
    // Two layers: after one step h = w₁ + b₁ ≈ −2e200 and w₂ ≈ −1e200, so the second layer's
    // output overflows, and is named.
    let mut m = model(vec![linear(&[1.0], &[0.0]), linear(&[1.0], &[0.0])]);
    let err = fit(&mut m, &[1.0], Targets::Values(&[0.0]), Loss::HalfSquaredError, &mut Sgd::new(1e200), &config)
        .unwrap_err();
    let TrainError::Diverged { epoch: 2, output: Some((1, ref name)), .. } = err else { panic!("{err}") };
    assert_eq!(name, "dense 1→1 Identity");
    assert!(err.to_string().contains("then infinite (the first non-finite output is layer 1's (dense 1→1 Identity))"));
}

#[test]
fn data_that_is_not_finite_is_refused_before_training() {
    let mut m = model(vec![linear(&[1.0, 1.0], &[0.0])]);
    let config = FitConfig::default();
    let mut run = |x: &[f64], y: &[f64]| {
        fit(&mut m, x, Targets::Values(y), Loss::MeanSquaredError, &mut Sgd::new(0.1), &config).unwrap_err()
    };
    assert_eq!(
        run(&[1.0, 2.0, 3.0, f64::NAN], &[0.0, 0.0]),
        TrainError::Invalid("input value 1 of sample 1 is NaN: the data must be finite".into())
    );
    assert_eq!(
        run(&[1.0, 2.0, 3.0, 4.0], &[0.0, f64::INFINITY]),
        TrainError::Invalid("target value 0 of sample 1 is infinite: the data must be finite".into())
    );
}

fn linear2() -> Sequential<f64> {
    model(vec![linear(&[1.0, 2.0, 3.0, 4.0], &[0.0, 0.0])])
}

fn input_error(actual: usize, expected: usize, batch: usize) -> ShapeError {
    ShapeError::Input { actual, expected, batch, width: 2, layer: "dense 2→2 Identity".into() }
}

#[test]
fn accuracy_refuses_labels_that_do_not_fit_the_rows() {
    let m = linear2();
    // Row 0 scores (1, 2) → class 1; row 1 (−1, −2) → class 0.
    let x = [1.0, 0.0, -1.0, 0.0];
    assert_eq!(accuracy(&m, &x, &[1, 1]), Ok(0.5));
    assert_eq!(accuracy(&m, &x, &[1, 0, 0, 0, 0]), Err(ShapeError::Labels { labels: 5, rows: 2 }));
    assert_eq!(accuracy(&m, &x[..3], &[1, 0]), Err(input_error(3, 4, 2)));
    assert_eq!(accuracy(&m, &[], &[]), Err(ShapeError::EmptyBatch));
    assert_eq!(accuracy(&m, &x, &[1, 2]), Err(ShapeError::Label { row: 1, label: 2, classes: 2 }));
    assert_eq!(
        accuracy(&m, &x, &[1, 0, 0, 0, 0]).unwrap_err().to_string(),
        "label count 5 differs from the input's row count 2: expected one label per row"
    );
}

#[test]
#[should_panic(expected = "argmax of an empty row")]
fn argmax_of_an_empty_row_panics() {
    argmax::<f64>(&[]);
}

#[test]
fn fit_refuses_a_zero_width_output_layer() {
    // Built, the model is refused at once (see model::tests); replaced, at fit.
    let mut m = linear2();
    let mut empty = linear(&[1.0, 1.0], &[0.0]);
    empty.biases.clear();
    m.layers_mut()[0] = Box::new(empty);
    let config = FitConfig::default();
    let err = fit(&mut m, &[1.0, 2.0], Targets::Values(&[]), Loss::MeanSquaredError, &mut Sgd::new(0.1), &config);
    let zero_width = ShapeError::ZeroWidth { layer: 0, name: "dense 2→0 Identity".into(), inputs: 2, outputs: 0 };
    assert_eq!(err, Err(TrainError::Shape(zero_width)));
    assert_eq!(
        err.unwrap_err().to_string(),
        "layer 0 (dense 2→0 Identity) is 2→0: a layer needs at least one input and one output"
    );
}

/// XOR's 2-4-1 sigmoid network, as `examples/xor.rs` trains it.
fn fitted_xor() -> Sequential<f64> {
    let (x, y) = crate::data::xor::<f64>();
    let mut m = Sequential::mlp(&[2, 4, 1], Activation::Sigmoid, Activation::Sigmoid, &mut Rng::new(0));
    let config = FitConfig { epochs: 5000, batch_size: 4, seed: 0, shuffle: false };
    fit(&mut m, &x, Targets::Values(&y), Loss::HalfSquaredError, &mut Sgd::new(3.0), &config).unwrap();
    m
}

#[test]
fn a_fitted_output_layer_is_not_saturated() {
    let (x, y) = crate::data::xor::<f64>();
    let mut m = fitted_xor();
    let out = m.predict(&x, 4);
    // Every output is on the tail of its target: by the flat-tail count alone, 100% saturated.
    assert!(out.iter().zip(&y).all(|(o, t)| (o - t).abs() < 0.01), "{out:?}");
    let reports = diagnose(&mut m, &x, Targets::Values(&y), Loss::HalfSquaredError).unwrap();
    assert!(!reports[0].output && reports[1].output);
    assert_eq!(reports[1].saturated, Some(0.0));
    assert!(reports[1].to_string().ends_with(", 0.0% saturated away from the targets"), "{}", reports[1]);
}

#[test]
fn a_saturated_hidden_layer_and_an_output_stuck_off_target_are_reported() {
    let (x, y) = crate::data::xor::<f64>();
    // Hidden z = (20(x₁ + x₂) − 10, −20(x₁ + x₂) + 10): |z| ≥ 10 for every row, all on the tails.
    let hidden = Dense::from_parts(vec![20.0, -20.0, 20.0, -20.0], vec![-10.0, 10.0], Activation::Sigmoid);
    // h₀ + h₁ ≈ 1 for every row: σ(20) ≈ 1, on the upper tail, where rows 0 and 3 want 0.
    let stuck = Dense::from_parts(vec![20.0, 20.0], vec![0.0], Activation::Sigmoid);
    let mut m = model(vec![hidden.clone(), stuck]);
    let reports = diagnose(&mut m, &x, Targets::Values(&y), Loss::HalfSquaredError).unwrap();
    assert_eq!((reports[0].saturated, reports[1].saturated), (Some(1.0), Some(0.5)));
    assert!(reports[0].to_string().ends_with(", 100.0% saturated"), "{}", reports[0]);
    // σ(h₀ + h₁) ≈ σ(1) = 0.73 is off the tails: nothing to report for the output.
    let middle = Dense::from_parts(vec![1.0, 1.0], vec![0.0], Activation::Sigmoid);
    let mut m = model(vec![hidden, middle]);
    let reports = diagnose(&mut m, &x, Targets::Values(&y), Loss::HalfSquaredError).unwrap();
    assert_eq!((reports[0].saturated, reports[1].saturated), (Some(1.0), Some(0.0)));
}
