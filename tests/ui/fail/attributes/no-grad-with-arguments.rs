// `#[no_grad]` is a marker; arguments to it would be ignored.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, #[no_grad(c)] c: f64) -> f64 {
    x * c
}

fn main() {}
