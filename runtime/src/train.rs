//! Training: [`fit`] runs epochs of mini-batch steps and keeps the loss of every epoch;
//! [`diagnose`] reports, per layer, the symptoms the lecture warns about (dead ReLUs,
//! saturated sigmoid and tanh units, vanishing or exploding gradients).
//!
//! A run that diverges stops at the first batch whose loss, gradient or parameters are no
//! longer finite, with an error that names the layer and the parameter tensor: by the time a
//! NaN reaches a printed loss curve, the step that made it is long gone. The data are checked
//! finite first, so a loss that overflows after finite steps is a divergence
//! ([`TrainError::Diverged`], with the learning rate and the largest gradient norm), and one
//! that overflows before any step is the data's scale or the initial parameters.

use crate::layer::{Activation, Real};
use crate::model::{Sequential, ShapeError};
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
#[non_exhaustive]
pub enum TrainError {
    /// The loss of the run's first batch, before any step, is NaN or infinite, although the
    /// data are finite (`fit` checks them): the initial parameters and the data's scale
    /// overflow. `layer` is the first layer whose output is not finite (None when every output
    /// is: then the loss itself overflowed).
    NonFiniteLoss { epoch: usize, batch: usize, value: f64, layer: Option<(usize, String)> },
    /// The loss became NaN or infinite (`value`) after at least one step, on finite data, when
    /// every earlier batch's loss, gradients and parameters were finite: the steps made it grow
    /// until it overflowed.
    Diverged {
        epoch: usize,
        batch: usize,
        /// The optimizer's learning rate at that batch.
        learning_rate: f64,
        value: f64,
        /// The loss of the run's first batch.
        first_loss: f64,
        /// The loss of the batch before this one, the last finite one.
        last_loss: f64,
        /// The largest gradient norm of a layer (over all its parameters) in the steps taken,
        /// and that layer's index and name.
        gradient_norm: f64,
        gradient_layer: (usize, String),
        /// The first layer whose output is not finite (None when every output is: then the
        /// loss itself overflowed).
        output: Option<(usize, String)>,
    },
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
    /// The model's layers do not fit together: a layer replaced through
    /// [`Sequential::layers_mut`] by one of other widths.
    Shape(ShapeError),
    /// The data, the targets or the configuration do not fit the model or the loss.
    Invalid(String),
}

impl From<ShapeError> for TrainError {
    fn from(e: ShapeError) -> Self {
        TrainError::Shape(e)
    }
}

fn describe(value: f64) -> &'static str {
    if value.is_nan() { "NaN" } else { "infinite" }
}

/// A learning rate as written by hand: `50`, `-1`, `0.001`; `1e200` rather than 201 digits.
fn rate(lr: f64) -> String {
    if lr == 0.0 || (1e-4..1e6).contains(&lr.abs()) { format!("{lr}") } else { format!("{lr:e}") }
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::NonFiniteLoss { epoch, batch, value, layer } => {
                write!(f, "the loss became {} at epoch {epoch}, batch {batch}", describe(*value))?;
                match layer {
                    Some((l, name)) => write!(f, "; the first non-finite output is layer {l}'s ({name})"),
                    None => write!(
                        f,
                        "; every layer's output is finite, so the loss itself overflowed: \
                         the outputs are too far from the targets (rescale the data)"
                    ),
                }
            }
            TrainError::Diverged {
                epoch,
                batch,
                learning_rate,
                value,
                first_loss,
                last_loss,
                gradient_norm,
                gradient_layer: (l, name),
                output,
            } => {
                write!(f, "the loss diverged at epoch {epoch} (batch {batch})")?;
                write!(f, " with learning rate {}: from {first_loss:.3e} at the first batch", rate(*learning_rate))?;
                write!(f, " to {last_loss:.3e} at the batch before, then {}", describe(*value))?;
                if let Some((o, output)) = output {
                    write!(f, " (the first non-finite output is layer {o}'s ({output}))")?;
                }
                write!(f, "; the largest gradient norm was {gradient_norm:.3e}, at layer {l} ({name})")?;
                f.write_str(if *learning_rate < 0.0 {
                    "; a negative learning rate climbs the loss instead of descending it"
                } else {
                    "; lower the learning rate or rescale the data"
                })
            }
            TrainError::NonFiniteParameter { epoch, batch, layer, layer_name, parameter, quantity, index, value } => {
                if *quantity == Quantity::Gradient {
                    f.write_str("the gradient of ")?;
                }
                write!(f, "layer {layer} ({layer_name}) {parameter} became {}", describe(*value))?;
                write!(f, " at epoch {epoch}, batch {batch} (element {index})")
            }
            TrainError::Shape(e) => e.fmt(f),
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
    model.check()?;
    let inputs = model.inputs();
    if x.is_empty() || !x.len().is_multiple_of(inputs) {
        return Err(TrainError::Invalid(format!(
            "{} input values do not make whole rows of {inputs} (the model's input width)",
            x.len()
        )));
    }
    let n = x.len() / inputs;
    check_targets(n, model.outputs(), targets, loss)?;
    // A non-finite loss on finite data can then only be an overflow: of the initial parameters
    // at the first batch, of the steps (a divergence) later.
    check_finite("input", x, inputs)?;
    if let Targets::Values(t) = targets {
        check_finite("target", t, model.outputs())?;
    }
    Ok(n)
}

