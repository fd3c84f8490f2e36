// A `&mut f64` parameter is rejected on its type: output parameters must be slices
// (`&mut [f64]`).
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, _out: &mut f64) -> f64 {
    x * x
}

fn main() {
    let mut out = 0.0;
    let _ = f_grad(1.0, &mut out);
}
