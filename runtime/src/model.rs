//! A sequential model: layers applied in order over a batch. Its backward pass chains the
//! layers' backward passes (each written by `#[differentiable]`), feeding each the adjoint of
//! its output; gradients accumulate per parameter tensor for an optimizer.

use crate::layer::{Activation, Adjoints, Dense, Layer, Real};
use crate::optim::Optimizer;
use crate::rng::Rng;

pub struct Sequential<F: Real> {
    layers: Vec<Box<dyn Layer<F>>>,
    /// Per layer, per parameter tensor: the accumulated gradient.
    gradients: Vec<Vec<Vec<F>>>,
    /// Per layer: its output over the last batch, and its adjoint.
    outputs: Vec<Vec<F>>,
    adjoints: Vec<Vec<F>>,
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
    pub fn new(layers: Vec<Box<dyn Layer<F>>>) -> Self {
        let gradients =
            layers.iter().map(|l| l.parameters().iter().map(|p| vec![F::ZERO; p.len()]).collect()).collect();
        let n = layers.len();
        Sequential { layers, gradients, outputs: vec![Vec::new(); n], adjoints: vec![Vec::new(); n] }
    }

    /// An MLP from layer sizes, e.g. `[2, 4, 1]`: dense layers with `hidden` activations
    /// and `output` on the last.
    ///
    /// ```
    /// use chainrule_runtime::layer::Activation;
    /// use chainrule_runtime::model::Sequential;
    /// use chainrule_runtime::rng::Rng;
    /// let model = Sequential::<f64>::mlp(&[2, 4, 1], Activation::Sigmoid, Activation::Sigmoid, &mut Rng::new(1));
    /// let y = model.predict(&[0.0, 1.0], 1);
    /// assert!(y[0] > 0.0 && y[0] < 1.0);
    /// ```
    pub fn mlp(sizes: &[usize], hidden: Activation, output: Activation, rng: &mut Rng) -> Self {
        let last = sizes.len().saturating_sub(2);
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

    pub fn layers_mut(&mut self) -> &mut [Box<dyn Layer<F>>] {
        &mut self.layers
    }

    /// The outputs of the model for a batch of rows (no gradient bookkeeping).
    pub fn predict(&self, x: &[F], batch: usize) -> Vec<F> {
        let mut input = x.to_vec();
        for layer in &self.layers {
            let mut out = vec![F::ZERO; batch * layer.outputs()];
            layer.forward(&input, &mut out, batch);
            input = out;
        }
        input
    }

    /// Forward and backward over a batch. `loss(output, doutput)` returns the loss and writes
    /// its gradient with respect to the output. Gradients are set (not accumulated); the
    /// outputs of every layer stay available through [`Sequential::layer_output`].
    pub fn loss_and_gradient(&mut self, x: &[F], batch: usize, loss: impl FnOnce(&[F], &mut [F]) -> F) -> F {
        assert!(!self.layers.is_empty(), "a model needs at least one layer");
        for (l, layer) in self.layers.iter().enumerate() {
            self.outputs[l].resize(batch * layer.outputs(), F::ZERO);
            self.adjoints[l].resize(batch * layer.outputs(), F::ZERO);
        }
        for g in self.gradients.iter_mut().flatten() {
            g.fill(F::ZERO);
        }
        let mut loss = Some(loss);
        let mut value = F::ZERO;
        // The first layer's input needs no gradient: an empty shadow tells its kernel to skip
        // that product.
        let buffers =
            Buffers { outputs: &mut self.outputs, adjoints: &mut self.adjoints, gradients: &mut self.gradients };
        train(&self.layers, x, batch, buffers, &mut [], &mut |output, doutput| {
            value = (loss.take().expect("the loss runs once"))(output, doutput);
        });
        value
    }

    /// The output of layer `l` over the last batch passed to [`Sequential::loss_and_gradient`].
    pub fn layer_output(&self, l: usize) -> &[F] {
        &self.outputs[l]
    }

    /// Every parameter tensor with its gradient, first layer first.
    pub fn parameters(&mut self) -> Vec<Parameter<'_, F>> {
        let mut out = Vec::new();
        for (l, (layer, grads)) in self.layers.iter_mut().zip(&self.gradients).enumerate() {
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
        for (layer, gradients) in self.layers.iter_mut().zip(&self.gradients) {
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
