// An early `return` from a branch: the body is rewritten so that it returns only at its end.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    if x < 0.0 {
        return 0.0;
    }
    x * x
}

fn main() {
    assert_eq!(f_grad(3.0), (9.0, 6.0));
    assert_eq!(f_grad(-3.0), (0.0, 0.0));
    assert_eq!(f_jvp(3.0, 1.0), (9.0, 6.0));
}
