// A tuple expression is rejected on the tuple.
use chainrule::prelude::*;

fn first(pair: (f64, f64)) -> f64 {
    pair.0
}

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    first((x, y)) * y
}

fn main() {
    let _ = f_grad(1.0, 2.0);
}
