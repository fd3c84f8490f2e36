//! What [`fit`](super::fit) checks before and during a run: the data against the model and
//! the loss, every value finite, and the gradients' norms a divergence reports.

use super::error::{Quantity, TrainError, describe};
use super::{Loss, Targets};
use crate::layer::Real;
use crate::model::Sequential;

/// Where `x` and `targets` disagree with the model or the loss, if anywhere; else the number
/// of samples.
pub(super) fn check_data<F: Real>(
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
pub(super) fn check_targets<F>(
    n: usize,
    outputs: usize,
    targets: Targets<'_, F>,
    loss: Loss,
) -> Result<(), TrainError> {
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
pub(super) fn check_finite<F: Real>(what: &str, data: &[F], width: usize) -> Result<(), TrainError> {
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
pub(super) fn first_non_finite<F: Real>(values: &[F]) -> Option<(usize, f64)> {
    values.iter().position(|v| !v.is_finite()).map(|i| (i, values[i].to_f64()))
}

pub(super) fn check_parameters<F: Real>(
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
pub(super) struct ScaledNorm {
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
pub(super) fn layer_gradient_norms<F: Real>(model: &mut Sequential<F>) -> Vec<f64> {
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
