// A function that calls itself, with a local vector lent to the recursive call (a
// determinant by minors) and a constant scratch array it writes (the columns in use).
use chainrule::prelude::*;

#[differentiable]
fn det(a: &[f64], #[no_grad] n: usize) -> f64 {
    if n == 1 {
        return a[0];
    }
    let mut total = 0.0;
    for c in 0..n {
        let mut minor = vec![0.0; (n - 1) * (n - 1)];
        let mut k = 0;
        for r in 1..n {
            for cc in 0..n {
                if cc != c {
                    minor[k] = a[r * n + cc];
                    k += 1;
                }
            }
        }
        let sign = if c % 2 == 0 { 1.0 } else { -1.0 };
        total += sign * a[c] * det(&minor, n - 1);
    }
    total
}

#[differentiable]
fn permanent(a: &[f64], #[no_grad] n: usize, #[no_grad] row: usize, #[no_grad] used: &mut [bool]) -> f64 {
    if row == n {
        return 1.0;
    }
    let mut total = 0.0;
    for c in 0..n {
        if !used[c] {
            used[c] = true;
            total += a[row * n + c] * permanent(a, n, row + 1, used);
            used[c] = false;
        }
    }
    total
}

fn main() {
    let a = [2.0, 1.0, 1.0, 3.0];
    // det = 6 − 1; ∂det/∂a = the cofactors (3, −1, −1, 2).
    assert_eq!(det_grad(&a, 2), (5.0, vec![3.0, -1.0, -1.0, 2.0]));
    let mut used = [false; 2];
    // perm = 6 + 1; ∂perm/∂a = (3, 1, 1, 2).
    assert_eq!(permanent_grad(&a, 2, 0, &mut used), (7.0, vec![3.0, 1.0, 1.0, 2.0]));
}
