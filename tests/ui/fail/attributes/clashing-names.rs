// Two companions under one name would clash in generated code; refused on the name.
use chainrule::prelude::*;

#[differentiable(grad = g, vjp = g)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
