//! Layers: parameters plus a kernel from [`kernels`](crate::kernels::f64), whose backward pass
//! is the one `#[differentiable]` wrote. A user's own `#[differentiable]` function becomes a
//! layer by implementing [`Layer`] the same way (see `examples/custom_layer.rs`).

use crate::float::Float;
use crate::init;
use crate::kernels;
use crate::matmul::Gemm;
use crate::model::ShapeError;
use crate::rng::Rng;

/// Where a layer's backward pass reads and writes during training.
///
/// ```
/// use chainrule_runtime::layer::{Activation, Adjoints, Dense, Layer};
/// // out = x·w + b for one row; L = 3·out, so ∂L/∂out = 3.
/// let layer = Dense::<f64>::from_parts(vec![1.0, 2.0], vec![0.5], Activation::Identity);
/// let (mut out, mut dout, mut dx) = ([0.0], [0.0], [0.0; 2]);
/// let mut grads = vec![vec![0.0; 2], vec![0.0]];
/// let mut rest = |out: &[f64], dout: &mut [f64]| {
///     assert_eq!(out, [11.5]); // the rest of the model sees the output
///     dout[0] = 3.0;
/// };
/// let adjoints = Adjoints { dout: &mut dout, dx: &mut dx, params: &mut grads };
/// layer.forward_backward(&[3.0, 4.0], &mut out, 1, &mut rest, adjoints);
/// assert_eq!(dx, [3.0, 6.0]); // 3·w
/// assert_eq!(grads, [vec![9.0, 12.0], vec![3.0]]); // 3·x, 3
/// assert_eq!(dout, [0.0]); // consumed
/// ```
pub struct Adjoints<'g, F> {
    /// ∂L/∂out, written by the rest of the model; the backward pass consumes it (zeroes it).
    pub dout: &'g mut [F],
    /// The input's gradient is added here; empty when it is not wanted (the first layer).
    pub dx: &'g mut [F],
    /// Each parameter's gradient is added into its tensor, in the order of
    /// [`Layer::parameters`].
    pub params: &'g mut [Vec<F>],
}

/// The rest of a model after a layer, with the loss: reads the layer's output and writes
/// ∂L/∂out.
pub type Rest<'r, F> = &'r mut dyn FnMut(&[F], &mut [F]);

