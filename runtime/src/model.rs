//! A sequential model: layers applied in order over a batch. Its backward pass chains the
//! layers' backward passes (each written by `#[differentiable]`), feeding each the adjoint of
//! its output; gradients accumulate per parameter tensor for an optimizer.

use crate::layer::{Activation, Dense, Layer, Real};
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
        for (l, layer) in self.layers.iter().enumerate() {
            self.outputs[l].resize(batch * layer.outputs(), F::ZERO);
            self.adjoints[l].resize(batch * layer.outputs(), F::ZERO);
        }
        for g in self.gradients.iter_mut().flatten() {
            g.fill(F::ZERO);
        }
        // Forward: each layer's backward pass borrows its input (the previous output).
        let mut backwards = Vec::with_capacity(self.layers.len());
        let mut input: &[F] = x;
        let mut rest: &mut [Vec<F>] = &mut self.outputs;
        for layer in &self.layers {
            let (out, tail) = rest.split_first_mut().expect("one output buffer per layer");
            backwards.push(layer.forward_backward(input, out, batch));
            input = out;
            rest = tail;
        }
        let last = self.adjoints.len() - 1;
        let value = loss(input, &mut self.adjoints[last]);
        // Backward, last layer first. The first layer's input needs no gradient: an empty
        // shadow tells its kernel to skip that product.
        for (l, backward) in backwards.into_iter().enumerate().rev() {
            let (before, from) = self.adjoints.split_at_mut(l);
            let dout = &mut from[0];
            let dx: &mut [F] = match before.last_mut() {
                Some(d) => {
                    d.fill(F::ZERO);
                    d
                }
                None => &mut [],
            };
            backward(dout, dx, &mut self.gradients[l]);
        }
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
