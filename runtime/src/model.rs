//! A sequential model: layers applied in order over a batch. Its backward pass chains the
//! layers' backward passes (each written by `#[differentiable]`), feeding each the adjoint of
//! its output; gradients accumulate per parameter tensor for an optimizer.
//!
//! Shapes are checked at every entry point. Building a model ([`Sequential::new`],
//! [`Sequential::mlp`]) and the training pass ([`Sequential::loss_and_gradient`]) panic on a
//! shape that does not fit, because a wrong shape there is a bug in the calling code and the
//! training pass is the hot path; [`Sequential::try_new`] and [`Sequential::try_predict`]
//! return a [`ShapeError`] instead, for shapes that come from data.

use crate::layer::{Activation, Adjoints, Dense, Layer, Real};
use crate::optim::Optimizer;
use crate::rng::Rng;
use std::fmt;

/// Why a model, a layer or a batch does not have the shape it needs. Its `Display` names the
/// layer and the expected and actual lengths.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShapeError {
    /// A model needs at least one layer.
    NoLayers,
    /// Layer `layer` has no inputs or no outputs.
    ZeroWidth { layer: usize, name: String, inputs: usize, outputs: usize },
    /// Layer `layer` takes rows of `inputs` values, but the layer before it gives rows of
    /// `previous`.
    Chain { layer: usize, name: String, inputs: usize, previous: usize },
    /// The input has length `actual` where `batch` rows of the model's input `width` (that of
    /// its first layer, named `layer`), `expected` values, were needed: a row too short or too
    /// long, a batch too big, or data that is not whole rows.
    Input { actual: usize, expected: usize, batch: usize, width: usize, layer: String },
    /// A batch of 0 rows, where at least one is needed.
    EmptyBatch,
    /// `labels` class labels for `rows` rows of input.
    Labels { labels: usize, rows: usize },
    /// Label `label`, of row `row`, is not below the model's `classes` outputs.
    Label { row: usize, label: usize, classes: usize },
    /// `weights` weights for `biases` biases: not a whole, non-zero number of rows of weights
    /// (see [`Dense::try_from_parts`]).
    Parameters { weights: usize, biases: usize },
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeError::NoLayers => f.write_str("a model needs at least one layer"),
            ShapeError::ZeroWidth { layer, name, inputs, outputs } => write!(
                f,
                "layer {layer} ({name}) is {inputs}→{outputs}: a layer needs at least one input and one output"
            ),
            ShapeError::Chain { layer, name, inputs, previous } => write!(
                f,
                "layer {layer} ({name}) takes rows of {inputs}, but layer {} gives rows of {previous}",
                layer - 1
            ),
            ShapeError::Input { actual, expected, batch, width, layer } => write!(
                f,
                "input length {actual} does not fit batch {batch} × width {width} (the input width of layer 0, \
                 {layer}): expected {expected}"
            ),
            ShapeError::EmptyBatch => f.write_str("a batch of 0 rows: at least one row is needed"),
            ShapeError::Labels { labels, rows } => {
                write!(f, "label count {labels} differs from the input's row count {rows}: expected one label per row")
            }
            ShapeError::Label { row, label, classes } => {
                write!(f, "label {label} of row {row} is not below the model's {classes} outputs")
            }
            ShapeError::Parameters { weights, biases: 0 } => {
                write!(f, "weight count {weights} with no biases: a layer needs at least one output")
            }
            ShapeError::Parameters { weights, biases } => write!(
                f,
                "weight count {weights} is not a non-zero multiple of the bias count {biases} (inputs × outputs)"
            ),
        }
    }
}

impl std::error::Error for ShapeError {}

