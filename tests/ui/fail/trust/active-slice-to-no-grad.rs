// A differentiated slice passed to a `#[no_grad]` slice parameter.
use chainrule::prelude::*;

#[differentiable]
fn weighted(x: f64, #[no_grad] w: &[f64]) -> f64 {
    x * w[0]
}

#[differentiable]
fn f(x: f64, w: &[f64]) -> f64 {
    weighted(x, w)
}

fn main() {
    let _ = f_grad(1.0, &[2.0]);
}
