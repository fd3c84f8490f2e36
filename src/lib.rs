//! chainrule differentiates ordinary Rust functions at compile time.
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
//! See the README for the supported constructs and the generated signatures.

pub use chainrule_macros::{Differentiable, derivative, differentiable, differentiable_fns};
pub use chainrule_runtime::{
    data, dense, differentiable, dual, float, graph, idx, init, kernels, layer, loss, matmul, memory, model, optim, primitives,
    rng, train,
};

#[doc(hidden)]
pub use chainrule_runtime::{__private, higher};

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
