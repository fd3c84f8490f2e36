// A comparison of active values is a constant (a `bool`) that may be bound, cast to a
// number and used in a condition; it carries no derivative, only the branch it selects.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let above = x > y;
    let step = x * (above as u8 as f64);
    if above && x != 0.0 { step * y } else { step + y }
}

fn main() {
    // x > y: f = x·y.
    assert_eq!(f_grad(3.0, 2.0), (6.0, (2.0, 3.0)));
    // x <= y: f = 0·x + y, and x still gets its (zero) share through `step`.
    assert_eq!(f_grad(1.0, 2.0), (2.0, (0.0, 1.0)));
    assert_eq!(f_jvp(3.0, 1.0, 2.0, 1.0), (6.0, 5.0));
}
