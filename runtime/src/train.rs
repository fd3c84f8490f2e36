//! Training: [`fit`] runs epochs of mini-batch steps and keeps the loss of every epoch;
//! [`diagnose`] reports, per layer, the symptoms the lecture warns about (dead ReLUs,
//! saturated sigmoid and tanh units, vanishing or exploding gradients).
//!
//! A run that diverges stops at the first batch whose loss, gradient or parameters are no
//! longer finite, with an error that names the layer and the parameter tensor: by the time a
//! NaN reaches a printed loss curve, the step that made it is long gone.

use crate::layer::{Activation, Real};
use crate::model::Sequential;
use crate::optim::Optimizer;
use crate::rng::Rng;
use std::fmt;
use std::ops::ControlFlow;

/// The loss minimised by [`fit`], from the functions of [`loss`](crate::loss).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// The lecture's E = Σ ½(target − output)², summed over the batch.
    HalfSquaredError,
    /// (1/n) Σ (target − output)² over every output of the batch.
    MeanSquaredError,
    /// Binary cross-entropy of sigmoid(output) against targets in [0, 1], averaged: the
    /// output layer should be linear ([`Activation::Identity`]).
    BinaryCrossEntropyWithLogits,
    /// Softmax cross-entropy of the output row against a class label, averaged over the batch;
    /// the output layer should be linear.
    SoftmaxCrossEntropy,
}

impl Loss {
    /// Whether the loss adds up over samples (rather than averaging), which decides how the
    /// batches of an epoch combine into its loss.
    fn sums(self) -> bool {
        self == Loss::HalfSquaredError
    }

    fn wants_labels(self) -> bool {
        self == Loss::SoftmaxCrossEntropy
    }
}

/// What the outputs are trained towards.
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a, F> {
    /// One row of target values per sample, as wide as the model's output (row-major).
    Values(&'a [F]),
    /// One class label per sample, below the model's output width.
    Labels(&'a [usize]),
}

/// Floats a model can be trained on: [`Real`] plus the losses, which exist once per float
/// type. Implemented for `f32` and `f64`.
pub trait Trainable: Real {
    /// The loss of `output` against `targets`, writing its gradient with respect to the output
    /// into `doutput`. `classes` is the width of an output row.
    ///
    /// # Panics
    /// If `targets` is not the kind `loss` takes: labels for [`Loss::SoftmaxCrossEntropy`],
    /// values for the others.
    fn loss(loss: Loss, output: &[Self], doutput: &mut [Self], targets: Targets<'_, Self>, classes: usize) -> Self;
}

macro_rules! trainable {
    ($F:ident) => {
        impl Trainable for $F {
            fn loss(loss: Loss, output: &[$F], doutput: &mut [$F], targets: Targets<'_, $F>, classes: usize) -> $F {
                use crate::loss::$F::*;
                // The vjps add into their shadow.
                doutput.fill(0.0);
                match (loss, targets) {
                    (Loss::HalfSquaredError, Targets::Values(t)) => half_squared_error_vjp(output, doutput, t, 1.0).0,
                    (Loss::MeanSquaredError, Targets::Values(t)) => mean_squared_error_vjp(output, doutput, t, 1.0).0,
                    (Loss::BinaryCrossEntropyWithLogits, Targets::Values(t)) => {
                        binary_cross_entropy_with_logits_vjp(output, doutput, t, 1.0).0
                    }
                    (Loss::SoftmaxCrossEntropy, Targets::Labels(labels)) => {
                        softmax_cross_entropy_vjp(output, doutput, labels, classes, 1.0).0
                    }
                    (loss, _) => panic!("{loss:?}: wrong kind of targets (fit checks this before training)"),
                }
            }
        }
    };
}
trainable!(f64);
trainable!(f32);

/// How [`fit`] trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FitConfig {
    /// Passes over the data.
    pub epochs: usize,
    /// Samples per step; the last batch of an epoch is smaller when this does not divide the
    /// number of samples. At least as large as the data means full-batch gradient descent.
    pub batch_size: usize,
    /// Seeds the shuffling, so that a run is reproducible.
    pub seed: u64,
    /// Whether every epoch visits the samples in a fresh random order (else in data order).
    pub shuffle: bool,
}

impl Default for FitConfig {
    /// 100 epochs of shuffled batches of 32, seed 0.
    fn default() -> Self {
        FitConfig { epochs: 100, batch_size: 32, seed: 0, shuffle: true }
    }
}

/// The loss of each epoch that ran, first epoch first.
///
/// An epoch's loss combines its batches' losses as measured during the epoch (each before its
/// own step): for [`Loss::HalfSquaredError`], which sums over samples, their sum (the
/// lecture's E over the whole data set); for the averaging losses, their mean weighted by
/// batch size. With one batch per epoch it is the loss before that epoch's step.
#[derive(Clone, Debug, PartialEq)]
pub struct History<F> {
    pub losses: Vec<F>,
}

impl<F: Copy> History<F> {
    /// The loss of the last epoch that ran.
    pub fn last(&self) -> Option<F> {
        self.losses.last().copied()
    }
}

/// The end of one epoch, as [`fit_with`] shows it to its callback.
pub struct Epoch<'m, F: Real> {
    /// Counting from 1.
    pub number: usize,
    pub loss: F,
    pub model: &'m Sequential<F>,
}

/// Which values of a parameter tensor went bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// The parameters themselves, after the optimizer's step.
    Values,
    /// Their gradient, before the step.
    Gradient,
}

