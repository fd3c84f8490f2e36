// A tuple expression inside the body is rejected on the tuple: only a function's final
// result may be a tuple literal.
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
