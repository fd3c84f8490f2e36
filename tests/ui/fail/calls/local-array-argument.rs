// Lending a local array to a differentiable call is rejected on the argument (the callee's
// pullback would outlive the array); slice parameters of the caller can be lent.
use chainrule::prelude::*;

#[differentiable]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[i];
    }
    s
}

#[differentiable]
fn f(w: &[f64], x: f64) -> f64 {
    let a = [x, x * x];
    dot(w, &a)
}

fn main() {
    let _ = f_grad(&[1.0, 2.0], 3.0);
}
