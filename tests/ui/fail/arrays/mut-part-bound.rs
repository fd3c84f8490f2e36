// A part of an array bound for reading is a view (`let row = &x[a..b];`); one bound for
// writing is not supported yet: one error, on the binding, with the two spellings that work.
use chainrule::prelude::*;

#[differentiable]
fn f(x: &[f64], out: &mut [f64]) {
    let o = &mut out[1..];
    o[0] = x[0];
}

fn main() {}
