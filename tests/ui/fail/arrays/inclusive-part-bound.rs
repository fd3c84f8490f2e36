// A view is bound with a half-open range, as parts are lent: `a..=b` is refused on the range.
use chainrule::prelude::*;

#[differentiable]
fn g(x: &[f64]) -> f64 {
    let p = &x[1..=2];
    p[0] * p[1]
}

fn main() {}
