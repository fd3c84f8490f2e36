//! A user's own layer: a `#[differentiable]` kernel turned into a [`Layer`] and trained in a
//! model beside the built-in dense layers. `cargo run --example custom_layer`
//!
//! The recipe: write the layer's computation over a batch as a `#[differentiable]` function
//! taking its parameters and input as slices and writing `out: &mut [F]`; implement `Layer`
//! with `forward` calling it and `forward_backward` calling its generated `pullback`, then the
//! rest of the model, then the pullback's closure, which takes the shadows of every slice
//! parameter in order.

use chainrule::layer::{Activation, Adjoints, Dense, Layer, Rest};
use chainrule::loss::half_squared_error_vjp;
use chainrule::matmul::matmul;
use chainrule::model::Sequential;
use chainrule::optim::Adam;
use chainrule::prelude::*;
use chainrule::rng::Rng;

/// A dense layer with the swish activation `z·σ(z)`, which the runtime does not have.
#[differentiable]
pub fn swish_dense(w: &[f64], b: &[f64], x: &[f64], out: &mut [f64], #[no_grad] batch: usize) {
    let n = b.len();
    let k = x.len() / batch;
    matmul(x, w, out, batch, k, n);
    for r in 0..batch {
        for j in 0..n {
            let z = out[r * n + j] + b[j];
            out[r * n + j] = z * sigmoid(z);
        }
    }
}

pub struct Swish {
    pub weights: Vec<f64>,
    pub biases: Vec<f64>,
}

impl Layer<f64> for Swish {
    fn name(&self) -> String {
        format!("swish {}→{}", self.inputs(), self.outputs())
    }
    fn inputs(&self) -> usize {
        self.weights.len() / self.biases.len()
    }
    fn outputs(&self) -> usize {
        self.biases.len()
    }
    fn forward(&self, x: &[f64], out: &mut [f64], batch: usize) {
        swish_dense(&self.weights, &self.biases, x, out, batch)
    }
    fn forward_backward(&self, x: &[f64], out: &mut [f64], batch: usize, rest: Rest<'_, f64>, g: Adjoints<'_, f64>) {
        let ((), pullback) = swish_dense::pullback(&self.weights, &self.biases, x, out, batch);
        rest(out, g.dout);
        let [dw, db] = g.params else { unreachable!("two parameter tensors") };
        // One shadow per parameter, in order: w, b, x, out, batch.
        pullback((), (dw, db, g.dx, g.dout, ()));
    }
    fn parameters(&self) -> Vec<&[f64]> {
        vec![&self.weights, &self.biases]
    }
    fn parameters_mut(&mut self) -> Vec<&mut [f64]> {
        vec![&mut self.weights, &mut self.biases]
    }
    fn parameter_names(&self) -> Vec<&'static str> {
        vec!["weights", "biases"]
    }
}

/// A 1-16-1 model with the swish layer first, fitted to sin(x) on [-3, 3].
pub fn train(epochs: usize) -> (f64, f64) {
    let mut rng = Rng::new(7);
    let swish = Swish { weights: chainrule::init::xavier_uniform(1, 16, &mut rng), biases: vec![0.0; 16] };
    let out = Dense::new(16, 1, Activation::Identity, &mut rng);
    let mut model = Sequential::new(vec![Box::new(swish), Box::new(out)]);
    let xs: Vec<f64> = (0..64).map(|i| -3.0 + 6.0 * i as f64 / 63.0).collect();
    let ys: Vec<f64> = xs.iter().map(|x| x.sin()).collect();
    let mut adam = Adam::new(0.02);
    let loss = |m: &mut Sequential<f64>| {
        m.loss_and_gradient(&xs, 64, |out, dout| half_squared_error_vjp(out, dout, &ys, 1.0 / 64.0).0 / 64.0)
    };
    let first = loss(&mut model);
    let mut last = first;
    for _ in 0..epochs {
        last = loss(&mut model);
        model.step(&mut adam);
    }
    (first, last)
}

fn main() {
    let (first, last) = train(2000);
    println!("swish layer + dense output, fitted to sin(x):");
    println!("  mean half squared error: {first:.6} before, {last:.6} after 2000 Adam steps");
}
