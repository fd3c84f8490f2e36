// #[differentiable] on something other than a function.
use chainrule::prelude::*;

#[differentiable]
struct Weights {
    w: f64,
}

fn main() {
    let _ = Weights { w: 1.0 }.w;
}
