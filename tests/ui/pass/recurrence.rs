// A recurrence `y = tanh(y·a[i] + b[i])` overwrites `y` on every iteration, so reverse mode
// must keep each step's value; the gradient is checked against the chain rule written out
// step by step, and the same function is called many times to exercise the reused history.
use chainrule::prelude::*;

#[differentiable]
fn rnn(a: &[f64], b: &[f64], y0: f64) -> f64 {
    let mut y = y0;
    for i in 0..a.len() {
        y = (y * a[i] + b[i]).tanh();
    }
    y
}

fn main() {
    let a = [0.9, -1.1, 0.7, 1.3];
    let b = [0.1, 0.2, -0.3, 0.05];
    let y0: f64 = 0.4;
    // Forward: every yᵢ; backward: dy carries ∂y_n/∂yᵢ.
    let mut ys = vec![y0];
    for i in 0..4 {
        ys.push((ys[i] * a[i] + b[i]).tanh());
    }
    let mut da = [0.0; 4];
    let mut db = [0.0; 4];
    let mut dy = 1.0;
    for i in (0..4).rev() {
        let dz = dy * (1.0 - ys[i + 1] * ys[i + 1]);
        da[i] = dz * ys[i];
        db[i] = dz;
        dy = dz * a[i];
    }
    for _ in 0..3 {
        let (value, (ga, gb, gy)) = rnn_grad(&a, &b, y0);
        assert_eq!(value, ys[4]);
        for i in 0..4 {
            assert!((ga[i] - da[i]).abs() < 1e-15);
            assert!((gb[i] - db[i]).abs() < 1e-15);
        }
        assert!((gy - dy).abs() < 1e-15);
    }
    let (_, tangent) = rnn_jvp(&a, &[0.0; 4], &b, &[0.0; 4], y0, 1.0);
    assert!((tangent - dy).abs() < 1e-15);
}
