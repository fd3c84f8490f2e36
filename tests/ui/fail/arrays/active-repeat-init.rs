// An array initialised by repeating a differentiated value is rejected on that value; the
// constant initialiser followed by element writes is the supported form.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let a = [x; 3];
    a[0] * a[1] * a[2]
}

fn main() {
    let _ = f_grad(1.0);
}
