// A method (a `self` receiver) is rejected on the receiver.
use chainrule::prelude::*;

struct Model {
    w: f64,
}

impl Model {
    #[differentiable]
    fn predict(&self, x: f64) -> f64 {
        self.w * x
    }
}

fn main() {
    let _ = Model { w: 2.0 }.predict(1.0);
}
