// An `unsafe` block is rejected on the block.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = unsafe { std::ptr::read(&x) };
    y * x
}

fn main() {
    let _ = f_grad(1.0);
}
