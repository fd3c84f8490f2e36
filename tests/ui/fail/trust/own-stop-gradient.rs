// A user's own function named `stop_gradient` is not detached silently (it once was:
// `mine::stop_gradient(x) * x` gave 18 instead of 12 at 3): the call is refused.
use chainrule::prelude::*;

mod mine {
    use chainrule::prelude::*;

    #[differentiable]
    pub fn stop_gradient(x: f64) -> f64 {
        2.0 * x
    }
}

#[differentiable]
fn g(x: f64) -> f64 {
    mine::stop_gradient(x) * x
}

fn main() {
    let _ = g_grad(3.0);
}
