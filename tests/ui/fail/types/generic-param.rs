// A generic parameter is rejected on the parameter.
use chainrule::prelude::*;

#[differentiable]
fn f<T: Copy>(x: f64, #[no_grad] tag: T) -> f64 {
    let _ = tag;
    x * x
}

fn main() {
    let _ = f_grad(1.0, 'a');
}