/// A differentiable stage of a model, over a batch of rows. `Send + Sync`, so that a model
/// may run the two halves of a batch on two threads (`Sequential::set_threads`).
pub trait Layer<F: Real>: Send + Sync {
    /// For messages: "dense 784→128 Relu".
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// let layer = Dense::<f64>::from_parts(vec![0.0; 6], vec![0.0; 3], Activation::Relu);
    /// assert_eq!(layer.name(), "dense 2→3 Relu");
    /// ```
    fn name(&self) -> String;
    /// The width of a row of `x`.
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// let layer = Dense::<f64>::from_parts(vec![0.0; 6], vec![0.0; 3], Activation::Relu);
    /// assert_eq!(layer.inputs(), 2); // 6 weights, 3 per input
    /// ```
    fn inputs(&self) -> usize;
    /// The width of a row of `out`.
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// let layer = Dense::<f64>::from_parts(vec![0.0; 6], vec![0.0; 3], Activation::Relu);
    /// assert_eq!(layer.outputs(), 3); // one per bias
    /// ```
    fn outputs(&self) -> usize;
    /// `out` (batch×outputs) from `x` (batch×inputs).
    ///
    /// # Panics
    /// The built-in layers panic, naming the layer and the expected and actual lengths, if `x`
    /// is not `batch` rows of [`Layer::inputs`] or `out` not `batch` rows of
    /// [`Layer::outputs`]. A batch of 0 rows computes nothing.
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// // w = [1, −1] (2 inputs × 1 output), b = [0.5], over a batch of two rows.
    /// let layer = Dense::<f64>::from_parts(vec![1.0, -1.0], vec![0.5], Activation::Relu);
    /// let mut out = [0.0; 2];
    /// layer.forward(&[3.0, 4.0, 4.0, 3.0], &mut out, 2);
    /// assert_eq!(out, [0.0, 1.5]); // relu(3 − 4 + 0.5), relu(4 − 3 + 0.5)
    /// ```
    fn forward(&self, x: &[F], out: &mut [F], batch: usize);
    /// A training pass: the forward pass into `out`, then `rest` (which writes ∂L/∂out into
    /// `adjoints.dout`), then the backward pass into `adjoints`. Running the rest of the model
    /// inside keeps every backward pass on the stack: a training step boxes nothing. With
    /// a `#[differentiable]` kernel this is its `pullback`, `rest`, then the pullback's
    /// closure (see `examples/custom_layer.rs`).
    ///
    /// # Panics
    /// The built-in layers panic as [`Layer::forward`] does, on a batch of 0 rows, and if
    /// `adjoints.dout` is not as long as `out`, `adjoints.dx` neither empty nor as long as `x`,
    /// or `adjoints.params` not one tensor per parameter tensor, as long as it.
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Adjoints, Dense, Layer};
    /// // Two rows through relu(x·w + b); the first row's unit is off, so it passes no gradient.
    /// let layer = Dense::<f64>::from_parts(vec![1.0, -1.0], vec![0.5], Activation::Relu);
    /// let (mut out, mut dout, mut grads) = ([0.0; 2], [0.0; 2], vec![vec![0.0; 2], vec![0.0]]);
    /// let mut rest = |_: &[f64], dout: &mut [f64]| dout.copy_from_slice(&[1.0, 1.0]); // L = Σ out
    /// let adjoints = Adjoints { dout: &mut dout, dx: &mut [], params: &mut grads };
    /// layer.forward_backward(&[3.0, 4.0, 4.0, 3.0], &mut out, 2, &mut rest, adjoints);
    /// assert_eq!(out, [0.0, 1.5]);
    /// assert_eq!(grads, [vec![4.0, 3.0], vec![1.0]]); // the second row's x, and 1
    /// ```
    fn forward_backward(&self, x: &[F], out: &mut [F], batch: usize, rest: Rest<'_, F>, adjoints: Adjoints<'_, F>);
    /// The parameter tensors, for reading.
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// let layer = Dense::<f64>::from_parts(vec![1.0, 2.0], vec![0.5], Activation::Identity);
    /// assert_eq!(layer.parameters(), [&[1.0, 2.0][..], &[0.5]]); // weights, biases
    /// ```
    fn parameters(&self) -> Vec<&[F]>;
    /// The parameter tensors, for writing, in the order of [`Layer::parameters`].
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// let mut layer = Dense::<f64>::from_parts(vec![1.0, 2.0], vec![0.5], Activation::Identity);
    /// layer.parameters_mut()[1][0] = -1.0;
    /// assert_eq!(layer.biases, [-1.0]);
    /// ```
    fn parameters_mut(&mut self) -> Vec<&mut [F]>;
    /// Calls `f` with each parameter tensor in the order of [`Layer::parameters`]. Layers
    /// override it to avoid the `Vec` of `parameters_mut` in every optimizer step.
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// let mut layer = Dense::<f64>::from_parts(vec![1.0, 2.0], vec![0.5], Activation::Identity);
    /// layer.visit_parameters_mut(&mut |p| p.iter_mut().for_each(|v| *v *= 2.0));
    /// assert_eq!((layer.weights, layer.biases), (vec![2.0, 4.0], vec![1.0]));
    /// ```
    fn visit_parameters_mut(&mut self, f: &mut dyn FnMut(&mut [F])) {
        for p in self.parameters_mut() {
            f(p)
        }
    }
    /// Names of the parameter tensors, in order ("weights", "biases", ...).
    ///
    /// ```
    /// use chainrule_runtime::layer::{Layer, PRelu};
    /// use chainrule_runtime::rng::Rng;
    /// let layer = PRelu::<f64>::new(2, 3, &mut Rng::new(0));
    /// assert_eq!(layer.parameter_names(), ["weights", "biases", "alpha"]);
    /// ```
    fn parameter_names(&self) -> Vec<&'static str>;
    /// The activation, for diagnostics (dead ReLUs, saturated units).
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer, Maxout};
    /// use chainrule_runtime::rng::Rng;
    /// let dense = Dense::<f64>::new(2, 3, Activation::Tanh, &mut Rng::new(0));
    /// assert_eq!(dense.activation(), Some(Activation::Tanh));
    /// assert_eq!(Maxout::<f64>::new(2, 3, 2, &mut Rng::new(0)).activation(), None); // its own kind
    /// ```
    fn activation(&self) -> Option<Activation> {
        None
    }
}

