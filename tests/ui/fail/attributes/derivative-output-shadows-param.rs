// `output = x` would make the partials read the result where they mean the parameter.
use chainrule::prelude::*;

#[derivative(x = 2.0 * x, output = x)]
fn double(x: f64) -> f64 {
    2.0 * x
}

fn main() {
    let _ = double_grad(1.0);
}
