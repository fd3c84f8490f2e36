// Part of a slice passed to a differentiable call: its gradient lands in the same part of
// the caller's shadow.
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
    assert_eq!(f_grad(&[1.0, 2.0, 3.0], &[4.0, 5.0]), (23.0, (vec![0.0, 4.0, 5.0], vec![2.0, 3.0])));
}
