// `#[cfg]` inside the body would hold in the function and not in its derivatives (they are
// written from the statements, not copied): refused, pointing to `if cfg!(..)`.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let mut y = x * x;
    #[cfg(debug_assertions)]
    {
        y *= 100.0;
    }
    #[cfg_attr(any(), allow(unused))]
    let z = y + x;
    z
}

fn main() {
    let _ = f_grad(1.0);
}
