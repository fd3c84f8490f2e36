// A graph's gradients are ∂f/∂node of one float: a function with an array result is
// refused on its result type, saying to draw a scalar loss of it.
use chainrule::prelude::*;

#[differentiable(graph)]
fn f(x: f64) -> [f64; 2] {
    [x.sin(), x.cos()]
}

fn main() {}
