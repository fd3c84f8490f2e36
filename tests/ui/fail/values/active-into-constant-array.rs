// A differentiated value written into a constant (`#[no_grad]`) `&mut` array would lose its
// derivative: refused on the assignment.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, #[no_grad] scratch: &mut [f64]) -> f64 {
    scratch[0] = x * 2.0;
    x * scratch[0]
}

fn main() {
    let _ = f_grad(1.0, &mut [0.0]);
}
