// Parts bound for writing (`let o = &mut out[a..];`) are of local arrays and `&mut`
// parameters; of a parameter taken by value, which the macro does not write, the binding is
// refused with the way out.
use chainrule::prelude::*;

#[differentiable]
fn f(mut v: [f64; 3]) -> f64 {
    let o = &mut v[1..];
    o[0] *= 2.0;
    o[0] + o[1]
}

fn main() {}
