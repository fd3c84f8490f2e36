// `loop` used as a value (`let y = loop { break value; }`) is rejected on the loop, with
// the statement form to write instead.
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
