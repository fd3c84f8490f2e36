// `let mut` with plain reassignment and each of `+= -= *= /=`, on an active accumulator and
// on a constant one: every update is a new value with its own derivative.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let mut k = 1.0;
    k += 1.0;
    let mut s = x;
    s += y;
    s *= x;
    s -= y;
    s /= k;
    s = s * y;
    s
}

fn main() {
    // f = (x² y + x y² − y²) / 2: df/dx = (2xy + y²) / 2, df/dy = (x² + 2xy − 2y) / 2.
    assert_eq!(f_grad(2.0, 3.0), (10.5, (10.5, 5.0)));
    assert_eq!(f_jvp(2.0, 1.0, 3.0, 1.0), (10.5, 15.5));
}
