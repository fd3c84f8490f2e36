// Lending a by-value array parameter mutably (`&mut v`) to a differentiable call is rejected
// on the argument: only local arrays and `&mut` output parameters can be written by a callee
// (copy the parameter into a local array first).
use chainrule::prelude::*;

#[differentiable]
fn scale(x: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] = 2.0 * x[i];
    }
}

#[differentiable]
fn f(w: &[f64], mut v: [f64; 2]) -> f64 {
    scale(w, &mut v);
    v[0]
}

fn main() {}