/// Checks that `layers` make a model: at least one, none without inputs or outputs, and each
/// taking rows as wide as the previous one gives.
fn check_layers<F: Real>(layers: &[Box<dyn Layer<F>>]) -> Result<(), ShapeError> {
    if layers.is_empty() {
        return Err(ShapeError::NoLayers);
    }
    let mut previous = None;
    for (l, layer) in layers.iter().enumerate() {
        let (inputs, outputs) = (layer.inputs(), layer.outputs());
        if inputs == 0 || outputs == 0 {
            return Err(ShapeError::ZeroWidth { layer: l, name: layer.name(), inputs, outputs });
        }
        if let Some(previous) = previous.filter(|&p| p != inputs) {
            return Err(ShapeError::Chain { layer: l, name: layer.name(), inputs, previous });
        }
        previous = Some(outputs);
    }
    Ok(())
}

pub struct Sequential<F: Real> {
    layers: Vec<Box<dyn Layer<F>>>,
    /// The buffers of the training pass (of the first part of a batch split across threads).
    work: Workspace<F>,
    /// How many threads [`Sequential::loss_and_gradient`] may use, and the buffers of the
    /// second (see `parallel`).
    threads: usize,
    helper: Workspace<F>,
    /// The second thread, on two threads.
    worker: Option<worker::Worker>,
}

/// The buffers a training pass writes (none yet for a model on one thread's helper).
#[derive(Default)]
struct Workspace<F> {
    /// Per layer, per parameter tensor: the accumulated gradient.
    gradients: Vec<Vec<Vec<F>>>,
    /// Per layer: its output over the batch, and its adjoint.
    outputs: Vec<Vec<F>>,
    adjoints: Vec<Vec<F>>,
}

impl<F: Real> Workspace<F> {
    fn new(layers: &[Box<dyn Layer<F>>]) -> Self {
        let gradients =
            layers.iter().map(|l| l.parameters().iter().map(|p| vec![F::ZERO; p.len()]).collect()).collect();
        let n = layers.len();
        Workspace { gradients, outputs: vec![Vec::new(); n], adjoints: vec![Vec::new(); n] }
    }

    /// Sized for `batch` rows, gradients zeroed.
    fn prepare(&mut self, layers: &[Box<dyn Layer<F>>], batch: usize) {
        for (l, layer) in layers.iter().enumerate() {
            self.outputs[l].resize(batch * layer.outputs(), F::ZERO);
            self.adjoints[l].resize(batch * layer.outputs(), F::ZERO);
        }
        for g in self.gradients.iter_mut().flatten() {
            g.fill(F::ZERO);
        }
    }

    fn buffers(&mut self) -> Buffers<'_, F> {
        Buffers { outputs: &mut self.outputs, adjoints: &mut self.adjoints, gradients: &mut self.gradients }
    }
}

/// A parameter tensor with its gradient, for optimizers and diagnostics.
pub struct Parameter<'m, F> {
    /// Which layer (0 = the first) and which tensor of it.
    pub layer: usize,
    pub name: &'static str,
    pub values: &'m mut [F],
    pub gradient: &'m [F],
}

impl<F: Real> Sequential<F> {
    /// A model of `layers`, applied first to last.
    ///
    /// # Panics
    /// If `layers` is empty, a layer has no inputs or no outputs, or a layer's input width is
    /// not the previous layer's output width; the message names the layer and both widths.
    /// [`Sequential::try_new`] returns these as a [`ShapeError`].
    ///
    /// ```should_panic
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// use chainrule_runtime::model::Sequential;
    /// use chainrule_runtime::rng::Rng;
    /// let rng = &mut Rng::new(0);
    /// let (a, b) = (Dense::new(2, 3, Activation::Relu, rng), Dense::new(4, 1, Activation::Identity, rng));
    /// // Panics: "Sequential::new: layer 1 (dense 4→1 Identity) takes rows of 4, but layer 0 gives rows of 3"
    /// let _ = Sequential::<f64>::new(vec![Box::new(a) as Box<dyn Layer<f64>>, Box::new(b)]);
    /// ```
    #[track_caller]
    pub fn new(layers: Vec<Box<dyn Layer<F>>>) -> Self {
        match Self::try_new(layers) {
            Ok(model) => model,
            Err(e) => panic!("Sequential::new: {e}"),
        }
    }

