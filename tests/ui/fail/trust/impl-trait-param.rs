// An `impl Trait` parameter, even a constant one.
use chainrule::prelude::*;

#[differentiable]
fn apply(x: f64, #[no_grad] g: impl Fn(f64) -> f64) -> f64 {
    g(1.0) * x
}

fn main() {
    let _ = apply_grad(2.0, |t| t);
}
