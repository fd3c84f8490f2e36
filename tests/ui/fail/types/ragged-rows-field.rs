// A field read as rows must be rows of one length, `[[F; N]; M]` or `Vec<[F; N]>`: the
// generated code reads them as one flat slice.
use chainrule::prelude::*;

#[derive(Differentiable, Clone)]
struct Table {
    rows: Vec<Vec<f64>>,
}

#[differentiable]
fn corner(t: &Table, x: f64) -> f64 {
    t.rows[0][1] * x
}

fn main() {}
