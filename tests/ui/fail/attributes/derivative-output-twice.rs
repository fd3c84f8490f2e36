// The result may be named once.
use chainrule::prelude::*;

#[derivative(x = 2.0 * r, output = r, output = s)]
fn square(x: f64) -> f64 {
    x * x
}

fn main() {
    let _ = square_grad(1.0);
}
