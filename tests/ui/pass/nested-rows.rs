// Rows of floats by reference (`&[[f64; N]]`, `&[[f64; N]; M]`, `&Vec<[f64; N]>`): read by
// element and by row, iterated; the gradient has the rows' shape.
use chainrule::prelude::*;

#[differentiable]
fn trace_and_rows(m: &[[f64; 2]; 2], v: &[[f64; 2]]) -> f64 {
    let mut s = m[0][0] + m[1][1];
    for row in v.iter() {
        s += row[0] * row[1];
    }
    s
}

fn main() {
    let (value, (dm, dv)) = trace_and_rows_grad(&[[1.0, 2.0], [3.0, 4.0]], &[[0.5, 2.0]]);
    assert_eq!(value, 6.0);
    assert_eq!(dm, [[1.0, 0.0], [0.0, 1.0]]);
    assert_eq!(dv, vec![[2.0, 0.5]]);
}
