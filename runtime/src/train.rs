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

use crate::layer::Real;
use crate::model::{Sequential, ShapeError};
use crate::optim::Optimizer;
use crate::rng::Rng;
use std::ops::ControlFlow;

mod checks;
mod diagnose;
mod error;

use checks::{check_data, check_parameters, first_non_finite, layer_gradient_norms};
pub use diagnose::{LayerReport, diagnose};
pub use error::{Quantity, TrainError};

/// The loss minimised by [`fit`], from the functions of [`loss`](crate::loss).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// The lecture's E = Σ ½(target − output)², summed over the batch.
    HalfSquaredError,
    /// (1/n) Σ (target − output)² over every output of the batch.
    MeanSquaredError,
    /// Binary cross-entropy of sigmoid(output) against targets in [0, 1], averaged: the
    /// output layer should be linear ([`Activation::Identity`](crate::layer::Activation::Identity)).
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

#[cfg(test)]
mod tests;
