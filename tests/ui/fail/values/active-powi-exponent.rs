// An active exponent to `powi` is rejected with the advice to use `powf`. (rustc adds its
// own type error: `powi` takes an `i32`, which is the user's mistake, not a cascade.)
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    x.powi(y)
}

fn main() {
    let _ = f_grad(1.0, 2.0);
}
