// Rows as a result: written out, or local rows returned by name; a caller reads a call's
// rows by element. The seed and the tangent of the result are rows too.
use chainrule::prelude::*;

#[differentiable]
fn rotation(t: f64) -> [[f64; 2]; 2] {
    let (c, s) = (t.cos(), t.sin());
    [[c, -s], [s, c]]
}

#[differentiable]
fn outer(a: &[f64], b: &[f64]) -> [[f64; 2]; 2] {
    let mut r = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            r[i][j] = a[i] * b[j];
        }
    }
    r
}

#[differentiable]
fn sin_of_rotation(t: f64) -> f64 {
    let r = rotation(t);
    r[1][0]
}

fn main() {
    let (r, dr) = rotation_jvp(0.0, 1.0);
    assert_eq!((r, dr), ([[1.0, -0.0], [0.0, 1.0]], [[-0.0, -1.0], [1.0, -0.0]]));
    let (_, dt) = rotation_vjp(0.0, [[0.0, 0.0], [1.0, 0.0]]);
    assert_eq!(dt, 1.0);
    let (mut da, mut db) = ([0.0; 2], [0.0; 2]);
    let (value, ()) = outer_vjp(&[1.0, 2.0], &mut da, &[3.0, 4.0], &mut db, [[1.0, 0.0], [0.0, 1.0]]);
    assert_eq!((value, da, db), ([[3.0, 4.0], [6.0, 8.0]], [3.0, 4.0], [1.0, 2.0]));
    assert_eq!(sin_of_rotation_grad(0.0), (0.0, 1.0));
}