/// Elementwise activations of a dense layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    Identity,
    Sigmoid,
    Tanh,
    Relu,
    /// Leaky ReLU with this slope for negative inputs (0.01 is customary).
    LeakyRelu(f64),
    /// ELU with this α.
    Elu(f64),
    Softplus,
}

/// Floats the layers run on: f32 and f64. Dispatches to the kernels written for each.
pub trait Real: Float + Gemm + From<u8> {
    fn dense_forward(act: Activation, w: &[Self], b: &[Self], x: &[Self], out: &mut [Self], batch: usize);
    #[allow(clippy::too_many_arguments)]
    fn dense_forward_backward(
        act: Activation,
        w: &[Self],
        b: &[Self],
        x: &[Self],
        out: &mut [Self],
        batch: usize,
        rest: Rest<'_, Self>,
        adjoints: Adjoints<'_, Self>,
    );
    #[allow(clippy::too_many_arguments)]
    fn prelu_forward_backward(
        w: &[Self],
        b: &[Self],
        alpha: &[Self],
        x: &[Self],
        out: &mut [Self],
        batch: usize,
        rest: Rest<'_, Self>,
        adjoints: Adjoints<'_, Self>,
    );
    fn prelu_forward(w: &[Self], b: &[Self], alpha: &[Self], x: &[Self], out: &mut [Self], batch: usize);
    fn maxout_forward(w: &[Self], b: &[Self], x: &[Self], out: &mut [Self], batch: usize, pieces: usize);
    #[allow(clippy::too_many_arguments)]
    fn maxout_forward_backward(
        w: &[Self],
        b: &[Self],
        x: &[Self],
        out: &mut [Self],
        batch: usize,
        pieces: usize,
        rest: Rest<'_, Self>,
        adjoints: Adjoints<'_, Self>,
    );
}

