// Slices `&[f64]`, fixed-size arrays by reference `&[f64; N]` and `&Vec<f64>` are active
// parameters: `f_grad` returns a `Vec` per slice, `f_vjp` *adds* seed·gradient into the
// shadow that follows each slice and returns only the by-value gradients, and `f_jvp` takes
// a tangent slice after each slice.
use chainrule::prelude::*;

/// w·x + c·Σv, over three kinds of reference.
#[differentiable]
fn f(w: &[f64], x: &[f64; 3], v: &Vec<f64>, c: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[i];
    }
    let mut t = 0.0;
    for j in 0..v.len() {
        t += v[j];
    }
    s + c * t
}

fn main() {
    let w = [1.0, 2.0, 3.0];
    let x = [4.0, 5.0, 6.0];
    let v = vec![0.5, 1.5];
    let (value, (dw, dx, dv, dc)): (f64, (Vec<f64>, Vec<f64>, Vec<f64>, f64)) = f_grad(&w, &x, &v, 2.0);
    assert_eq!(value, 32.0 + 4.0);
    assert_eq!(dw, vec![4.0, 5.0, 6.0]);
    assert_eq!(dx, vec![1.0, 2.0, 3.0]);
    assert_eq!(dv, vec![2.0, 2.0]);
    assert_eq!(dc, 2.0);

    // The shadows are added into, not overwritten: start them non-zero.
    let mut dw = [10.0; 3];
    let mut dx = [0.0; 3];
    let mut dv = vec![0.0; 2];
    let (value, dc): (f64, f64) = f_vjp(&w, &mut dw, &x, &mut dx, &v, &mut dv, 2.0, 0.5);
    assert_eq!((value, dc), (36.0, 1.0));
    assert_eq!(dw, [12.0, 12.5, 13.0]);
    assert_eq!(dx, [0.5, 1.0, 1.5]);
    assert_eq!(dv, vec![1.0, 1.0]);

    // Tangent along w = (1, 0, 0) and c: ∂f/∂w₀ + ∂f/∂c = 4 + 2.
    let (value, tangent) = f_jvp(&w, &[1.0, 0.0, 0.0], &x, &[0.0; 3], &v, &[0.0, 0.0], 2.0, 1.0);
    assert_eq!((value, tangent), (36.0, 6.0));
}
