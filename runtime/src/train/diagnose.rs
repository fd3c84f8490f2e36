//! [`diagnose`]: per layer, the symptoms the lecture warns about (dead ReLUs, saturated
//! sigmoid and tanh units, vanishing or exploding gradients).

use super::checks::{check_data, layer_gradient_norms};
use super::{Loss, Targets, TrainError, Trainable};
use crate::layer::{Activation, Real};
use crate::model::Sequential;
use std::fmt;

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
/// [`TrainError::Invalid`] or [`TrainError::Shape`] as [`fit`](super::fit) checks the data before training.
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
pub(super) fn dead_fraction<F: Real>(activation: Option<Activation>, out: &[F], units: usize) -> Option<f64> {
    if activation != Some(Activation::Relu) {
        return None;
    }
    let is_dead = |j: usize| out.iter().skip(j).step_by(units).all(|&y| y == F::ZERO);
    Some((0..units).filter(|&j| is_dead(j)).count() as f64 / units as f64)
}

/// Which flat tail of `activation` the value `y` is on (`Some(true)` the upper one), if any.
pub(super) fn tail(activation: Activation, y: f64) -> Option<bool> {
    let (middle, half_width) = match activation {
        Activation::Sigmoid => (0.5, 0.49),
        Activation::Tanh => (0.0, 0.98),
        _ => return None,
    };
    ((y - middle).abs() > half_width).then_some(y > middle)
}

/// Sigmoid and tanh layers: the fraction of outputs on a flat tail; with `targets` (the output
/// layer's), of those on a tail their target is not on (see [`LayerReport::saturated`]).
pub(super) fn saturated_fraction<F: Real>(
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
