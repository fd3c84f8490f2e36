// A non-float return type is rejected on the type; `f_grad` in `main` shows whether stubs
// spare the user a second error.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> i64 {
    x.round() as i64
}

fn main() {
    let _ = f_grad(1.0);
}
