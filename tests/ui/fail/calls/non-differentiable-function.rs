// Calling a plain function (neither #[differentiable] nor #[derivative]) with an active
// argument: the generated code calls its derivative protocol `helper::pullback`, and rustc
// reports that it does not exist.
use chainrule::prelude::*;

fn helper(x: f64) -> f64 {
    x * 2.0
}

#[differentiable]
fn f(x: f64) -> f64 {
    helper(x) + x
}

fn main() {
    let _ = f_grad(1.0);
}
