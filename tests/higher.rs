//! Higher-order companions of generic functions (issue 12): `f_hvp` (forward over reverse on
//! dual numbers), `f_hessian` (one hvp per input float) and `f_jacobian` (vector forward
//! mode), checked against finite differences of the first-order companions, against each
//! other (`⟨Hv, w⟩ = ⟨v, Hw⟩`, Jacobian rows against `f_vjp`, columns against `f_jvp`) and
//! against closed forms.

#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::prelude::*;
use proptest::collection::vec;
use proptest::prelude::*;

/// The extended Rosenbrock function.
#[differentiable]
fn rosenbrock<F: Float>(x: &[F]) -> F {
    let mut s = F::ZERO;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = F::ONE - x[i];
        s += F::from_f64(100.0) * a * a + b * b;
    }
    s
}

/// Parameters of every kind the higher-order companions take: a scalar, an array by value,
/// a slice, a constant float and a constant size; branches and a call.
#[differentiable]
fn mixed<F: Float>(a: F, p: [F; 2], xs: &[F], #[no_grad] k: F, #[no_grad] n: usize) -> F {
    let mut s = a.sin() * p[0] + p[1].exp() * a;
    for i in 0..xs.len().min(n) {
        let t = xs[i] * p[i % 2] + k;
        s += if t > F::ZERO { t.ln_1p() * a } else { t * t * p[0] };
    }
    s + rosenbrock(xs) * F::from_f64(0.01)
}

/// A vector result: a tuple and an array.
#[differentiable]
fn spherical<F: Float>(r: F, angles: [F; 2]) -> (F, F, F) {
    let (t, p) = (angles[0], angles[1]);
    (r * t.sin() * p.cos(), r * t.sin() * p.sin(), r * t.cos())
}

#[differentiable]
fn moments<F: Float>(xs: &[F], #[no_grad] w: &[F]) -> [F; 3] {
    let mut m = [F::ZERO; 3];
    for i in 0..xs.len() {
        m[0] += xs[i] * w[i];
        m[1] += xs[i] * xs[i] * w[i];
        m[2] += (xs[i] * w[i]).tanh();
    }
    m
}

/// Constant data of the float type inside a struct: the dual code cannot pass it on
/// converted, so this function has no higher-order companions, but compiles with its
/// first-order ones (the higher-order ones once failed to compile here).
struct Weights<F> {
    w: Vec<F>,
}

#[differentiable]
fn weighted<F: Float>(x: &[F], #[no_grad] data: &Weights<F>) -> F {
    let mut s = F::ZERO;
    for i in 0..x.len() {
        s += data.w[i] * x[i] * x[i];
    }
    s
}

#[test]
fn constant_structs_of_the_float_type_keep_their_first_order_companions() {
    let data = Weights { w: vec![2.0, -1.0] };
    let (value, g) = weighted_grad(&[3.0, 0.5], &data);
    assert_eq!(value, 2.0 * 9.0 - 0.25);
    assert_eq!(g, vec![12.0, -1.0]);
    let data32 = Weights { w: vec![2.0f32, -1.0] };
    assert_eq!(weighted_jvp(&[3.0f32, 0.5], &[1.0, 0.0], &data32).1, 12.0);
}

/// The gradient of `mixed` flattened, for finite differences.
fn mixed_gradient(z: &[f64], xs_len: usize) -> Vec<f64> {
    let (_, (ga, gp, gx)) = mixed_grad(z[0], [z[1], z[2]], &z[3..3 + xs_len], 0.25, 3);
    let mut g = vec![ga, gp[0], gp[1]];
    g.extend(gx);
    g
}

