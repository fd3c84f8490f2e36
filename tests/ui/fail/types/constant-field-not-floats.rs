// A field of a constant struct lent to a call is read as floats; a field of integers is
// refused on the field with our message, not with a mismatch in generated code.
use chainrule::prelude::*;

pub struct Data {
    pub labels: Vec<usize>,
}

#[differentiable]
fn total(a: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i];
    }
    s
}

#[differentiable]
fn f(w: f64, #[no_grad] data: &Data) -> f64 {
    w * total(&data.labels)
}

fn main() {}
