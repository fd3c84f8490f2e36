// `graph = name` must not take another companion's name.
use chainrule::prelude::*;

#[differentiable(graph = f_grad)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