proptest! {
    #![proptest_config(common::config())]

    /// Each column of the Hessian is the derivative of the gradient: central differences of
    /// `f_grad`; the Hessian is symmetric; its value and gradient are `f_grad`'s.
    #[test]
    fn hessian_is_the_derivative_of_the_gradient(z in vec(-1.0f64..1.0, 7)) {
        let xs_len = 4;
        let (value, (ga, gp, gx), h) = mixed_hessian(z[0], [z[1], z[2]], &z[3..], 0.25, 3);
        let (v0, (ga0, gp0, gx0)) = mixed_grad(z[0], [z[1], z[2]], &z[3..], 0.25, 3);
        prop_assert_eq!(value.to_bits(), v0.to_bits());
        prop_assert_eq!((ga, gp, gx), (ga0, gp0, gx0));
        let n = 3 + xs_len;
        prop_assert_eq!((h.rows(), h.cols()), (n, n));
        for j in 0..n {
            let step = 1e-6;
            let (mut plus, mut minus) = (z.clone(), z.clone());
            plus[j] += step;
            minus[j] -= step;
            // The branch on `t > 0` switches nowhere near: skip points within reach of one.
            let (gp, gm) = (mixed_gradient(&plus, xs_len), mixed_gradient(&minus, xs_len));
            for i in 0..n {
                let fd = (gp[i] - gm[i]) / (2.0 * step);
                prop_assume!((0..3).all(|r| (z[3 + r] * [z[1], z[2]][r % 2] + 0.25).abs() > 1e-3));
                prop_assert!((h[(i, j)] - fd).abs() <= 1e-5 * (1.0 + fd.abs()), "H[{}][{}] = {} vs {}", i, j, h[(i, j)], fd);
                prop_assert!((h[(i, j)] - h[(j, i)]).abs() <= 1e-10 * (1.0 + h[(i, j)].abs()), "not symmetric at {} {}", i, j);
            }
        }
    }

    /// `⟨H v, w⟩ = ⟨v, H w⟩`, by two `f_hvp` calls; `f_hvp`'s gradient is `f_grad`'s.
    #[test]
    fn hessian_vector_products_are_symmetric(
        x in vec(-1.5f64..1.5, 10),
        v in vec(-1.0f64..1.0, 10),
        w in vec(-1.0f64..1.0, 10),
    ) {
        let (value, g, hv) = rosenbrock_hvp(&x, &v);
        let (_, _, hw) = rosenbrock_hvp(&x, &w);
        let (v0, g0) = rosenbrock_grad(&x);
        prop_assert_eq!(value.to_bits(), v0.to_bits());
        prop_assert_eq!(g, g0);
        let (a, b): (f64, f64) = ((0..10).map(|i| hv[i] * w[i]).sum(), (0..10).map(|i| v[i] * hw[i]).sum());
        prop_assert!((a - b).abs() <= 1e-10 * (1.0 + a.abs()), "{} vs {}", a, b);
    }

    /// Jacobian rows are `f_vjp` with unit seeds, columns `f_jvp` along unit directions.
    #[test]
    fn jacobians_agree_with_vjp_and_jvp(r in 0.5f64..2.0, t in -3.0f64..3.0, p in -3.0f64..3.0,
        xs in vec(-1.5f64..1.5, 1..40), w in vec(0.5f64..1.5, 40)) {
        let (value, j) = spherical_jacobian(r, [t, p]);
        prop_assert_eq!(value, spherical(r, [t, p]));
        prop_assert_eq!((j.rows(), j.cols()), (3, 3));
        for (i, seed) in [(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)].into_iter().enumerate() {
            let (_, (dr, da)) = spherical_vjp(r, [t, p], seed);
            prop_assert!((j[(i, 0)] - dr).abs() < 1e-12 && (j[(i, 1)] - da[0]).abs() < 1e-12 && (j[(i, 2)] - da[1]).abs() < 1e-12);
        }
        let w = &w[..xs.len()];
        let (m, jm) = moments_jacobian(&xs, w);
        prop_assert_eq!(m, moments(&xs, w));
        prop_assert_eq!((jm.rows(), jm.cols()), (3, xs.len()));
        for c in 0..xs.len() {
            let mut d = vec![0.0; xs.len()];
            d[c] = 1.0;
            let (_, t) = moments_jvp(&xs, &d, w);
            for i in 0..3 {
                prop_assert!((jm[(i, c)] - t[i]).abs() <= 1e-12 * (1.0 + t[i].abs()), "J[{}][{}]", i, c);
            }
        }
    }
}

/// The Rosenbrock Hessian against its closed form, at the classic start and at the minimum.
#[test]
fn rosenbrock_hessian_has_its_closed_form() {
    for x in [vec![-1.2, 1.0, -1.2, 1.0, 0.3], vec![1.0; 5]] {
        let (_, _, h) = rosenbrock_hessian(&x);
        let n = x.len();
        for i in 0..n {
            for j in 0..n {
                let mut want = 0.0;
                if i == j {
                    if i + 1 < n {
                        want += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
                    }
                    if i > 0 {
                        want += 200.0;
                    }
                } else if j == i + 1 {
                    want = -400.0 * x[i];
                } else if i == j + 1 {
                    want = -400.0 * x[j];
                }
                assert!((h[(i, j)] - want).abs() < 1e-10 * (1.0 + want.abs()), "H[{i}][{j}] = {} vs {want}", h[(i, j)]);
            }
        }
    }
}

#[differentiable]
fn cube<F: Float>(x: F) -> F {
    x * x * x
}

