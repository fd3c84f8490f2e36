// Fields of a constant (`#[no_grad]`) struct, by value or by reference, are constants.
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
    assert_eq!(f_grad(1.0, Params { scale: 2.0 }), (2.0, 2.0));
}
