// A sub-slice `&w[1..]` (here lent to a differentiable call) is rejected on the range.
use chainrule::prelude::*;

#[differentiable]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += w[i] * x[i];
    }
    s
}

#[differentiable]
fn f(w: &[f64], x: &[f64]) -> f64 {
    dot(&w[1..], x)
}

fn main() {
    let _ = f_grad(&[1.0, 2.0, 3.0], &[4.0, 5.0]);
}
