// Rows of their own lengths, `&[Vec<f64>]` and `&Vec<Vec<f32>>`: read by element, measured,
// iterated, lent by row; the gradient is a `Vec<Vec<_>>` of the same shape.
use chainrule::prelude::*;

#[differentiable]
fn total(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in v.iter() {
        s += *x;
    }
    s
}

#[differentiable]
fn weighted(rows: &[Vec<f64>], #[no_grad] data: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for i in 0..rows.len() {
        for j in 0..rows[i].len() {
            s += rows[i][j] * data[i][j];
        }
        s += total(&rows[i]);
    }
    s
}

#[allow(clippy::ptr_arg)]
#[differentiable]
fn squares(rows: &Vec<Vec<f32>>) -> f32 {
    let mut s = 0.0;
    for row in rows.iter() {
        for x in row.iter() {
            s += *x * *x;
        }
    }
    s
}

fn main() {
    let rows = vec![vec![1.0, 2.0], vec![3.0]];
    let data = vec![vec![0.5, 0.25], vec![2.0]];
    let (value, g) = weighted_grad(&rows, &data);
    assert_eq!(value, 0.5 + 0.5 + 6.0 + 6.0);
    assert_eq!(g, vec![vec![1.5, 1.25], vec![3.0]]);
    let (_, g) = squares_grad(&vec![vec![1.0f32], vec![2.0, -1.0]]);
    assert_eq!(g, vec![vec![2.0], vec![4.0, -2.0]]);
}