    /// [`Sequential::new`], returning a layer list that does not make a model as an error.
    ///
    /// # Errors
    /// [`ShapeError::NoLayers`], [`ShapeError::ZeroWidth`] or [`ShapeError::Chain`].
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// use chainrule_runtime::model::{Sequential, ShapeError};
    /// assert_eq!(Sequential::<f64>::try_new(Vec::new()).err(), Some(ShapeError::NoLayers));
    /// let layer = Dense::<f64>::from_parts(vec![1.0, 2.0], vec![0.0], Activation::Identity);
    /// assert!(Sequential::try_new(vec![Box::new(layer) as Box<dyn Layer<f64>>]).is_ok());
    /// ```
    pub fn try_new(layers: Vec<Box<dyn Layer<F>>>) -> Result<Self, ShapeError> {
        check_layers(&layers)?;
        let work = Workspace::new(&layers);
        Ok(Sequential { layers, work, threads: 1, helper: Workspace::default(), worker: None })
    }

    /// An MLP from layer sizes, e.g. `[2, 4, 1]`: dense layers with `hidden` activations
    /// and `output` on the last.
    ///
    /// # Panics
    /// If `sizes` has fewer than two entries (an input and an output width) or any is 0.
    ///
    /// ```
    /// use chainrule_runtime::layer::Activation;
    /// use chainrule_runtime::model::Sequential;
    /// use chainrule_runtime::rng::Rng;
    /// let model = Sequential::<f64>::mlp(&[2, 4, 1], Activation::Sigmoid, Activation::Sigmoid, &mut Rng::new(1));
    /// let y = model.predict(&[0.0, 1.0], 1);
    /// assert!(y[0] > 0.0 && y[0] < 1.0);
    /// ```
    #[track_caller]
    pub fn mlp(sizes: &[usize], hidden: Activation, output: Activation, rng: &mut Rng) -> Self {
        assert!(sizes.len() >= 2, "Sequential::mlp: sizes {sizes:?} make no layer: give an input and an output width");
        if let Some(i) = sizes.iter().position(|&s| s == 0) {
            let layer = i.saturating_sub(1);
            panic!(
                "Sequential::mlp: sizes {sizes:?}: layer {layer} would be {}→{}; \
                 a layer needs at least one input and one output",
                sizes[layer],
                sizes[layer + 1]
            );
        }
        let last = sizes.len() - 2;
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let act = if i == last { output } else { hidden };
                Box::new(Dense::new(w[0], w[1], act, rng)) as Box<dyn Layer<F>>
            })
            .collect();
        Self::new(layers)
    }

    pub fn layers(&self) -> &[Box<dyn Layer<F>>] {
        &self.layers
    }

    /// The layers, to change their parameters. A layer replaced here must keep its widths and
    /// the lengths of its parameter tensors (the gradient buffers were sized for them);
    /// different widths are caught by the next pass through the model.
    pub fn layers_mut(&mut self) -> &mut [Box<dyn Layer<F>>] {
        &mut self.layers
    }

    /// The width of a row of input (the first layer's).
    pub fn inputs(&self) -> usize {
        self.layers[0].inputs()
    }

    /// The width of a row of output (the last layer's).
    pub fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].outputs()
    }

    /// Whether the layers still fit together (a layer replaced through
    /// [`Sequential::layers_mut`] may not).
    pub(crate) fn check(&self) -> Result<(), ShapeError> {
        check_layers(&self.layers)
    }

    /// Whether `len` values make `batch` rows of the model's input, for a model whose layers
    /// still fit together.
    fn check_input(&self, len: usize, batch: usize) -> Result<(), ShapeError> {
        self.check()?;
        let width = self.inputs();
        // Saturating: a batch whose length overflows cannot match any slice.
        let expected = batch.saturating_mul(width);
        if len != expected {
            return Err(ShapeError::Input { actual: len, expected, batch, width, layer: self.layers[0].name() });
        }
        Ok(())
    }

    /// The outputs of the model (`batch` rows of [`Sequential::outputs`]) for `batch` rows of
    /// input `x` (no gradient bookkeeping). A batch of 0 rows gives an empty output.
    ///
    /// # Panics
    /// If `x` is not `batch` rows of the model's input width, with a message naming the first
    /// layer and the expected and actual lengths: a shape the calling code got wrong. (Also if
    /// a layer replaced through [`Sequential::layers_mut`] no longer fits the others.) For data
    /// whose shape is not known to fit, [`Sequential::try_predict`] returns the error.
    ///
    /// ```should_panic
    /// use chainrule_runtime::layer::Activation;
    /// use chainrule_runtime::model::Sequential;
    /// use chainrule_runtime::rng::Rng;
    /// let model = Sequential::<f64>::mlp(&[2, 1], Activation::Identity, Activation::Identity, &mut Rng::new(1));
    /// // Panics: "Sequential::predict: input length 3 does not fit batch 2 × width 2 (the input
    /// // width of layer 0, dense 2→1 Identity): expected 4"
    /// model.predict(&[0.0, 1.0, 2.0], 2);
    /// ```
    #[track_caller]
    pub fn predict(&self, x: &[F], batch: usize) -> Vec<F> {
        match self.try_predict(x, batch) {
            Ok(y) => y,
            Err(e) => panic!("Sequential::predict: {e}"),
        }
    }

    /// [`Sequential::predict`], returning a shape that does not fit as an error.
    ///
    /// # Errors
    /// [`ShapeError::Input`] if `x` is not `batch` rows of the model's input width (or a layer
    /// error if [`Sequential::layers_mut`] replaced a layer with one of other widths).
    ///
    /// ```
    /// use chainrule_runtime::layer::Activation;
    /// use chainrule_runtime::model::{Sequential, ShapeError};
    /// use chainrule_runtime::rng::Rng;
    /// let model = Sequential::<f64>::mlp(&[2, 1], Activation::Identity, Activation::Identity, &mut Rng::new(1));
    /// assert_eq!(model.try_predict(&[0.0, 1.0], 1)?.len(), 1);
    /// let too_long = model.try_predict(&[0.0, 1.0, 2.0], 1);
    /// assert!(matches!(too_long, Err(ShapeError::Input { actual: 3, expected: 2, .. })));
    /// # Ok::<(), ShapeError>(())
    /// ```
    pub fn try_predict(&self, x: &[F], batch: usize) -> Result<Vec<F>, ShapeError> {
        self.check_input(x.len(), batch)?;
        if batch == 0 {
            return Ok(Vec::new());
        }
        let mut input = x.to_vec();
        for layer in &self.layers {
            let mut out = vec![F::ZERO; batch * layer.outputs()];
            layer.forward(&input, &mut out, batch);
            input = out;
        }
        Ok(input)
    }

    /// Forward and backward over `batch` rows of input `x`. `loss(output, doutput)` returns the
    /// loss and writes its gradient with respect to the output. Gradients are set (not
    /// accumulated); the outputs of every layer stay available through
    /// [`Sequential::layer_output`].
    ///
    /// # Panics
    /// If `x` is not `batch` rows of the model's input width, or `batch` is 0 (a gradient needs
    /// at least one row), with a message naming the expected and actual lengths. This is the
    /// training hot path, where a wrong shape is a bug in the calling code; [`fit`] checks its
    /// data and returns an error instead.
    ///
    /// [`fit`]: crate::train::fit
    #[track_caller]
    pub fn loss_and_gradient(&mut self, x: &[F], batch: usize, loss: impl FnOnce(&[F], &mut [F]) -> F) -> F {
        if let Err(e) = self.check_input(x.len(), batch) {
            panic!("Sequential::loss_and_gradient: {e}");
        }
        if batch == 0 {
            panic!("Sequential::loss_and_gradient: {}", ShapeError::EmptyBatch);
        }
        if self.threads > 1 && batch >= 2 * parallel::MIN_ROWS {
            return self.split_pass(x, batch, loss);
        }
        self.work.prepare(&self.layers, batch);
        let mut loss = Some(loss);
        let mut value = F::ZERO;
        // The first layer's input needs no gradient: an empty shadow tells its kernel to skip
        // that product.
        train(&self.layers, x, batch, self.work.buffers(), &mut [], &mut |output, doutput| {
            value = (loss.take().expect("the loss runs once"))(output, doutput);
        });
        value
    }

    /// The output of layer `l` over the last batch passed to [`Sequential::loss_and_gradient`]
    /// (empty before the first).
    ///
    /// # Panics
    /// If the model has no layer `l`.
    #[track_caller]
    pub fn layer_output(&self, l: usize) -> &[F] {
        let n = self.layers.len();
        assert!(l < n, "Sequential::layer_output: layer {l} of a model of {n} layers");
        &self.work.outputs[l]
    }

    /// Every parameter tensor with its gradient, first layer first.
    pub fn parameters(&mut self) -> Vec<Parameter<'_, F>> {
        let mut out = Vec::new();
        for (l, (layer, grads)) in self.layers.iter_mut().zip(&self.work.gradients).enumerate() {
            let names = layer.parameter_names();
            for ((values, gradient), name) in layer.parameters_mut().into_iter().zip(grads).zip(names) {
                out.push(Parameter { layer: l, name, values, gradient });
            }
        }
        out
    }

    /// One optimizer step on every parameter.
    pub fn step(&mut self, optimizer: &mut dyn Optimizer<F>) {
        let mut slot = 0;
        for (layer, gradients) in self.layers.iter_mut().zip(&self.work.gradients) {
            let mut tensor = 0;
            layer.visit_parameters_mut(&mut |values| {
                optimizer.update(slot, values, &gradients[tensor]);
                slot += 1;
                tensor += 1;
            });
        }
    }

    /// The number of parameters.
    pub fn size(&self) -> usize {
        self.layers.iter().map(|l| l.parameters().iter().map(|p| p.len()).sum::<usize>()).sum()
    }
}