#[differentiable]
fn shifted_cube<F: Float>(x: F, y: F) -> F {
    (x - F::ONE) * cube(y)
}

/// At x = 1 the adjoint reaching `cube`'s pullback is zero, its tangent is not: forward over
/// reverse must still run that pullback (the zero test looks at every lane of a dual).
/// f = (x − 1) y³: ∇f = (y³, 3(x − 1) y²), H = [[0, 3y²], [3y², 6(x − 1) y]].
#[test]
fn a_zero_adjoint_with_a_nonzero_tangent_is_not_skipped() {
    let (value, (gx, gy), (hx, hy)) = shifted_cube_hvp(1.0, 2.0, 1.0, 1.0);
    assert_eq!((value, gx, gy), (0.0, 8.0, 0.0));
    assert_eq!((hx, hy), (12.0, 12.0));
}

/// At `f32`, the same Hessian to single precision.
#[test]
fn hessian_at_f32() {
    let x = [-1.2, 1.0, 0.5];
    let (_, _, h64) = rosenbrock_hessian(&x);
    let (_, _, h32) = rosenbrock_hessian(&x.map(|v| v as f32));
    for i in 0..3 {
        for j in 0..3 {
            assert!((f64::from(h32[(i, j)]) - h64[(i, j)]).abs() < 1e-4 * (1.0 + h64[(i, j)].abs()));
        }
    }
}

/// Two `&mut` outputs.
#[differentiable]
fn write_two<F: Float>(x: &[F], a: F, out: &mut [F], tail: &mut [F]) {
    for i in 0..out.len() {
        out[i] = x[i] * a.sin() + x[(i + 1) % x.len()].powi(2);
    }
    tail[0] = x[0] * x[x.len() - 1] * a;
}

proptest! {
    #![proptest_config(common::config())]

    /// The Jacobian of `&mut` outputs (in parameter order) has `f_jvp`'s tangents as columns,
    /// by forward passes (few inputs) and by reverse passes (many inputs, two outputs); the
    /// outputs are written as `f` writes them.
    #[test]
    fn jacobians_of_outputs(x in vec(-1.5f64..1.5, 2..50), a in -2.0f64..2.0) {
        // As many outputs as inputs for short inputs (forward passes), two for long ones
        // (three output floats of 13 inputs or more: reverse passes).
        let m = if x.len() < 8 { x.len() } else { 2 };
        let (mut out, mut tail) = (vec![0.0; m], [0.0]);
        let j = write_two_jacobian(&x, a, &mut out, &mut tail);
        let (mut want_out, mut want_tail) = (vec![0.0; m], [0.0]);
        write_two(&x, a, &mut want_out, &mut want_tail);
        prop_assert_eq!((&out, tail), (&want_out, want_tail));
        let n = x.len() + 1;
        prop_assert_eq!((j.rows(), j.cols()), (m + 1, n));
        for c in 0..n {
            let mut dx = vec![0.0; x.len()];
            let da = if c == x.len() { 1.0 } else { dx[c] = 1.0; 0.0 };
            let (mut o, mut t, mut d_o, mut d_t) = (vec![0.0; m], [0.0], vec![0.0; m], [0.0]);
            write_two_jvp(&x, &dx, a, da, &mut o, &mut d_o, &mut t, &mut d_t);
            for i in 0..m {
                prop_assert!((j[(i, c)] - d_o[i]).abs() <= 1e-12 * (1.0 + d_o[i].abs()), "J[{}][{}]", i, c);
            }
            prop_assert!((j[(m, c)] - d_t[0]).abs() <= 1e-12 * (1.0 + d_t[0].abs()));
        }
    }
}

/// A result as long as its 70 inputs: forward mode, in passes of 32 directions.
#[differentiable]
fn neighbours<F: Float>(x: &[F]) -> [F; 70] {
    let mut out = [F::ZERO; 70];
    for i in 0..70 {
        out[i] = x[i] * x[(i + 1) % 70].sin();
    }
    out
}

