// Taking a reference to a scalar is rejected on the `&` expression (only arrays and slices
// can be lent, to differentiable calls).
use chainrule::prelude::*;

fn twice(v: &f64) -> f64 {
    v * 2.0
}

#[differentiable]
fn f(x: f64) -> f64 {
    twice(&x) + x
}

fn main() {
    let _ = f_grad(1.0);
}
