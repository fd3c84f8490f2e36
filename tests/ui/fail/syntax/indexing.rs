// Indexing is rejected on the index expression, even into a constant array.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, #[no_grad] w: [f64; 2]) -> f64 {
    x * w[0]
}

fn main() {
    let _ = f_grad(1.0, [2.0, 3.0]);
}
