// A #[derivative] partial for a name that is not a parameter is rejected on that name.
use chainrule::prelude::*;

#[derivative(x = 2.0 * x, z = 1.0)]
fn square(x: f64) -> f64 {
    x * x
}

fn main() {
    let _ = square_grad(1.0);
}