/// Why [`fit`] or [`diagnose`] stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// The loss of a batch is NaN or infinite. `layer` is the first layer whose output is
    /// (None when every output is finite: then the loss itself or the targets are to blame).
    NonFiniteLoss { epoch: usize, batch: usize, value: f64, layer: Option<(usize, String)> },
    /// An element of a parameter tensor, or of its gradient, is NaN or infinite.
    NonFiniteParameter {
        epoch: usize,
        batch: usize,
        layer: usize,
        layer_name: String,
        parameter: &'static str,
        quantity: Quantity,
        index: usize,
        value: f64,
    },
    /// The data, the targets or the configuration do not fit the model or the loss.
    Invalid(String),
}

fn describe(value: f64) -> &'static str {
    if value.is_nan() { "NaN" } else { "infinite" }
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::NonFiniteLoss { epoch, batch, value, layer } => {
                write!(f, "the loss became {} at epoch {epoch}, batch {batch}", describe(*value))?;
                match layer {
                    Some((l, name)) => write!(f, "; the first non-finite output is layer {l}'s ({name})"),
                    None => write!(f, "; every layer's output is finite: check the targets"),
                }
            }
            TrainError::NonFiniteParameter { epoch, batch, layer, layer_name, parameter, quantity, index, value } => {
                if *quantity == Quantity::Gradient {
                    f.write_str("the gradient of ")?;
                }
                write!(f, "layer {layer} ({layer_name}) {parameter} became {}", describe(*value))?;
                write!(f, " at epoch {epoch}, batch {batch} (element {index})")
            }
            TrainError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for TrainError {}

/// Where `x` and `targets` disagree with the model or the loss, if anywhere; else the number
/// of samples.
fn check_data<F: Real>(
    model: &Sequential<F>,
    x: &[F],
    targets: Targets<'_, F>,
    loss: Loss,
) -> Result<usize, TrainError> {
    let invalid = |message: String| Err(TrainError::Invalid(message));
    let (Some(first), Some(last)) = (model.layers().first(), model.layers().last()) else {
        return invalid("the model has no layers".into());
    };
    let (inputs, outputs) = (first.inputs(), last.outputs());
    if inputs == 0 || x.is_empty() || x.len() % inputs != 0 {
        return invalid(format!(
            "{} input values do not make whole rows of {inputs} (the model's input width)",
            x.len()
        ));
    }
    let n = x.len() / inputs;
    match targets {
        Targets::Labels(_) if !loss.wants_labels() => {
            invalid(format!("{loss:?} needs target values (Targets::Values), not class labels"))
        }
        Targets::Values(_) if loss.wants_labels() => {
            invalid(format!("{loss:?} needs class labels (Targets::Labels), not target values"))
        }
        Targets::Values(t) if t.len() != n * outputs => invalid(format!(
            "{} target values for {n} samples: expected {} ({outputs} per sample, the model's output width)",
            t.len(),
            n * outputs
        )),
        Targets::Labels(labels) if labels.len() != n => {
            invalid(format!("{} labels for {n} samples: expected one per sample", labels.len()))
        }
        Targets::Labels(labels) => match labels.iter().position(|&c| c >= outputs) {
            Some(i) => invalid(format!("label {} of sample {i} is not below the {outputs} classes", labels[i])),
            None => Ok(n),
        },
        Targets::Values(_) => Ok(n),
    }
}

/// The first element of `values` that is NaN or infinite: its index and value.
fn first_non_finite<F: Real>(values: &[F]) -> Option<(usize, f64)> {
    values.iter().position(|v| !v.is_finite()).map(|i| (i, values[i].to_f64()))
}

