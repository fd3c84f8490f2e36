// A call is drawn as one node with the callee's gradient along each float and each element
// of an array it reads; a call that writes an output (`&mut k`) is refused on the call, not
// left to fail in generated code.
use chainrule::prelude::*;

#[differentiable]
fn rate(x: f64, out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = x * i as f64;
    }
}

#[differentiable(graph)]
fn f(x: f64) -> f64 {
    let mut k = [0.0; 3];
    rate(x, &mut k);
    k[0] + k[2]
}

fn main() {}