/// Whether `targets` are the kind `loss` takes, one per sample of `n` and below the `outputs`
/// classes for labels.
fn check_targets<F>(n: usize, outputs: usize, targets: Targets<'_, F>, loss: Loss) -> Result<(), TrainError> {
    let invalid = |message: String| Err(TrainError::Invalid(message));
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
            None => Ok(()),
        },
        Targets::Values(_) => Ok(()),
    }
}

/// An error at the first value of `data` (rows of `width`) that is NaN or infinite.
fn check_finite<F: Real>(what: &str, data: &[F], width: usize) -> Result<(), TrainError> {
    match first_non_finite(data) {
        None => Ok(()),
        Some((i, value)) => Err(TrainError::Invalid(format!(
            "{what} value {} of sample {} is {}: the data must be finite",
            i % width,
            i / width,
            describe(value)
        ))),
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

/// √(Σ v²) that cannot overflow: the largest |v| so far and the sum of squares scaled by it
/// (LAPACK's `dnrm2`), for gradients past 1e154, whose squares do.
#[derive(Clone, Copy, Default)]
struct ScaledNorm {
    scale: f64,
    sum: f64,
}

impl ScaledNorm {
    fn add(&mut self, v: f64) {
        let a = v.abs();
        if a.is_nan() {
            self.sum = f64::NAN;
        } else if a > self.scale {
            self.sum = 1.0 + self.sum * (self.scale / a).powi(2);
            self.scale = a;
        } else if a > 0.0 && self.scale.is_finite() {
            self.sum += (a / self.scale).powi(2);
        }
    }

    fn value(self) -> f64 {
        self.scale * self.sum.sqrt()
    }
}

/// Per layer, the Euclidean norm of the gradient over all its parameters: NaN or infinite if
/// an element is.
fn layer_gradient_norms<F: Real>(model: &mut Sequential<F>) -> Vec<f64> {
    let mut squares = vec![0.0; model.layers().len()];
    for p in model.parameters() {
        squares[p.layer] += p.gradient.iter().map(|g| g.to_f64() * g.to_f64()).sum::<f64>();
    }
    let mut norms: Vec<f64> = squares.iter().map(|s| s.sqrt()).collect();
    if norms.iter().all(|n| n.is_finite()) {
        return norms;
    }
    // A sum of squares that is not finite may have only overflowed: redo those layers scaled.
    let mut scaled = vec![ScaledNorm::default(); norms.len()];
    for p in model.parameters().into_iter().filter(|p| !norms[p.layer].is_finite()) {
        p.gradient.iter().for_each(|g| scaled[p.layer].add(g.to_f64()));
    }
    for (norm, scaled) in norms.iter_mut().zip(scaled).filter(|(n, _)| !n.is_finite()) {
        *norm = scaled.value();
    }
    norms
}

/// Trains `model` on the rows of `x` (row-major, as wide as the model's input) towards
/// `targets`, minimising `loss` with `optimizer`, and returns the loss of every epoch.
///
/// # Errors
/// [`TrainError::Invalid`] before training if the data, the targets or `config` do not fit the
/// model or the loss, or the data are not finite. Then training stops at the first batch whose
/// loss, gradient or updated parameters are NaN or infinite, the parameters left as that batch
/// made them:
/// - a loss that overflows at the first batch, before any step, is [`TrainError::NonFiniteLoss`]
///   (the data's scale and the initial parameters);
/// - a loss that overflows later is [`TrainError::Diverged`]: the batches before were finite,
///   so the steps made the loss grow without bound. It gives the learning rate and the largest
///   gradient norm of the run. A loss that grows but stays finite is not an error (it may
///   recover, and no ratio to the first loss tells a spike from a divergence);
/// - a gradient or parameter element that is not finite is [`TrainError::NonFiniteParameter`],
///   naming the tensor and the element.
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
/// # Errors
/// As [`fit`].
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
    let widths = (model.inputs(), model.outputs());
    let batch_size = config.batch_size.min(n);
    let mut rng = Rng::new(config.seed);
    let mut order: Vec<usize> = (0..n).collect();
    let mut gathered = Gathered { x: Vec::new(), values: Vec::new(), labels: Vec::new() };
    let mut run = Run { first_loss: None, last_loss: 0.0, largest: (0.0, 0) };
    let mut history = History { losses: Vec::with_capacity(config.epochs) };
    for epoch in 1..=config.epochs {
        if config.shuffle {
            rng.shuffle(&mut order);
        }
        let mut total = F::ZERO;
        for (b, rows) in order.chunks(batch_size).enumerate() {
            let (xs, ts) = batch_of(x, targets, rows, config.shuffle, widths, &mut gathered);
            let size = rows.len();
            let value = model.loss_and_gradient(xs, size, |out, dout| F::loss(loss, out, dout, ts, widths.1));
            run.step(model, optimizer, value, epoch, b + 1)?;
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

/// The buffers a shuffled batch's rows are gathered into, reused from batch to batch.
struct Gathered<F> {
    x: Vec<F>,
    values: Vec<F>,
    labels: Vec<usize>,
}

/// The inputs and targets of the samples `rows`: gathered when the order is shuffled, else a
/// contiguous block, sliced without a copy. `widths` are the model's input and output widths.
fn batch_of<'a, F: Copy>(
    x: &'a [F],
    targets: Targets<'a, F>,
    rows: &[usize],
    shuffled: bool,
    (inputs, outputs): (usize, usize),
    gathered: &'a mut Gathered<F>,
) -> (&'a [F], Targets<'a, F>) {
    use crate::data::gather;
    if shuffled {
        gather(x, inputs, rows, &mut gathered.x);
        match targets {
            Targets::Values(t) => gather(t, outputs, rows, &mut gathered.values),
            Targets::Labels(l) => gather(l, 1, rows, &mut gathered.labels),
        }
        let gathered: &'a Gathered<F> = gathered;
        let ts = match targets {
            Targets::Values(_) => Targets::Values(&gathered.values[..]),
            Targets::Labels(_) => Targets::Labels(&gathered.labels[..]),
        };
        return (&gathered.x, ts);
    }
    let (start, end) = (rows[0], rows[0] + rows.len());
    let ts = match targets {
        Targets::Values(t) => Targets::Values(&t[start * outputs..end * outputs]),
        Targets::Labels(l) => Targets::Labels(&l[start..end]),
    };
    (&x[start * inputs..end * inputs], ts)
}

/// What [`fit`] has seen of the run so far: enough to tell a divergence (a loss that overflows
/// after finite steps) from data or initial parameters that overflow at once, and to say how
/// large the gradients grew.
struct Run {
    /// The loss of the first batch, once it has been found finite and stepped on.
    first_loss: Option<f64>,
    last_loss: f64,
    /// The largest layer gradient norm of the steps taken, and its layer.
    largest: (f64, usize),
}

impl Run {
    /// After a batch's forward and backward pass, whose loss is `value`: checks the loss and
    /// the gradients, steps, and checks the new parameters.
    fn step<F: Real>(
        &mut self,
        model: &mut Sequential<F>,
        optimizer: &mut dyn Optimizer<F>,
        value: F,
        epoch: usize,
        batch: usize,
    ) -> Result<(), TrainError> {
        if !value.is_finite() {
            return Err(self.non_finite_loss(model, optimizer.learning_rate().to_f64(), value.to_f64(), epoch, batch));
        }
        let norms = layer_gradient_norms(model);
        // A norm that is not finite has a non-finite element, unless the norm alone overflowed.
        if norms.iter().any(|n| !n.is_finite()) {
            check_parameters(model, Quantity::Gradient, epoch, batch)?;
        }
        for (l, &norm) in norms.iter().enumerate() {
            if norm > self.largest.0 {
                self.largest = (norm, l);
            }
        }
        model.step(optimizer);
        check_parameters(model, Quantity::Values, epoch, batch)?;
        self.first_loss.get_or_insert(value.to_f64());
        self.last_loss = value.to_f64();
        Ok(())
    }

    fn non_finite_loss<F: Real>(
        &self,
        model: &Sequential<F>,
        learning_rate: f64,
        value: f64,
        epoch: usize,
        batch: usize,
    ) -> TrainError {
        let name = |l: usize| (l, model.layers()[l].name());
        let output = (0..model.layers().len()).find(|&l| first_non_finite(model.layer_output(l)).is_some()).map(name);
        let Some(first_loss) = self.first_loss else {
            return TrainError::NonFiniteLoss { epoch, batch, value, layer: output };
        };
        TrainError::Diverged {
            epoch,
            batch,
            learning_rate,
            value,
            first_loss,
            last_loss: self.last_loss,
            gradient_norm: self.largest.0,
            gradient_layer: name(self.largest.1),
            output,
        }
    }
}

/// The fraction of rows of `x` whose largest output of `model` is at their label's index.
///
/// # Errors
/// - [`ShapeError::Labels`] if `x` is whole rows of the model's input, but not one per label;
/// - [`ShapeError::Input`] if it is not whole rows;
/// - [`ShapeError::EmptyBatch`] if there are no rows (an accuracy of no rows is undefined);
/// - [`ShapeError::Label`] if a label is not below the model's output width.
///
/// ```
/// use chainrule_runtime::layer::{Activation, Dense, Layer};
/// use chainrule_runtime::model::{Sequential, ShapeError};
/// use chainrule_runtime::train::accuracy;
/// // Two classes scored by (x, −x): class 0 wins for positive x.
/// let layer = Dense::from_parts(vec![1.0, -1.0], vec![0.0, 0.0], Activation::Identity);
/// let model = Sequential::<f64>::new(vec![Box::new(layer) as Box<dyn Layer<f64>>]);
/// assert_eq!(accuracy(&model, &[2.0, -1.0, 3.0, -4.0], &[0, 1, 1, 1])?, 0.75);
/// assert_eq!(accuracy(&model, &[2.0, -1.0], &[0, 1, 1]), Err(ShapeError::Labels { labels: 3, rows: 2 }));
/// # Ok::<(), ShapeError>(())
/// ```
pub fn accuracy<F: Real>(model: &Sequential<F>, x: &[F], labels: &[usize]) -> Result<f64, ShapeError> {
    model.check()?;
    let (inputs, classes) = (model.inputs(), model.outputs());
    if x.len().is_multiple_of(inputs) && x.len() / inputs != labels.len() {
        return Err(ShapeError::Labels { labels: labels.len(), rows: x.len() / inputs });
    }
    if labels.is_empty() {
        return Err(ShapeError::EmptyBatch);
    }
    if let Some(row) = labels.iter().position(|&c| c >= classes) {
        return Err(ShapeError::Label { row, label: labels[row], classes });
    }
    let scores = model.try_predict(x, labels.len())?;
    let hits = scores.chunks(classes).zip(labels).filter(|&(row, &label)| argmax(row) == label).count();
    Ok(hits as f64 / labels.len() as f64)
}

/// The index of the largest value (the first of equals).
///
/// # Panics
/// If `row` is empty: it has no largest value.
#[track_caller]
pub fn argmax<F: Real>(row: &[F]) -> usize {
    assert!(!row.is_empty(), "argmax of an empty row");
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
    /// Whether this is the model's output layer, whose saturation counts only units held
    /// away from their targets.
    pub output: bool,
    /// ReLU layers: the fraction of units whose output is 0 for every sample of the batch.
    /// Such a unit passes no gradient to its weights, so it will stay dead.
    pub dead: Option<f64>,
    /// Sigmoid and tanh layers: the fraction of outputs (over samples and units) on a flat
    /// tail, |y − ½| > 0.49 for the sigmoid and |y| > 0.98 for tanh, where the local
    /// derivative is below 0.01 (sigmoid) or 0.04 (tanh) and the gradient vanishes.
    ///
    /// For the output layer, only the outputs on a tail their target is not on (for class
    /// labels, the target is 1 for the label's unit and 0 for the others): to reach it they
    /// must leave the tail, which their vanishing gradient stalls. An output on the tail its
    /// target is on has fitted it (a sigmoid asked for 0 or 1 gives 0.01 or 0.99), and its
    /// small gradient is the fit, not a problem.
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
        match self.saturated {
            Some(saturated) if self.output => write!(f, ", {:.1}% saturated away from the targets", 100.0 * saturated),
            Some(saturated) => write!(f, ", {:.1}% saturated", 100.0 * saturated),
            None => Ok(()),
        }
    }
}

/// Runs forward and backward over all rows of `x` (one batch) and reports each layer's dead
/// ReLUs, saturated units and gradient norm. Leaves the gradients of that batch in the model.
///
/// # Errors
/// [`TrainError::Invalid`] or [`TrainError::Shape`] as [`fit`] checks the data before training.
///
/// ```
/// use chainrule_runtime::layer::Activation;
/// use chainrule_runtime::model::Sequential;
/// use chainrule_runtime::rng::Rng;
/// use chainrule_runtime::train::{Loss, Targets, diagnose};
/// let mut model = Sequential::<f64>::mlp(&[2, 8, 1], Activation::Relu, Activation::Sigmoid, &mut Rng::new(3));
/// let reports = diagnose(&mut model, &[0.0, 1.0, 1.0, 0.0], Targets::Values(&[1.0, 1.0]), Loss::HalfSquaredError)?;
/// assert!(reports[0].dead.is_some() && reports[0].saturated.is_none());
/// assert!(reports[1].output && reports[1].saturated.is_some() && reports[1].gradient_norm > 0.0);
/// # Ok::<(), chainrule_runtime::train::TrainError>(())
/// ```
pub fn diagnose<F: Trainable>(
    model: &mut Sequential<F>,
    x: &[F],
    targets: Targets<'_, F>,
    loss: Loss,
) -> Result<Vec<LayerReport>, TrainError> {
    let n = check_data(model, x, targets, loss)?;
    let outputs = model.outputs();
    model.loss_and_gradient(x, n, |out, dout| F::loss(loss, out, dout, targets, outputs));
    let norms = layer_gradient_norms(model);
    let last = model.layers().len() - 1;
    let reports = model
        .layers()
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            let (out, units, activation) = (model.layer_output(l), layer.outputs(), layer.activation());
            LayerReport {
                layer: l,
                name: layer.name(),
                output: l == last,
                dead: dead_fraction(activation, out, units),
                saturated: saturated_fraction(activation, out, units, (l == last).then_some(targets)),
                gradient_norm: norms[l],
            }
        })
        .collect();
    Ok(reports)
}