macro_rules! real {
    ($F:ident) => {
        impl Real for $F {
            fn dense_forward(act: Activation, w: &[$F], b: &[$F], x: &[$F], out: &mut [$F], batch: usize) {
                use kernels::$F::*;
                match act {
                    Activation::Identity => dense_identity(w, b, x, out, batch, 0.0),
                    Activation::Sigmoid => dense_sigmoid(w, b, x, out, batch, 0.0),
                    Activation::Tanh => dense_tanh(w, b, x, out, batch, 0.0),
                    Activation::Relu => dense_relu(w, b, x, out, batch, 0.0),
                    Activation::LeakyRelu(a) => dense_leaky_relu(w, b, x, out, batch, a as $F),
                    Activation::Elu(a) => dense_elu(w, b, x, out, batch, a as $F),
                    Activation::Softplus => dense_softplus(w, b, x, out, batch, 0.0),
                }
            }

            fn dense_forward_backward(
                act: Activation,
                w: &[$F],
                b: &[$F],
                x: &[$F],
                out: &mut [$F],
                batch: usize,
                rest: Rest<'_, $F>,
                g: Adjoints<'_, $F>,
            ) {
                use kernels::$F::*;
                let [dw, db] = g.params else { panic!("dense layer: two gradient tensors") };
                // Each activation's kernel has its own pullback type: each arm runs all three.
                macro_rules! run {
                    ($kernel:ident, $alpha:expr) => {{
                        let ((), pullback) = $kernel::pullback(w, b, x, out, batch, $alpha);
                        rest(out, g.dout);
                        pullback((), (dw, db, g.dx, g.dout, (), ()));
                    }};
                }
                match act {
                    Activation::Identity => run!(dense_identity, 0.0),
                    Activation::Sigmoid => run!(dense_sigmoid, 0.0),
                    Activation::Tanh => run!(dense_tanh, 0.0),
                    Activation::Relu => run!(dense_relu, 0.0),
                    Activation::LeakyRelu(a) => run!(dense_leaky_relu, a as $F),
                    Activation::Elu(a) => run!(dense_elu, a as $F),
                    Activation::Softplus => run!(dense_softplus, 0.0),
                }
            }

            fn prelu_forward(w: &[$F], b: &[$F], alpha: &[$F], x: &[$F], out: &mut [$F], batch: usize) {
                kernels::$F::dense_prelu(w, b, alpha, x, out, batch)
            }

            fn prelu_forward_backward(
                w: &[$F],
                b: &[$F],
                alpha: &[$F],
                x: &[$F],
                out: &mut [$F],
                batch: usize,
                rest: Rest<'_, $F>,
                g: Adjoints<'_, $F>,
            ) {
                let [dw, db, dalpha] = g.params else { panic!("prelu layer: three gradient tensors") };
                let ((), pullback) = kernels::$F::dense_prelu::pullback(w, b, alpha, x, out, batch);
                rest(out, g.dout);
                pullback((), (dw, db, dalpha, g.dx, g.dout, ()));
            }

            fn maxout_forward(w: &[$F], b: &[$F], x: &[$F], out: &mut [$F], batch: usize, pieces: usize) {
                kernels::$F::maxout(w, b, x, out, batch, pieces)
            }

            fn maxout_forward_backward(
                w: &[$F],
                b: &[$F],
                x: &[$F],
                out: &mut [$F],
                batch: usize,
                pieces: usize,
                rest: Rest<'_, $F>,
                g: Adjoints<'_, $F>,
            ) {
                let [dw, db] = g.params else { panic!("maxout layer: two gradient tensors") };
                let ((), pullback) = kernels::$F::maxout::pullback(w, b, x, out, batch, pieces);
                rest(out, g.dout);
                pullback((), (dw, db, g.dx, g.dout, (), ()));
            }
        }
    };
}
real!(f64);
real!(f32);

/// The parameter methods of a layer whose tensors are `weights` and `biases`.
macro_rules! weights_and_biases {
    () => {
        fn parameters(&self) -> Vec<&[F]> {
            vec![&self.weights, &self.biases]
        }
        fn parameters_mut(&mut self) -> Vec<&mut [F]> {
            vec![&mut self.weights, &mut self.biases]
        }
        fn visit_parameters_mut(&mut self, f: &mut dyn FnMut(&mut [F])) {
            f(&mut self.weights);
            f(&mut self.biases);
        }
        fn parameter_names(&self) -> Vec<&'static str> {
            vec!["weights", "biases"]
        }
    };
}

/// Panics unless `x` is `batch` rows of the layer's inputs and `out` `batch` rows of its
/// outputs. The kernels trust these lengths: a mismatch would surface as a bound deep in the
/// matrix product, or for a batch of 0 as a division by zero, without naming the layer.
#[track_caller]
fn check_rows<F: Real>(layer: &impl Layer<F>, x: &[F], out: &[F], batch: usize) {
    for (what, len, width) in [("x", x.len(), layer.inputs()), ("out", out.len(), layer.outputs())] {
        let expected = batch.saturating_mul(width);
        assert!(
            len == expected,
            "{}: `{what}` has length {len}, expected {expected} (batch {batch} × width {width})",
            layer.name()
        );
    }
}

