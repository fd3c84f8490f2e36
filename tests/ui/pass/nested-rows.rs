// Rows of floats: by reference (`&[[f64; N]]`, `&[[f64; N]; M]`, `&Vec<[f64; N]>`), by value
// (`[[f64; N]; M]`, borrowed by the companions) and as locals (`let mut r = [[0.0; N]; M]`):
// read and written by element and by row, iterated; the gradient has the rows' shape.
use chainrule::prelude::*;

#[differentiable]
fn trace_and_rows(m: &[[f64; 2]; 2], v: &[[f64; 2]]) -> f64 {
    let mut s = m[0][0] + m[1][1];
    for row in v.iter() {
        s += row[0] * row[1];
    }
    s
}

#[differentiable]
fn product_trace(a: [[f64; 2]; 2], b: [[f64; 2]; 2]) -> f64 {
    let mut c = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            for k in 0..2 {
                c[i][j] += a[i][k] * b[k][j];
            }
        }
    }
    c[0][0] + c[1][1]
}

fn main() {
    let (value, (dm, dv)) = trace_and_rows_grad(&[[1.0, 2.0], [3.0, 4.0]], &[[0.5, 2.0]]);
    assert_eq!(value, 6.0);
    assert_eq!(dm, [[1.0, 0.0], [0.0, 1.0]]);
    assert_eq!(dv, vec![[2.0, 0.5]]);
    // tr(AB) = Σ a_ik b_ki: its gradient in A is Bᵀ, in B it is Aᵀ.
    let (a, b) = ([[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 0.25]]);
    let (value, (da, db)) = product_trace_grad(&a, &b);
    assert_eq!(value, product_trace(a, b));
    assert_eq!((da, db), ([[0.5, 2.0], [-1.0, 0.25]], [[1.0, 3.0], [2.0, 4.0]]));
}
