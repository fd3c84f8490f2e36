use super::*;
use crate::layer::{Dense, Layer};
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
    assert_eq!(accuracy(&m, &x, &labels), 1.0);

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
fn an_exploding_loss_names_the_layer_that_overflowed() {
    // η = 1e200 leaves finite parameters after the first step; the next forward pass
    // squares numbers near 1e200.
    let mut m = model(vec![linear(&[1.0], &[0.0])]);
    let config = FitConfig { epochs: 5, batch_size: 1, seed: 0, shuffle: false };
    let err = fit(&mut m, &[1.0], Targets::Values(&[0.0]), Loss::HalfSquaredError, &mut Sgd::new(1e200), &config)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the loss became infinite at epoch 2, batch 1; every layer's output is finite: check the targets"
    );
    // Here the first layer's output overflows, and is named.
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
