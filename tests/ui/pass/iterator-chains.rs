// Iterator loops and reductions are lowered into index loops: `xs.iter().sum()`,
// `w.iter().zip(x).map(|(a, b)| a * b).sum()`, `for x in xs.iter()`.
use chainrule::prelude::*;

#[differentiable]
fn total(xs: &[f64]) -> f64 {
    xs.iter().sum()
}

#[differentiable]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

#[differentiable]
fn squares(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for x in xs.iter() {
        s += x * x;
    }
    s
}

fn main() {
    assert_eq!(total_grad(&[1.0, 2.0]), (3.0, vec![1.0, 1.0]));
    assert_eq!(dot_grad(&[1.0, 2.0], &[3.0, 4.0]), (11.0, (vec![3.0, 4.0], vec![1.0, 2.0])));
    assert_eq!(squares_grad(&[1.0, 2.0]), (5.0, vec![2.0, 4.0]));
}