/// [`check_rows`] for a training pass, and the adjoints: `dout` as long as `out`, `dx` empty or
/// as long as `x`, one gradient tensor per parameter tensor of the lengths in `params`.
#[track_caller]
fn check_pass<F: Real>(layer: &impl Layer<F>, x: &[F], out: &[F], batch: usize, g: &Adjoints<'_, F>, params: &[usize]) {
    check_rows(layer, x, out, batch);
    let name = || layer.name();
    assert!(batch > 0, "{}: a training pass needs at least one row", name());
    assert!(g.dout.len() == out.len(), "{}: `dout` has length {}, expected {}", name(), g.dout.len(), out.len());
    let dx = g.dx.len();
    assert!(dx == 0 || dx == x.len(), "{}: `dx` has length {dx}, expected 0 or {}", name(), x.len());
    let lengths = || g.params.iter().map(Vec::len);
    assert!(
        lengths().eq(params.iter().copied()),
        "{}: gradient tensors of lengths {:?}, expected {params:?}",
        name(),
        lengths().collect::<Vec<_>>()
    );
}

/// `out = activation(x·w + b)`. `w` is inputs×outputs, row-major.
///
/// ```
/// use chainrule_runtime::layer::{Activation, Dense, Layer};
/// let layer = Dense::<f64>::from_parts(vec![1.0, 2.0], vec![0.5], Activation::Identity);
/// let mut out = [0.0];
/// layer.forward(&[3.0, 4.0], &mut out, 1);
/// assert_eq!(out, [11.5]); // 3·1 + 4·2 + 0.5
/// ```
#[derive(Clone, Debug)]
pub struct Dense<F> {
    pub weights: Vec<F>,
    pub biases: Vec<F>,
    pub activation: Activation,
    inputs: usize,
}

/// Panics unless a layer has at least one input and one output.
#[track_caller]
fn check_widths(kind: &str, inputs: usize, outputs: usize) {
    assert!(
        inputs > 0 && outputs > 0,
        "{kind}::new: a {inputs}→{outputs} layer: a layer needs at least one input and one output"
    );
}

impl<F: Real> Dense<F> {
    /// Initialised for its activation: He for the ReLU family, Xavier/Glorot otherwise;
    /// biases zero.
    ///
    /// # Panics
    /// If `inputs` or `outputs` is 0.
    #[track_caller]
    pub fn new(inputs: usize, outputs: usize, activation: Activation, rng: &mut Rng) -> Self {
        check_widths("Dense", inputs, outputs);
        let weights = match activation {
            Activation::Relu | Activation::LeakyRelu(_) | Activation::Elu(_) => init::he_normal(inputs, outputs, rng),
            _ => init::xavier_uniform(inputs, outputs, rng),
        };
        Dense { weights, biases: vec![F::ZERO; outputs], activation, inputs }
    }

    /// From given weights (inputs×outputs, row-major) and biases: as many outputs as biases,
    /// and as many inputs as rows of weights.
    ///
    /// # Panics
    /// If `biases` is empty or `weights` is not a whole, non-zero number of rows of
    /// `biases.len()`, with both lengths in the message; [`Dense::try_from_parts`] returns
    /// this as an error.
    ///
    /// ```should_panic
    /// use chainrule_runtime::layer::{Activation, Dense};
    /// // Panics: "Dense::from_parts: weight count 5 is not a non-zero multiple of the bias
    /// // count 2 (inputs × outputs)"
    /// let _ = Dense::<f64>::from_parts(vec![0.0; 5], vec![0.0; 2], Activation::Identity);
    /// ```
    #[track_caller]
    pub fn from_parts(weights: Vec<F>, biases: Vec<F>, activation: Activation) -> Self {
        match Self::try_from_parts(weights, biases, activation) {
            Ok(layer) => layer,
            Err(e) => panic!("Dense::from_parts: {e}"),
        }
    }