/// Forward mode over several passes, and reverse mode (3 results of 70 inputs: one vjp per
/// result), each against the closed form.
#[test]
fn jacobians_of_many_inputs() {
    let xs: Vec<f64> = (0..70).map(|i| (i as f64 * 0.37).sin()).collect();
    let (value, j) = neighbours_jacobian(&xs);
    assert_eq!(value, neighbours(&xs));
    for i in 0..70 {
        let k = (i + 1) % 70;
        for c in 0..70 {
            let want = if c == i {
                xs[k].sin()
            } else if c == k {
                xs[i] * xs[k].cos()
            } else {
                0.0
            };
            assert!((j[(i, c)] - want).abs() < 1e-15, "J[{i}][{c}]");
        }
    }
    let w = vec![1.0; 70];
    let (m, j) = moments_jacobian(&xs, &w);
    assert_eq!(m, moments(&xs, &w));
    for c in 0..70 {
        assert_eq!(j[(0, c)], 1.0);
        assert!((j[(1, c)] - 2.0 * xs[c]).abs() < 1e-15);
        assert!((j[(2, c)] - (1.0 - xs[c].tanh().powi(2))).abs() < 1e-15);
    }
}

#[allow(dead_code)]
#[path = "../examples/newton.rs"]
mod newton;

/// `examples/newton.rs`: Newton's method with `f_hessian` on the extended Rosenbrock function
/// (n = 10) converges from (−1.2, 1, …) in fewer than 30 iterations, and Levenberg–Marquardt
/// with `f_jacobian` recovers the parameters of its samples.
#[test]
fn the_newton_example_converges() {
    let start: Vec<f64> = (0..10).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    let (iterations, x) = newton::newton(start, 1e-10);
    assert!(iterations < 30, "{iterations} iterations");
    assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-9), "{x:?}");
    let t: Vec<f64> = (0..8).map(|i| 0.5 * i as f64).collect();
    let y: Vec<f64> = t.iter().map(|&t| 2.0 * (-0.3 * t).exp() * (1.7 * t).cos()).collect();
    let (p, cost) = newton::fit(&t, &y, [1.0, 0.1, 1.5]);
    assert!(
        cost < 1e-20 && (p[0] - 2.0).abs() < 1e-8 && (p[1] - 0.3).abs() < 1e-8 && (p[2] - 1.7).abs() < 1e-8,
        "{p:?}"
    );
}

/// Constant data of a concrete `f64` beside the generic float type (`#[no_grad] pts: &[f64]`,
/// read through `F::from_f64`): the higher-order companions pass it on unchanged (they once
/// made it duals, a type error in the generated code).
#[differentiable]
fn cubic_cost<F: Float>(c: &[F], #[no_grad] pts: &[f64], #[no_grad] w: [f64; 2], #[no_grad] k: f64) -> F {
    let mut s = F::ZERO;
    for i in 0..c.len() {
        let d = c[i] - F::from_f64(pts[i] * w[i % 2] + k);
        s += d * d * d;
    }
    s
}

#[differentiable]
fn scaled_pair<F: Float>(c: [F; 2], #[no_grad] pts: &[f64], #[no_grad] w: [f64; 2]) -> [F; 3] {
    [c[0] * F::from_f64(pts[0]), c[1] * c[0] * F::from_f64(w[1]), c[1]]
}

/// `cubic_cost`'s gradient inside differentiable code, by its `g_vjp`.
#[differentiable]
fn gradient_product(c: &[f64], #[no_grad] pts: &[f64]) -> f64 {
    let mut g = vec![0.0; c.len()];
    let (_, ()) = cubic_cost_vjp(c, &mut g, pts, [1.0, 2.0], 0.5, 1.0);
    g[0] * g[1]
}

#[test]
fn concrete_constants_beside_a_generic_float() {
    let (c, pts) = ([0.5, 0.25], [1.0, 2.0]);
    // d = c − (pts·w + k) = (−1, −4.25): f = Σ d³, ∇f = 3d², H = diag(6d).
    let (value, g, h) = cubic_cost_hessian(&c, &pts, [1.0, 2.0], 0.5);
    assert_eq!(value, -1.0 - 4.25f64.powi(3));
    assert_eq!(g, vec![3.0, 3.0 * 4.25 * 4.25]);
    assert_eq!(h.to_rows(), vec![vec![-6.0, 0.0], vec![0.0, -25.5]]);
    let (_, j) = scaled_pair_jacobian(c, &pts, [1.0, 2.0]);
    assert_eq!(j.to_rows(), vec![vec![1.0, 0.0], vec![0.5, 1.0], vec![0.0, 1.0]]);
    // ∂(g0 g1)/∂c = (6 d0 g1, g0 · 6 d1), over the Hessian of the nested call.
    let (value, grad) = gradient_product_grad(&c, &pts);
    assert_eq!(value, 3.0 * 54.1875);
    assert_eq!(grad, vec![-6.0 * 54.1875, 3.0 * -25.5]);
    let (_, slope) = gradient_product_jvp(&c, &[1.0, 1.0], &pts);
    assert_eq!(slope, grad[0] + grad[1]);
}
