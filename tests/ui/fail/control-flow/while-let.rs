// `while let` is rejected on the `let` condition, with the `while` to write instead.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, #[no_grad] steps: Option<usize>) -> f64 {
    let mut y = x;
    let mut left = steps;
    while let Some(k) = left {
        y *= x;
        left = k.checked_sub(1);
    }
    y
}

fn main() {
    let _ = f_grad(1.0, Some(2));
}
