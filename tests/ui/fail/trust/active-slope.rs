// `leaky_relu`'s slope is a constant parameter: an active slope would get no gradient.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, a: f64) -> f64 {
    leaky_relu(x, a)
}

fn main() {
    let _ = f_grad(-1.0, 0.1);
}