fn check_parameters<F: Real>(
    model: &mut Sequential<F>,
    quantity: Quantity,
    epoch: usize,
    batch: usize,
) -> Result<(), TrainError> {
    let mut bad = None;
    for p in model.parameters() {
        let values = match quantity {
            Quantity::Values => &*p.values,
            Quantity::Gradient => p.gradient,
        };
        if let Some((index, value)) = first_non_finite(values) {
            bad = Some((p.layer, p.name, index, value));
            break;
        }
    }
    match bad {
        None => Ok(()),
        Some((layer, parameter, index, value)) => Err(TrainError::NonFiniteParameter {
            epoch,
            batch,
            layer,
            layer_name: model.layers()[layer].name(),
            parameter,
            quantity,
            index,
            value,
        }),
    }
}

/// Trains `model` on the rows of `x` (row-major, as wide as the model's input) towards
/// `targets`, minimising `loss` with `optimizer`, and returns the loss of every epoch.
///
/// Stops with [`TrainError::NonFiniteLoss`] or [`TrainError::NonFiniteParameter`] at the first
/// batch whose loss, gradient or updated parameters are NaN or infinite; the parameters are
/// left as that batch made them.
///
/// ```
/// use chainrule_runtime::layer::Activation;
/// use chainrule_runtime::model::Sequential;
/// use chainrule_runtime::optim::Sgd;
/// use chainrule_runtime::rng::Rng;
/// use chainrule_runtime::train::{FitConfig, Loss, Targets, fit};
///
/// // y = 2x + 1 with one linear unit.
/// let x = [-1.0, 0.0, 1.0, 2.0];
/// let y = [-1.0, 1.0, 3.0, 5.0];
/// let mut model = Sequential::<f64>::mlp(&[1, 1], Activation::Identity, Activation::Identity, &mut Rng::new(0));
/// let config = FitConfig { epochs: 200, batch_size: 4, ..FitConfig::default() };
/// let history = fit(&mut model, &x, Targets::Values(&y), Loss::MeanSquaredError, &mut Sgd::new(0.1), &config)?;
/// assert_eq!(history.losses.len(), 200);
/// assert!(history.last().unwrap() < 1e-6);
/// # Ok::<(), chainrule_runtime::train::TrainError>(())
/// ```
pub fn fit<F: Trainable>(
    model: &mut Sequential<F>,
    x: &[F],
    targets: Targets<'_, F>,
    loss: Loss,
    optimizer: &mut dyn Optimizer<F>,
    config: &FitConfig,
) -> Result<History<F>, TrainError> {
    fit_with(model, x, targets, loss, optimizer, config, |_| ControlFlow::Continue(()))
}

