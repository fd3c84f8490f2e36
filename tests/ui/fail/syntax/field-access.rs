// Field access is rejected on the field expression, with the advice to pass the field as a
// parameter.
use chainrule::prelude::*;

#[derive(Clone, Copy)]
struct Params {
    scale: f64,
}

#[differentiable]
fn f(x: f64, #[no_grad] p: Params) -> f64 {
    x * p.scale
}

fn main() {
    let _ = f_grad(1.0, Params { scale: 2.0 });
}
