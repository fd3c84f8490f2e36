//! The runtime of chainrule: primitives with derivative rules, and the helpers generated
//! code calls. Users reach it through the `chainrule` crate.

// Generated code names the runtime `::chainrule`; inside this crate that is this crate,
// so the runtime can use `#[differentiable]` and `#[derivative]` on its own functions.
extern crate self as chainrule;

pub mod data;
pub mod dense;
pub mod differentiable;
pub mod dual;
pub mod float;
pub mod graph;
#[doc(hidden)]
pub mod higher;
pub mod idx;
pub mod init;
pub mod kernels;
pub mod layer;
pub mod loss;
pub mod matmul;
pub mod memory;
pub mod model;
pub mod optim;
pub mod primitives;
pub mod rng;
mod stack;
pub mod train;

#[doc(hidden)]
pub mod __private;