/// [`fit`], calling `on_epoch` at the end of every epoch (for progress, schedules through a
/// shared optimizer, or early stopping): returning `ControlFlow::Break(())` ends training
/// after that epoch.
///
/// ```
/// use std::ops::ControlFlow;
/// use chainrule_runtime::layer::Activation;
/// use chainrule_runtime::model::Sequential;
/// use chainrule_runtime::optim::Sgd;
/// use chainrule_runtime::rng::Rng;
/// use chainrule_runtime::train::{FitConfig, Loss, Targets, fit_with};
///
/// let (x, y) = ([0.0, 1.0], [1.0, 3.0]);
/// let mut model = Sequential::<f64>::mlp(&[1, 1], Activation::Identity, Activation::Identity, &mut Rng::new(0));
/// let config = FitConfig { epochs: 10_000, batch_size: 2, ..FitConfig::default() };
/// let mut sgd = Sgd::new(0.2);
/// let history = fit_with(&mut model, &x, Targets::Values(&y), Loss::HalfSquaredError, &mut sgd, &config, |e| {
///     if e.loss < 1e-10 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
/// })?;
/// assert!(history.losses.len() < 10_000);
/// # Ok::<(), chainrule_runtime::train::TrainError>(())
/// ```
pub fn fit_with<F: Trainable>(
    model: &mut Sequential<F>,
    x: &[F],
    targets: Targets<'_, F>,
    loss: Loss,
    optimizer: &mut dyn Optimizer<F>,
    config: &FitConfig,
    mut on_epoch: impl FnMut(&Epoch<'_, F>) -> ControlFlow<()>,
) -> Result<History<F>, TrainError> {
    let n = check_data(model, x, targets, loss)?;
    if config.batch_size == 0 {
        return Err(TrainError::Invalid("batch_size must be at least 1".into()));
    }
    let inputs = model.layers()[0].inputs();
    let outputs = model.layers()[model.layers().len() - 1].outputs();
    let batch_size = config.batch_size.min(n);
    let mut rng = Rng::new(config.seed);
    let mut order: Vec<usize> = (0..n).collect();
    let (mut xb, mut tb, mut lb) = (Vec::new(), Vec::new(), Vec::new());
    let mut history = History { losses: Vec::with_capacity(config.epochs) };
    for epoch in 1..=config.epochs {
        if config.shuffle {
            rng.shuffle(&mut order);
        }
        let mut total = F::ZERO;
        for (b, rows) in order.chunks(batch_size).enumerate() {
            let batch = b + 1;
            let size = rows.len();
            // In data order a batch is a contiguous block: no copy needed.
            let start = rows[0];
            let (xs, ts) = if config.shuffle {
                crate::data::gather(x, inputs, rows, &mut xb);
                let ts = match targets {
                    Targets::Values(t) => {
                        crate::data::gather(t, outputs, rows, &mut tb);
                        Targets::Values(&tb[..])
                    }
                    Targets::Labels(l) => {
                        crate::data::gather(l, 1, rows, &mut lb);
                        Targets::Labels(&lb[..])
                    }
                };
                (&xb[..], ts)
            } else {
                let ts = match targets {
                    Targets::Values(t) => Targets::Values(&t[start * outputs..(start + size) * outputs]),
                    Targets::Labels(l) => Targets::Labels(&l[start..start + size]),
                };
                (&x[start * inputs..(start + size) * inputs], ts)
            };
            let value = model.loss_and_gradient(xs, size, |out, dout| F::loss(loss, out, dout, ts, outputs));
            if !value.is_finite() {
                let layer = (0..model.layers().len())
                    .find(|&l| first_non_finite(model.layer_output(l)).is_some())
                    .map(|l| (l, model.layers()[l].name()));
                return Err(TrainError::NonFiniteLoss { epoch, batch, value: value.to_f64(), layer });
            }
            check_parameters(model, Quantity::Gradient, epoch, batch)?;
            model.step(optimizer);
            check_parameters(model, Quantity::Values, epoch, batch)?;
            total += if loss.sums() { value } else { value * F::from_f64(size as f64) };
        }
        let epoch_loss = if loss.sums() { total } else { total / F::from_f64(n as f64) };
        history.losses.push(epoch_loss);
        if on_epoch(&Epoch { number: epoch, loss: epoch_loss, model: &*model }).is_break() {
            break;
        }
    }
    Ok(history)
}

/// The fraction of rows of `x` whose largest output of `model` is at their label's index.
///
/// ```
/// use chainrule_runtime::layer::{Activation, Dense, Layer};
/// use chainrule_runtime::model::Sequential;
/// use chainrule_runtime::train::accuracy;
/// // Two classes scored by (x, −x): class 0 wins for positive x.
/// let layer = Dense::from_parts(vec![1.0, -1.0], vec![0.0, 0.0], Activation::Identity);
/// let model = Sequential::<f64>::new(vec![Box::new(layer) as Box<dyn Layer<f64>>]);
/// assert_eq!(accuracy(&model, &[2.0, -1.0, 3.0, -4.0], &[0, 1, 1, 1]), 0.75);
/// ```
pub fn accuracy<F: Real>(model: &Sequential<F>, x: &[F], labels: &[usize]) -> f64 {
    if labels.is_empty() {
        return 0.0;
    }
    let scores = model.predict(x, labels.len());
    let classes = scores.len() / labels.len();
    let hits = scores.chunks(classes).zip(labels).filter(|&(row, &label)| argmax(row) == label).count();
    hits as f64 / labels.len() as f64
}

/// The index of the largest value (the first of equals).
pub fn argmax<F: Real>(row: &[F]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// One layer's health over a batch, from [`diagnose`].
#[derive(Clone, Debug, PartialEq)]
pub struct LayerReport {
    /// Counting from 0, with its [`Layer::name`](crate::layer::Layer::name).
    pub layer: usize,
    pub name: String,
    /// ReLU layers: the fraction of units whose output is 0 for every sample of the batch.
    /// Such a unit passes no gradient to its weights, so it will stay dead.
    pub dead: Option<f64>,
    /// Sigmoid and tanh layers: the fraction of outputs (over samples and units) on the flat
    /// tails, |y − ½| > 0.49 for the sigmoid and |y| > 0.98 for tanh, where the local
    /// derivative is below 0.01 (sigmoid) or 0.04 (tanh) and the gradient vanishes.
    pub saturated: Option<f64>,
    /// The Euclidean norm of the gradient over all of the layer's parameters.
    pub gradient_norm: f64,
}

impl fmt::Display for LayerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "layer {} ({}): gradient norm {:.3e}", self.layer, self.name, self.gradient_norm)?;
        if let Some(dead) = self.dead {
            write!(f, ", {:.1}% dead", 100.0 * dead)?;
        }
        if let Some(saturated) = self.saturated {
            write!(f, ", {:.1}% saturated", 100.0 * saturated)?;
        }
        Ok(())
    }
}

