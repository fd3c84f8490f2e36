// Writing into an array parameter is rejected on the parameter, with the advice to copy it
// into a local array; a `mut` by-value array makes the write valid Rust, so this is the
// macro's only error.
use chainrule::prelude::*;

#[differentiable]
fn f(mut v: [f64; 2], y: f64) -> f64 {
    v[0] = y;
    v[0] * v[1]
}

fn main() {
    let _ = f_grad([1.0, 2.0], 3.0);
}
