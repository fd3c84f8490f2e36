// A `for` loop over a slice's elements (rather than its indices) is rejected on the
// iterator, with the index loop to write instead.
use chainrule::prelude::*;

#[differentiable]
fn f(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in xs.iter() {
        s += x * x;
    }
    s
}

fn main() {
    let _ = f_grad(&[1.0, 2.0]);
}
