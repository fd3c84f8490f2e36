//! `stop_gradient(x)`: the value passes, the derivative does not, in both modes; what only
//! reaches a result through it (or through a comparison) gets no derivative code at all.

use chainrule::prelude::*;

#[differentiable]
fn product_with_detached(x: f64) -> f64 {
    let y = stop_gradient(x);
    y * x
}

#[test]
fn the_detached_factor_is_a_constant_in_both_modes() {
    for x in [-2.0, 0.5, 3.0] {
        let (value, dx) = product_with_detached_grad(x);
        assert_eq!(value, x * x);
        // d/dx (c · x) at c = x, not d/dx x² = 2x.
        assert_eq!(dx, x);
        assert_eq!(product_with_detached_jvp(x, 1.0), (x * x, x));
    }
}

/// The lecture's stable softmax cross-entropy: the maximum only shifts.
#[differentiable]
fn cross_entropy(z: &[f64], #[no_grad] label: usize) -> f64 {
    let mut m = z[0];
    for i in 1..z.len() {
        m = m.max(z[i]);
    }
    let m = stop_gradient(m);
    let mut s = 0.0;
    for i in 0..z.len() {
        s += (z[i] - m).exp();
    }
    s.ln() + m - z[label]
}

#[test]
fn detaching_the_shift_leaves_the_softmax_gradient_exact() {
    let z = [0.3, -1.2, 2.5, 2.5, 0.0, -4.0];
    for label in 0..z.len() {
        let (value, dz) = cross_entropy_grad(&z, label);
        let total: f64 = z.iter().map(|v| v.exp()).sum();
        assert!((value - (total.ln() - z[label])).abs() < 1e-14);
        for (i, d) in dz.iter().enumerate() {
            let expected = z[i].exp() / total - if i == label { 1.0 } else { 0.0 };
            assert!((d - expected).abs() < 1e-15, "dz[{i}] = {d}, expected {expected}");
        }
        // Forward mode agrees along every basis direction.
        for k in 0..z.len() {
            let mut v = [0.0; 6];
            v[k] = 1.0;
            let (_, t) = cross_entropy_jvp(&z, &v, label);
            assert!((t - dz[k]).abs() < 1e-15);
        }
    }
}

/// `y` is active but reaches the result only through a comparison: pruned, and the
/// gradient is that of the branch taken.
#[differentiable]
fn compared_only(x: f64, w: &[f64]) -> f64 {
    let mut y = 0.0;
    for i in 0..w.len() {
        y = (y + w[i] * x).sin();
    }
    if y > 0.0 { 3.0 * x } else { -x }
}

#[test]
fn a_value_only_compared_has_no_derivative_and_the_branch_decides() {
    let w = [0.5, 0.25, -1.0];
    for x in [-1.3, 0.2, 0.9] {
        let (value, (dx, dw)) = compared_only_grad(x, &w);
        let expected = if value == 3.0 * x { 3.0 } else { -1.0 };
        assert_eq!(dx, expected);
        assert_eq!(dw, vec![0.0; 3]);
        assert_eq!(compared_only_jvp(x, 1.0, &w, &[1.0; 3]).1, expected);
    }
}
