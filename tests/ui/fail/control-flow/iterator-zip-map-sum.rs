// The dot product as an iterator chain is rejected on the chain.
use chainrule::prelude::*;

#[differentiable]
fn f(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

fn main() {
    let _ = f_grad(&[1.0, 2.0], &[3.0, 4.0]);
}