/// Runs forward and backward over all rows of `x` (one batch) and reports each layer's dead
/// ReLUs, saturated units and gradient norm. Leaves the gradients of that batch in the model.
///
/// ```
/// use chainrule_runtime::layer::Activation;
/// use chainrule_runtime::model::Sequential;
/// use chainrule_runtime::rng::Rng;
/// use chainrule_runtime::train::{Loss, Targets, diagnose};
/// let mut model = Sequential::<f64>::mlp(&[2, 8, 1], Activation::Relu, Activation::Sigmoid, &mut Rng::new(3));
/// let reports = diagnose(&mut model, &[0.0, 1.0, 1.0, 0.0], Targets::Values(&[1.0, 1.0]), Loss::HalfSquaredError)?;
/// assert!(reports[0].dead.is_some() && reports[0].saturated.is_none());
/// assert!(reports[1].saturated.is_some() && reports[1].gradient_norm > 0.0);
/// # Ok::<(), chainrule_runtime::train::TrainError>(())
/// ```
pub fn diagnose<F: Trainable>(
    model: &mut Sequential<F>,
    x: &[F],
    targets: Targets<'_, F>,
    loss: Loss,
) -> Result<Vec<LayerReport>, TrainError> {
    let n = check_data(model, x, targets, loss)?;
    let outputs = model.layers()[model.layers().len() - 1].outputs();
    model.loss_and_gradient(x, n, |out, dout| F::loss(loss, out, dout, targets, outputs));
    let mut squares = vec![0.0; model.layers().len()];
    for p in model.parameters() {
        squares[p.layer] += p.gradient.iter().map(|g| g.to_f64() * g.to_f64()).sum::<f64>();
    }
    let reports = model
        .layers()
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            let out = model.layer_output(l);
            let units = layer.outputs();
            let (mut dead, mut saturated) = (None, None);
            match layer.activation() {
                Some(Activation::Relu) => {
                    let is_dead = |j: usize| out.iter().skip(j).step_by(units).all(|&y| y == F::ZERO);
                    dead = Some((0..units).filter(|&j| is_dead(j)).count() as f64 / units as f64);
                }
                Some(act @ (Activation::Sigmoid | Activation::Tanh)) => {
                    let flat = |y: f64| match act {
                        Activation::Sigmoid => (y - 0.5).abs() > 0.49,
                        _ => y.abs() > 0.98,
                    };
                    saturated = Some(out.iter().filter(|y| flat(y.to_f64())).count() as f64 / out.len() as f64);
                }
                _ => {}
            }
            LayerReport { layer: l, name: layer.name(), dead, saturated, gradient_norm: squares[l].sqrt() }
        })
        .collect();
    Ok(reports)
}

#[cfg(test)]
mod tests {
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
        let h = fit_with(
            &mut m,
            &[1.0],
            Targets::Values(&[1.0]),
            Loss::HalfSquaredError,
            &mut Sgd::new(0.1),
            &config,
            |e| {
                seen.push((e.number, e.loss, e.model.predict(&[1.0], 1)[0]));
                if e.number == 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
            },
        )
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
        let err = fit(&mut m, &[10.0], Targets::Values(&[0.0]), Loss::HalfSquaredError, &mut Sgd::new(1.0), &config)
            .unwrap_err();
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
        let err = fit(&mut m, &[1.0], Targets::Values(&[0.0]), Loss::HalfSquaredError, &mut Sgd::new(0.1), &config)
            .unwrap_err();
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
        let tanh = Dense::from_parts(
            [[0.0, 0.0], [1.0, 3.0], [1.0, 3.0], [0.0, 0.0]].concat(),
            vec![0.0; 2],
            Activation::Tanh,
        );
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
        assert_eq!(
            reports[0].to_string(),
            format!("layer 0 (dense 1→4 Relu): gradient norm {:.3e}, 75.0% dead", norms[0])
        );
    }
}
