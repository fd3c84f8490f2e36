// A hand-written derivative is for one float type.
use chainrule::prelude::*;

#[derivative(x = F::ONE)]
fn ident<F: Float>(x: F) -> F {
    x
}

fn main() {}
