// A local array lent to a differentiable call for reading, then written again: the call's
// derivative reads the array as it was at the call (reverse mode keeps a copy).
use chainrule::prelude::*;

#[differentiable]
fn sqnorm(a: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * a[i];
    }
    s
}

#[differentiable]
fn f(x: f64) -> f64 {
    let mut c = [x, 2.0 * x];
    let n = sqnorm(&c);
    c[0] = 1.0;
    n + sqnorm(&c[..1]) * x
}

fn main() {
    // f = 5x² + x: f′(3) = 31.
    assert_eq!(f_grad(3.0), (48.0, 31.0));
    assert_eq!(f_jvp(3.0, 1.0), (48.0, 31.0));
}
