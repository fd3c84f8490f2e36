//! The runtime of chainrule: primitives with derivative rules, and the helpers generated
//! code calls. Users reach it through the `chainrule` crate.

// Generated code names the runtime `::chainrule`; inside this crate that is this crate,
// so the runtime can use `#[differentiable]` and `#[derivative]` on its own functions.
extern crate self as chainrule;

pub mod matmul;
pub mod primitives;
mod stack;

#[doc(hidden)]
pub mod __private;
