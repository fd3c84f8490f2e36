// Calling a plain function by path with an active argument.
use chainrule::prelude::*;

mod util {
    pub fn helper(x: f64) -> f64 {
        x * 2.0
    }
}

#[differentiable]
fn f(x: f64) -> f64 {
    util::helper(x) + x
}

fn main() {
    let _ = f_grad(1.0);
}
