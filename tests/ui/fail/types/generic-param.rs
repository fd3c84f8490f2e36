// A generic parameter that is not the float type is refused on the parameter, with the
// form that works.
use chainrule::prelude::*;

#[differentiable]
fn f<T: Copy>(x: f64, #[no_grad] tag: T) -> f64 {
    let _ = tag;
    x * x
}

fn main() {
    let _ = f_grad(1.0, 'a');
}