    /// [`Dense::from_parts`], returning parts that do not make a layer as an error.
    ///
    /// # Errors
    /// [`ShapeError::Parameters`] if `biases` is empty or `weights.len()` is not a non-zero
    /// multiple of `biases.len()`.
    ///
    /// ```
    /// use chainrule_runtime::layer::{Activation, Dense, Layer};
    /// use chainrule_runtime::model::ShapeError;
    /// let layer = Dense::<f64>::try_from_parts(vec![0.0; 6], vec![0.0; 2], Activation::Identity)?;
    /// assert_eq!((layer.inputs(), layer.outputs()), (3, 2));
    /// let err = Dense::<f64>::try_from_parts(vec![0.0; 5], vec![0.0; 2], Activation::Identity).unwrap_err();
    /// assert_eq!(err, ShapeError::Parameters { weights: 5, biases: 2 });
    /// # Ok::<(), ShapeError>(())
    /// ```
    pub fn try_from_parts(weights: Vec<F>, biases: Vec<F>, activation: Activation) -> Result<Self, ShapeError> {
        let (w, b) = (weights.len(), biases.len());
        if b == 0 || w == 0 || !w.is_multiple_of(b) {
            return Err(ShapeError::Parameters { weights: w, biases: b });
        }
        Ok(Dense { weights, biases, activation, inputs: w / b })
    }
}

impl<F: Real> Layer<F> for Dense<F> {
    fn name(&self) -> String {
        format!("dense {}→{} {:?}", self.inputs, self.biases.len(), self.activation)
    }
    fn inputs(&self) -> usize {
        self.inputs
    }
    fn outputs(&self) -> usize {
        self.biases.len()
    }
    fn forward(&self, x: &[F], out: &mut [F], batch: usize) {
        check_rows(self, x, out, batch);
        if batch > 0 {
            F::dense_forward(self.activation, &self.weights, &self.biases, x, out, batch)
        }
    }
    fn forward_backward(&self, x: &[F], out: &mut [F], batch: usize, rest: Rest<'_, F>, adjoints: Adjoints<'_, F>) {
        check_pass(self, x, out, batch, &adjoints, &[self.weights.len(), self.biases.len()]);
        F::dense_forward_backward(self.activation, &self.weights, &self.biases, x, out, batch, rest, adjoints)
    }
    weights_and_biases!();
    fn activation(&self) -> Option<Activation> {
        Some(self.activation)
    }
}

/// A dense layer with PReLU activation: one learned slope per output, starting at `0.25`.
///
/// ```
/// use chainrule_runtime::layer::{Layer, PRelu};
/// use chainrule_runtime::rng::Rng;
/// let mut layer = PRelu::<f64>::new(2, 2, &mut Rng::new(0));
/// assert_eq!(layer.alpha, [0.25, 0.25]);
/// layer.weights = vec![1.0, 1.0, 2.0, -1.0]; // 2 inputs × 2 outputs, row-major
/// layer.alpha = vec![0.25, 0.5];
/// let mut out = [0.0; 2];
/// layer.forward(&[1.0, 2.0], &mut out, 1);
/// assert_eq!(out, [5.0, -0.5]); // z = [1 + 4, 1 − 2]; a negative z is scaled by its own α
/// ```
#[derive(Clone, Debug)]
pub struct PRelu<F> {
    pub weights: Vec<F>,
    pub biases: Vec<F>,
    pub alpha: Vec<F>,
    inputs: usize,
}

impl<F: Real> PRelu<F> {
    /// He-initialised weights, biases zero.
    ///
    /// # Panics
    /// If `inputs` or `outputs` is 0.
    #[track_caller]
    pub fn new(inputs: usize, outputs: usize, rng: &mut Rng) -> Self {
        check_widths("PRelu", inputs, outputs);
        PRelu {
            weights: init::he_normal(inputs, outputs, rng),
            biases: vec![F::ZERO; outputs],
            alpha: vec![F::from_f64(0.25); outputs],
            inputs,
        }
    }
}

