// An iterator adapter outside the supported ones (here `filter`) is refused with the list
// of those that are.
use chainrule::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    xs.iter().filter(|x| **x > 0.0).sum()
}

fn main() {
    let _ = f_grad(&[1.0, 2.0]);
}
