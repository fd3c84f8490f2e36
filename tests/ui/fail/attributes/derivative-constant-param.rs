// A #[derivative] partial for a constant parameter is rejected on its name.
use chainrule::prelude::*;

#[derivative(x = n as f64 * x.powi(n - 1), n = 0.0)]
fn power(x: f64, n: i32) -> f64 {
    x.powi(n)
}

fn main() {
    let _ = power_grad(1.0, 2);
}
