// Piecewise-constant methods: signum floor ceil round trunc have derivative 0, so a sum
// that includes them differentiates like the rest of the sum.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    x.signum() + x.floor() + x.ceil() + x.round() + x.trunc() + 2.0 * x
}

fn main() {
    // 1 + 2 + 3 + 3 + 2 + 5.2
    let (value, slope) = f_grad(2.6);
    assert!((value - 16.2).abs() < 1e-12);
    assert_eq!(slope, 2.0);
    assert_eq!(f_jvp(2.6, 1.5).1, 3.0);
}
