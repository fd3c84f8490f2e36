// A result of rows is local rows returned by name or rows written out; a parameter is not.
use chainrule::prelude::*;

#[differentiable]
fn same(m: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    m
}

fn main() {}
