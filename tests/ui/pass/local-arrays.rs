// Local arrays: `[0.0; N]`, `vec![0.0; n]` with a length known only at run time, and a
// literal `[a, b, c]` of active values; element writes with `=`, `+=`, `-=`, `*=` and `/=`,
// including overwriting an element that was already read (its old value must not leak into
// the gradient).
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64, n: usize) -> f64 {
    let mut a = [0.0; 3];
    a[0] = x;
    a[1] = x * y;
    a[2] += y;
    a[2] *= 3.0;
    a[1] -= a[0];
    a[0] /= 2.0;
    let first = a[0];
    a[0] = y * y;

    let mut v = vec![0.0; n];
    for i in 0..n {
        v[i] = a[i % 3] * i as f64;
    }
    let mut s = first;
    for i in 0..v.len() {
        s += v[i];
    }

    let b = [x, y, x * y];
    s + b[2] - b[0]
}

fn main() {
    // After the writes: a = [y², xy - x, 3y], first = x/2.
    // n = 4: v = [0, xy - x, 6y, 3y²], so
    // f = x/2 + (xy - x) + 6y + 3y² + xy - x = 2xy - 3x/2 + 6y + 3y².
    let (x, y) = (2.0, 3.0);
    let value = 2.0 * x * y - 1.5 * x + 6.0 * y + 3.0 * y * y;
    let (v, (dx, dy)) = f_grad(x, y, 4);
    assert_eq!(v, value);
    assert_eq!((dx, dy), (2.0 * y - 1.5, 2.0 * x + 6.0 + 6.0 * y));
    assert_eq!(f_jvp(x, 1.0, y, 1.0, 4), (value, 2.0 * y - 1.5 + 2.0 * x + 6.0 + 6.0 * y));
    // n = 0: the vector is empty and only `first` and `b` remain: x/2 + xy - x.
    assert_eq!(f_grad(x, y, 0), (5.0, (2.5, 2.0)));
}
