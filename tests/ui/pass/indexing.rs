// Reading slice elements at computed `usize` indices (integer arithmetic on the loop
// variable, a mirrored index, a constant parameter) and `.len()`: each read element gets
// exactly its own share of the gradient, and unread elements get zero.
use chainrule::prelude::*;

/// Σ xs[i]·xs[n-1-i] over the first half, plus xs[k] squared; `n = xs.len()`.
#[differentiable]
fn f(xs: &[f64], k: usize) -> f64 {
    let n = xs.len();
    let mut s = xs[k] * xs[k];
    for i in 0..n / 2 {
        s += xs[i] * xs[n - 1 - i];
    }
    s + xs[(k + 1) % n]
}

fn main() {
    let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
    // k = 2: 3² + (1·5 + 2·4) + xs[3] = 9 + 13 + 4.
    let (value, grad) = f_grad(&xs, 2);
    assert_eq!(value, 26.0);
    assert_eq!(grad, vec![5.0, 4.0, 6.0, 2.0 + 1.0, 1.0]);
    // k = 4 wraps: 5² + 13 + xs[0].
    let (value, grad) = f_grad(&xs, 4);
    assert_eq!(value, 39.0);
    assert_eq!(grad, vec![5.0 + 1.0, 4.0, 0.0, 2.0, 1.0 + 10.0]);
    // Tangent along the third element only: ∂f/∂xs[2] at k = 2.
    let (value, tangent) = f_jvp(&xs, &[0.0, 0.0, 1.0, 0.0, 0.0], 2);
    assert_eq!((value, tangent), (26.0, 6.0));
}
