// Local arrays nest two deep, as rows `[[x; N]; M]` or rows written out: a third level is
// refused with what to write instead.
use chainrule::prelude::*;

#[differentiable]
fn trace(x: f64) -> f64 {
    let a = [[x, 0.0], [0.0, x]];
    let mut b = [[[0.0; 2]; 2]; 2];
    b[0][0][0] = x;
    a[0][0] + b[0][0][0]
}

fn main() {
    let _ = trace_grad(2.0);
}