/// The per-layer buffers of the layers still to run.
struct Buffers<'b, F> {
    outputs: &'b mut [Vec<F>],
    adjoints: &'b mut [Vec<F>],
    gradients: &'b mut [Vec<Vec<F>>],
}

/// Trains `layers` on `x`, adding ∂L/∂x into `dx`: the first layer's forward pass, then
/// (inside it, as its `rest`) the other layers and the loss, then its backward pass. The
/// recursion keeps each layer's backward pass on the stack, so nothing is boxed.
fn train<F: Real>(
    layers: &[Box<dyn Layer<F>>],
    x: &[F],
    batch: usize,
    buffers: Buffers<'_, F>,
    dx: &mut [F],
    loss: &mut dyn FnMut(&[F], &mut [F]),
) {
    let (layer, later) = layers.split_first().expect("a layer to train");
    let (out, outputs) = buffers.outputs.split_first_mut().expect("one output buffer per layer");
    let (dout, adjoints) = buffers.adjoints.split_first_mut().expect("one adjoint buffer per layer");
    let (params, gradients) = buffers.gradients.split_first_mut().expect("one gradient set per layer");
    let mut rest = |out: &[F], dout: &mut [F]| {
        if later.is_empty() {
            loss(out, dout);
        } else {
            // The next layer's backward pass adds into its input's adjoint.
            dout.fill(F::ZERO);
            train(later, out, batch, Buffers { outputs, adjoints, gradients }, dout, loss);
        }
    };
    layer.forward_backward(x, out, batch, &mut rest, Adjoints { dout, dx, params });
}

mod parallel;
#[cfg(test)]
mod parallel_tests;
#[cfg(test)]
mod tests;
mod worker;
