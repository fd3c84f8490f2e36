// An associated function (no `self`) inside an `impl` block: the companions and protocol
// cannot be written there, so the attribute must refuse it with one error.
use chainrule::prelude::*;

struct Model;

impl Model {
    #[differentiable]
    fn square(x: f64) -> f64 {
        x * x
    }
}

fn main() {
    let _ = Model::square(2.0);
}
