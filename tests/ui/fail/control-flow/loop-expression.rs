// `loop` with `break value` is rejected on the loop.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = loop {
        break x * x;
    };
    y
}

fn main() {
    let _ = f_grad(1.0);
}
