// A method reads its struct (`&self` or `self`): `&mut self` and `mut self` are refused on
// the receiver.
use chainrule::prelude::*;

#[derive(Differentiable)]
struct Model {
    w: f64,
}

impl Model {
    #[differentiable]
    fn predict(&mut self, x: f64) -> f64 {
        self.w * x
    }

    #[differentiable]
    fn consume(mut self, x: f64) -> f64 {
        self.w *= x;
        self.w
    }
}

fn main() {
    let _ = Model { w: 2.0 }.predict(1.0);
}
