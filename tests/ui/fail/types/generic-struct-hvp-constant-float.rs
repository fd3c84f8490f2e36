// A generic struct with a `#[no_grad]` field of the float type cannot be rebuilt on dual
// numbers: its first-order companions work, `f_hvp` is our error where it is called.
use chainrule::prelude::*;

#[derive(Differentiable, Clone)]
struct Scaled<F: Float> {
    w: Vec<F>,
    #[no_grad]
    k: F,
}

#[differentiable]
fn energy<F: Float>(p: &Scaled<F>, x: F) -> F {
    p.w[0] * x * x
}

fn main() {
    let p = Scaled { w: vec![2.0], k: 3.0 };
    let _ = (energy_grad(&p, 1.0), p.k);
    let _ = energy_hvp(&p, 1.0, &p, 1.0);
}
