// A nested array local: refused with the flat layout to write instead (until nested arrays
// are differentiated).
use chainrule::prelude::*;

#[differentiable]
fn trace(x: f64) -> f64 {
    let mut a = [[0.0; 3]; 3];
    a[0][0] = x;
    a[0][0] + a[1][1]
}

fn main() {
    let _ = trace_grad(2.0);
}
