// An element of a tuple parameter needs a plain name: `mut` is refused on the element.
use chainrule::prelude::*;

#[differentiable]
fn f((mut x, y): (f64, f64)) -> f64 {
    x *= 2.0;
    x * y
}

fn main() {
    let _ = f_grad((1.0, 2.0));
}
