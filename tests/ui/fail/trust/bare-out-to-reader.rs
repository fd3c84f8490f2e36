// A bare `&mut` parameter passed to a call is passed on to be written (`g(out)` as
// `g(&mut *out)`). To a parameter that only reads it, that was a cascade of borrow and
// lifetime errors about generated code; now it is one error on the argument, saying to lend
// it for reading as `&y[..]`.
use chainrule::prelude::*;

#[differentiable]
fn rate(x: f64, y: &[f64], out: &mut [f64]) {
    for i in 0..y.len() {
        out[i] = -x * y[i];
    }
}

#[differentiable]
fn step(x: f64, y: &mut [f64]) {
    let mut k = vec![0.0; y.len()];
    rate(x, y, &mut k);
    for i in 0..y.len() {
        y[i] += 0.1 * k[i];
    }
}

fn main() {}
