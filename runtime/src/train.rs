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
    if inputs == 0 || x.is_empty() || !x.len().is_multiple_of(inputs) {
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
mod tests;
