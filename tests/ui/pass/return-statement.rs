// `return value;` as the last statement of the body is the same as a trailing expression.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let q = x * y;
    return q + x;
}

fn main() {
    assert_eq!(f_grad(2.0, 3.0), (8.0, (4.0, 2.0)));
    assert_eq!(f_jvp(2.0, 1.0, 3.0, 0.0), (8.0, 4.0));
}
