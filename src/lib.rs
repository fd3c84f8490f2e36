//! chainrule differentiates ordinary Rust functions at compile time: `#[differentiable]`
//! reads a function and writes its gradient (reverse mode) and its tangent (forward mode)
//! beside it, as plain Rust. No tape, no runtime graph, on stable Rust.
//!
//! # Getting started
//!
//! Add `chainrule` to `[dependencies]`, import the prelude, and put the attribute on a
//! function of floats:
//!
//! ```
//! use chainrule::prelude::*;
//!
//! #[differentiable]
//! fn f(x: f64, y: f64, z: f64) -> f64 {
//!     let q = x + y;
//!     q * z
//! }
//!
//! let (value, (dx, dy, dz)) = f_grad(-2.0, 5.0, -4.0);
//! assert_eq!((value, dx, dy, dz), (-12.0, -4.0, -4.0, 3.0));
//! let (value, tangent) = f_jvp(-2.0, 1.0, 5.0, 0.0, -4.0, 0.0);
//! assert_eq!((value, tangent), (-12.0, -4.0));
//! ```
//!
//! Beside `f` the macro writes, with `f`'s visibility:
//!
//! - `f_grad(args..) -> (value, gradient)`: the gradient over the differentiated
//!   parameters, in order (a bare float for one);
//! - `f_vjp(args.., seed) -> (value, seed · gradient)`: after each slice parameter it takes
//!   a buffer and *adds* its gradient into it;
//! - `f_jvp(x, dx, y, dy, ..) -> (value, tangent)`: each differentiated parameter followed by
//!   its tangent;
//! - for a function generic over [`float::Float`] (`fn f<F: Float>`), `f_hvp`, `f_hessian`
//!   and `f_jacobian` too, and its companions may be called inside other differentiable
//!   functions (derivatives of derivatives);
//! - with `#[differentiable(graph)]`, `f_graph`: its [computation graph](graph) with every
//!   value and gradient, drawn as SVG or DOT.
//!
//! # What a function may be
//!
//! Parameters of `f64` or `f32` are differentiated: scalars, arrays, slices (`&[f64]`, and
//! sub-slices passed to calls), `&mut [f64]` outputs, tuples, rows (`&[[f64; 3]]`), and
//! structs that `#[derive(Differentiable)]`; integers, `bool`s and `#[no_grad]` parameters
//! are constants. A body may use `let`, `if`/`match`, `for`/`while`/`loop` with `break`,
//! `continue` and early `return`, index and iterator loops, local arrays and `vec!`s, float
//! methods, the runtime's [`primitives`], and calls of other differentiable functions
//! (recursion included). Anything else is a compile error on its span, saying what to write
//! instead. The README lists every construct; [`macro@differentiable`] lists the
//! attribute's arguments; [`macro@derivative`] gives a function hand-written partials.
//!
//! # The runtime
//!
//! The primitives generated code calls, and what is built with the macro itself:
//! [`layer`] (`Dense`, `PRelu`, `Maxout`), [`model::Sequential`], [`loss`], [`optim`]
//! (`Sgd`, `Momentum`, `Adam`), [`train::fit`] (training with diagnostics: a NaN names the
//! layer it came from), [`data`] and [`idx`] (MNIST's format), [`dual`] numbers, and
//! [`memory`] (the history buffers reverse mode keeps between calls).
//!
//! ```
//! use chainrule::layer::Activation;
//! use chainrule::model::Sequential;
//! use chainrule::optim::Sgd;
//! use chainrule::rng::Rng;
//! use chainrule::train::{FitConfig, Loss, Targets, fit};
//!
//! let (x, y) = ([-1.0, 0.0, 1.0, 2.0], [-1.0, 1.0, 3.0, 5.0]); // y = 2x + 1
//! let mut model = Sequential::<f64>::mlp(&[1, 1], Activation::Identity, Activation::Identity, &mut Rng::new(0));
//! let config = FitConfig { epochs: 200, batch_size: 4, ..FitConfig::default() };
//! let history = fit(&mut model, &x, Targets::Values(&y), Loss::MeanSquaredError, &mut Sgd::new(0.1), &config)?;
//! assert!(history.last().unwrap() < 1e-6);
//! # Ok::<(), chainrule::train::TrainError>(())
//! ```

pub use chainrule_macros::{Differentiable, derivative, differentiable, differentiable_fns};
pub use chainrule_runtime::{
    data, dense, differentiable, dual, float, graph, idx, init, kernels, layer, loss, matmul, memory, model, optim,
    primitives, rng, train,
};

#[doc(hidden)]
pub use chainrule_runtime::{__private, higher};

#[cfg(feature = "argmin")]
pub mod argmin;

/// Everything a differentiable program needs: the macros and the primitives.
pub mod prelude {
    pub use chainrule_macros::{Differentiable, derivative, differentiable, differentiable_fns};
    pub use chainrule_runtime::differentiable::Differentiable;
    pub use chainrule_runtime::float::Float;
    pub use chainrule_runtime::primitives::*;
}

/// The README's code blocks, compiled and run as doctests, so that they cannot drift from
/// what the crate does.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