impl<F: Real> Layer<F> for PRelu<F> {
    fn name(&self) -> String {
        format!("prelu {}→{}", self.inputs, self.biases.len())
    }
    fn inputs(&self) -> usize {
        self.inputs
    }
    fn outputs(&self) -> usize {
        self.biases.len()
    }
    fn forward(&self, x: &[F], out: &mut [F], batch: usize) {
        check_rows(self, x, out, batch);
        if batch > 0 {
            F::prelu_forward(&self.weights, &self.biases, &self.alpha, x, out, batch)
        }
    }
    fn forward_backward(&self, x: &[F], out: &mut [F], batch: usize, rest: Rest<'_, F>, adjoints: Adjoints<'_, F>) {
        let params = [self.weights.len(), self.biases.len(), self.alpha.len()];
        check_pass(self, x, out, batch, &adjoints, &params);
        F::prelu_forward_backward(&self.weights, &self.biases, &self.alpha, x, out, batch, rest, adjoints)
    }
    fn parameters(&self) -> Vec<&[F]> {
        vec![&self.weights, &self.biases, &self.alpha]
    }
    fn parameters_mut(&mut self) -> Vec<&mut [F]> {
        vec![&mut self.weights, &mut self.biases, &mut self.alpha]
    }
    fn visit_parameters_mut(&mut self, f: &mut dyn FnMut(&mut [F])) {
        f(&mut self.weights);
        f(&mut self.biases);
        f(&mut self.alpha);
    }
    fn parameter_names(&self) -> Vec<&'static str> {
        vec!["weights", "biases", "alpha"]
    }
}

/// A maxout layer over `pieces` affine pieces per output.
///
/// ```
/// use chainrule_runtime::layer::{Layer, Maxout};
/// use chainrule_runtime::rng::Rng;
/// // One input, one output, two pieces: out = max(2x + 1, −x).
/// let mut layer = Maxout::<f64>::new(1, 1, 2, &mut Rng::new(0));
/// layer.weights = vec![2.0, -1.0]; // the pieces are adjacent for each output
/// layer.biases = vec![1.0, 0.0];
/// let mut out = [0.0; 2];
/// layer.forward(&[1.0, -3.0], &mut out, 2);
/// assert_eq!(out, [3.0, 3.0]); // max(3, −1), max(−5, 3)
/// assert_eq!(layer.name(), "maxout 1→1 ×2");
/// ```
#[derive(Clone, Debug)]
pub struct Maxout<F> {
    pub weights: Vec<F>,
    pub biases: Vec<F>,
    pub pieces: usize,
    inputs: usize,
}

impl<F: Real> Maxout<F> {
    /// Xavier/Glorot-initialised weights, biases zero.
    ///
    /// # Panics
    /// If `inputs`, `outputs` or `pieces` is 0.
    #[track_caller]
    pub fn new(inputs: usize, outputs: usize, pieces: usize, rng: &mut Rng) -> Self {
        check_widths("Maxout", inputs, outputs);
        assert!(pieces > 0, "Maxout::new: 0 pieces: each output needs at least one");
        Maxout {
            weights: init::xavier_uniform(inputs, outputs * pieces, rng),
            biases: vec![F::ZERO; outputs * pieces],
            pieces,
            inputs,
        }
    }
}

impl<F: Real> Layer<F> for Maxout<F> {
    fn name(&self) -> String {
        format!("maxout {}→{} ×{}", self.inputs, self.outputs(), self.pieces)
    }
    fn inputs(&self) -> usize {
        self.inputs
    }
    fn outputs(&self) -> usize {
        self.biases.len() / self.pieces
    }
    fn forward(&self, x: &[F], out: &mut [F], batch: usize) {
        check_rows(self, x, out, batch);
        if batch > 0 {
            F::maxout_forward(&self.weights, &self.biases, x, out, batch, self.pieces)
        }
    }
    fn forward_backward(&self, x: &[F], out: &mut [F], batch: usize, rest: Rest<'_, F>, adjoints: Adjoints<'_, F>) {
        check_pass(self, x, out, batch, &adjoints, &[self.weights.len(), self.biases.len()]);
        F::maxout_forward_backward(&self.weights, &self.biases, x, out, batch, self.pieces, rest, adjoints)
    }
    weights_and_biases!();
}
