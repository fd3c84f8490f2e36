// A trait's methods cannot carry #[differentiable]: the companions it writes beside them
// would not be members of the trait.
use chainrule::prelude::*;

#[derive(Differentiable, Clone)]
struct P<F: Float> {
    w: F,
}

trait Energy<F> {
    fn energy(&self, x: F) -> F;
}

impl<F: Float> Energy<F> for P<F> {
    #[differentiable]
    fn energy(&self, x: F) -> F {
        self.w * x * x
    }
}

trait Scaled {
    #[differentiable]
    fn scaled(x: f64) -> f64 {
        2.0 * x
    }
}

fn main() {}
