// The iterator idiom `xs.iter().sum()` is rejected on the chain, and the message shows
// the `for` loop that computes the same sum.
use chainrule::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    xs.iter().sum()
}

fn main() {
    let _ = f_grad(&[1.0, 2.0]);
}
