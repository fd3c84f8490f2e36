// Doc comments (`///` and `#[doc = ..]`) on a differentiable function stay on it, and the
// generated companions carry docs of their own: this compiles under `#![deny(missing_docs)]`
// (which checks `pub` items in a binary too) only if every public generated item has docs.
#![deny(missing_docs)]
//! A crate whose public items must all be documented.

use chainrule::prelude::*;

/// The product of the two inputs.
///
/// ```
/// assert_eq!(2.0 * 3.0, 6.0);
/// ```
#[differentiable]
#[doc = "Written by hand, differentiated by the macro."]
pub fn f(x: f64, y: f64) -> f64 {
    x * y
}

/// The square, through the compact form.
pub mod compact {
    use chainrule::prelude::*;

    differentiable_fns! {
        /// The square of `x`.
        pub fn square(x) < x * x >
    }
}

fn main() {
    assert_eq!(f_grad(2.0, 3.0), (6.0, (3.0, 2.0)));
    assert_eq!(compact::square_grad(3.0), (9.0, 6.0));
}
