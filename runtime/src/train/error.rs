//! Why training stopped: [`TrainError`] and how it reads.

use crate::model::ShapeError;
use std::fmt;

/// Which values of a parameter tensor went bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// The parameters themselves, after the optimizer's step.
    Values,
    /// Their gradient, before the step.
    Gradient,
}

/// Why [`fit`](super::fit) or [`diagnose`](super::diagnose) stopped.
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
    /// [`Sequential::layers_mut`](crate::model::Sequential::layers_mut) by one of other widths.
    Shape(ShapeError),
    /// The data, the targets or the configuration do not fit the model or the loss.
    Invalid(String),
}

impl From<ShapeError> for TrainError {
    fn from(e: ShapeError) -> Self {
        TrainError::Shape(e)
    }
}

pub(super) fn describe(value: f64) -> &'static str {
    if value.is_nan() { "NaN" } else { "infinite" }
}

/// A learning rate as written by hand: `50`, `-1`, `0.001`; `1e200` rather than 201 digits.
pub(super) fn rate(lr: f64) -> String {
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