/// ReLU layers: the fraction of the `units` whose output is 0 in every row of `out`.
fn dead_fraction<F: Real>(activation: Option<Activation>, out: &[F], units: usize) -> Option<f64> {
    if activation != Some(Activation::Relu) {
        return None;
    }
    let is_dead = |j: usize| out.iter().skip(j).step_by(units).all(|&y| y == F::ZERO);
    Some((0..units).filter(|&j| is_dead(j)).count() as f64 / units as f64)
}

/// Which flat tail of `activation` the value `y` is on (`Some(true)` the upper one), if any.
fn tail(activation: Activation, y: f64) -> Option<bool> {
    let (middle, half_width) = match activation {
        Activation::Sigmoid => (0.5, 0.49),
        Activation::Tanh => (0.0, 0.98),
        _ => return None,
    };
    ((y - middle).abs() > half_width).then_some(y > middle)
}

/// Sigmoid and tanh layers: the fraction of outputs on a flat tail; with `targets` (the output
/// layer's), of those on a tail their target is not on (see [`LayerReport::saturated`]).
fn saturated_fraction<F: Real>(
    activation: Option<Activation>,
    out: &[F],
    units: usize,
    targets: Option<Targets<'_, F>>,
) -> Option<f64> {
    let activation = activation.filter(|a| matches!(a, Activation::Sigmoid | Activation::Tanh))?;
    let target = |i: usize| match targets? {
        Targets::Values(t) => Some(t[i].to_f64()),
        Targets::Labels(labels) => Some(if labels[i / units] == i % units { 1.0 } else { 0.0 }),
    };
    let stalled = |(i, y): (usize, &F)| match tail(activation, y.to_f64()) {
        None => false,
        Some(side) => target(i).is_none_or(|t| tail(activation, t) != Some(side)),
    };
    Some(out.iter().enumerate().filter(|&iy| stalled(iy)).count() as f64 / out.len() as f64)
}

#[cfg(test)]
mod tests;
