// Float methods called as associated functions, `f64::sin(x)`, differentiate like the
// method-call form `x.sin()`, including those with several arguments.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    f64::sin(x) + f64::powi(y, 2) + f64::max(x, y)
}

fn main() {
    let (x, y) = (0.5_f64, 2.0_f64);
    let (value, (dx, dy)) = f_grad(x, y);
    assert!((value - (x.sin() + 4.0 + 2.0)).abs() < 1e-15);
    assert!((dx - x.cos()).abs() < 1e-15);
    assert_eq!(dy, 5.0);
    assert_eq!(f_jvp(x, 0.0, y, 1.0), (value, 5.0));
}
