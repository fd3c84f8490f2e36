// #[derivative] without the partial of an active parameter is rejected on that parameter.
use chainrule::prelude::*;

#[derivative(x = y)]
fn product(x: f64, y: f64) -> f64 {
    x * y
}

fn main() {
    let _ = product_grad(1.0, 2.0);
}
