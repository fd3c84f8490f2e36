// A `while` loop is rejected on the loop.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, n: i32) -> f64 {
    let mut y = x;
    let mut i = 0;
    while i < n {
        y *= x;
        i += 1;
    }
    y
}

fn main() {
    let _ = f_grad(1.0, 2);
}
