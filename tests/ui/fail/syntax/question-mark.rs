// `?` is rejected on the `?` expression. (rustc adds its own error: `?` cannot appear in a
// function returning `f64`, which is the user's mistake, not a cascade.)
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, #[no_grad] scale: Option<f64>) -> f64 {
    x * scale?
}

fn main() {
    let _ = f_grad(1.0, Some(2.0));
}
