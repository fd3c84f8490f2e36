//! Nested differentiation (issue 12): differentiable functions that call the companions of
//! another (`g_grad`, `g_jvp`, `g_vjp`), differentiated in every order. The particle-style
//! example: a potential, its gradient as a force (by reverse mode, by forward mode, or by a
//! vjp), an Euler integrator, and the derivative of the end point with respect to a control
//! parameter, in both modes over each, against finite differences of the integrator; and
//! third order, the outer `f_hvp` over the nested reverse.

mod common;

use chainrule::prelude::*;
use proptest::prelude::*;

/// A potential with a coupling term.
#[differentiable]
fn potential<F: Float>(x: F, y: F) -> F {
    let r2 = x * x + F::from_f64(2.0) * y * y;
    F::from_f64(0.5) * r2 + F::from_f64(0.3) * (x * y).sin()
}

/// Euler steps under the force −∇φ, by reverse mode (`potential_grad`).
#[differentiable]
fn end_by_grad<F: Float>(c: F, #[no_grad] steps: usize) -> F {
    let h = F::from_f64(0.05);
    let mut x = c;
    let mut y = F::ONE;
    let mut vx = F::ZERO;
    let mut vy = c * F::from_f64(0.5);
    for _ in 0..steps {
        let (_, (gx, gy)) = potential_grad(x, y);
        vx -= h * gx;
        vy -= h * gy;
        x += h * vx;
        y += h * vy;
    }
    x * x + y
}

/// The same with the force by forward mode, one `potential_jvp` per axis.
#[differentiable]
fn end_by_jvp<F: Float>(c: F, #[no_grad] steps: usize) -> F {
    let h = F::from_f64(0.05);
    let mut x = c;
    let mut y = F::ONE;
    let mut vx = F::ZERO;
    let mut vy = c * F::from_f64(0.5);
    for _ in 0..steps {
        let (_, gx) = potential_jvp(x, F::ONE, y, F::ZERO);
        let (_, gy) = potential_jvp(x, F::ZERO, y, F::ONE);
        vx -= h * gx;
        vy -= h * gy;
        x += h * vx;
        y += h * vy;
    }
    x * x + y
}

/// The same with the force by a vjp whose seed is a differentiated value.
#[differentiable]
fn end_by_vjp<F: Float>(c: F, #[no_grad] steps: usize) -> F {
    let h = F::from_f64(0.05);
    let mut x = c;
    let mut y = F::ONE;
    let mut vx = F::ZERO;
    let mut vy = c * F::from_f64(0.5);
    for _ in 0..steps {
        let (_, (gx, gy)) = potential_vjp(x, y, h);
        vx -= gx;
        vy -= gy;
        x += h * vx;
        y += h * vy;
    }
    x * x + y
}

fn fd(f: impl Fn(f64) -> f64, c: f64) -> f64 {
    let h = 1e-6;
    (f(c + h) - f(c - h)) / (2.0 * h)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #![proptest_config(common::config())]

    /// All four orders: reverse over reverse (`end_by_grad_grad`), forward over reverse
    /// (`end_by_grad_jvp`), reverse over forward (`end_by_jvp_grad`), forward over forward
    /// (`end_by_jvp_jvp`), and both modes over a vjp, against finite differences of the end
    /// point; the three integrators agree.
    #[test]
    fn nested_derivatives_in_every_order(c in -1.5f64..1.5, steps in 1usize..30) {
        let end = |c: f64| end_by_grad(c, steps);
        let want = fd(end, c);
        prop_assert!(close(end_by_jvp(c, steps), end(c), 1e-13));
        prop_assert!(close(end_by_vjp(c, steps), end(c), 1e-13));
        let results = [
            ("rr", end_by_grad_grad(c, steps).1),
            ("fr", end_by_grad_jvp(c, 1.0, steps).1),
            ("rf", end_by_jvp_grad(c, steps).1),
            ("ff", end_by_jvp_jvp(c, 1.0, steps).1),
            ("r over vjp", end_by_vjp_grad(c, steps).1),
            ("f over vjp", end_by_vjp_jvp(c, 1.0, steps).1),
        ];
        for (order, got) in results {
            prop_assert!(close(got, want, 1e-6), "{}: {} vs finite differences {}", order, got, want);
        }
    }

    /// Third order: the outer Hessian over the nested reverse, `end_by_grad_hvp`, against
    /// finite differences of `end_by_grad_grad`.
    #[test]
    fn hessians_over_nested_gradients(c in -1.5f64..1.5, steps in 1usize..20) {
        let (_, g, h) = end_by_grad_hvp(c, steps, 1.0);
        prop_assert!(close(g, end_by_grad_grad(c, steps).1, 1e-14));
        let want = fd(|c| end_by_grad_grad(c, steps).1, c);
        prop_assert!(close(h, want, 1e-5), "{} vs {}", h, want);
    }
}

/// The potential over a position `[x, y]` by value.
#[differentiable]
fn potential2<F: Float>(p: [F; 2], #[no_grad] k: F) -> F {
    F::from_f64(0.5) * (p[0] * p[0] + k * p[1] * p[1]) + F::from_f64(0.3) * (p[0] * p[1]).sin()
}

/// Euler steps of a position and a velocity as arrays, the force by `potential2_grad`.
#[differentiable]
fn end_by_array_grad<F: Float>(c: F, #[no_grad] steps: usize) -> F {
    let h = F::from_f64(0.05);
    let mut p = [c, F::ONE];
    let mut v = [F::ZERO, c * F::from_f64(0.5)];
    for _ in 0..steps {
        let (_, [gx, gy]) = potential2_grad(p, F::from_f64(2.0));
        v[0] -= h * gx;
        v[1] -= h * gy;
        p[0] += h * v[0];
        p[1] += h * v[1];
    }
    p[0] * p[0] + p[1]
}

proptest! {
    #![proptest_config(common::config())]

    /// Arrays by value in the nested companion: the same end point as the scalar integrator,
    /// and its derivative in both modes against finite differences.
    #[test]
    fn nested_derivatives_of_array_parameters(c in -1.5f64..1.5, steps in 1usize..30) {
        let end = |c: f64| end_by_array_grad(c, steps);
        prop_assert!(close(end(c), end_by_grad(c, steps), 1e-13));
        let want = fd(end, c);
        let (rr, fr) = (end_by_array_grad_grad(c, steps).1, end_by_array_grad_jvp(c, 1.0, steps).1);
        prop_assert!(close(rr, want, 1e-6), "rr: {} vs {}", rr, want);
        prop_assert!(close(fr, want, 1e-6), "fr: {} vs {}", fr, want);
    }
}

/// Two array parameters: the nested gradient is a tuple of two arrays.
#[differentiable]
fn saddle_objective<F: Float>(p: [F; 2], q: [F; 2]) -> F {
    p[0] * p[1] * q[0] - q[1] * q[1] * q[0]
}

/// Reads both arrays of the gradient by pattern, the first through wildcards: each `_`
/// is one float (a `_` over a whole array is a compile error, see the UI test
/// `wildcard-over-array`), so the second array's names land on its own floats.
#[differentiable]
fn from_gradient_parts(p: [f64; 2], q: [f64; 2]) -> f64 {
    let (_, ([_, _], [g0, g1])) = saddle_objective_grad(p, q);
    let (_, ([a0, a1], [_, _])) = saddle_objective_grad(p, q);
    g0 + 10.0 * g1 + 100.0 * a0 * a1
}

#[test]
fn a_nested_pattern_reads_the_floats_it_names() {
    let (p, q) = ([0.3, 0.7], [2.0, 5.0]);
    // ∂/∂q = (p0 p1 − q1², −2 q1 q0), ∂/∂p = (p1 q0, p0 q0).
    let want = (p[0] * p[1] - q[1] * q[1]) + 10.0 * (-2.0 * q[1] * q[0]) + 100.0 * (p[1] * q[0]) * (p[0] * q[0]);
    assert!(close(from_gradient_parts(p, q), want, 1e-13));
    let (value, (dp, dq)) = from_gradient_parts_grad(p, q);
    assert!(close(value, want, 1e-13), "{value} vs {want}");
    for (i, d) in dp.iter().chain(&dq).enumerate() {
        let at = |h: f64| {
            let mut x = [p[0], p[1], q[0], q[1]];
            x[i] += h;
            from_gradient_parts([x[0], x[1]], [x[2], x[3]])
        };
        let fd = (at(1e-6) - at(-1e-6)) / 2e-6;
        assert!(close(*d, fd, 1e-6), "input {i}: {d} vs {fd}");
    }
}

/// A damped Newton step along y, using the Hessian-vector product of the potential.
#[differentiable]
fn newton_step<F: Float>(x: F, y: F) -> F {
    let (_, (gx, gy), (hx, hy)) = potential_hvp(x, y, F::ZERO, F::ONE);
    let step = gy / (hy + F::from_f64(2.0));
    (y - step) * (y - step) + gx * hx
}

proptest! {
    #![proptest_config(common::config())]

    /// `g_hvp` inside differentiable code: both modes over it (third derivatives of the
    /// potential) against finite differences.
    #[test]
    fn derivatives_over_hessian_vector_products(x in -1.5f64..1.5, y in -1.5f64..1.5) {
        let (value, (dx, dy)) = newton_step_grad(x, y);
        prop_assert_eq!(value.to_bits(), newton_step(x, y).to_bits());
        let (fx, fy) = (fd(|x| newton_step(x, y), x), fd(|y| newton_step(x, y), y));
        prop_assert!(close(dx, fx, 1e-6), "∂x: {} vs {}", dx, fx);
        prop_assert!(close(dy, fy, 1e-6), "∂y: {} vs {}", dy, fy);
        let (_, t) = newton_step_jvp(x, 0.5, y, -1.0);
        prop_assert!(close(t, 0.5 * dx - dy, 1e-10), "forward {} vs reverse {}", t, 0.5 * dx - dy);
    }
}

/// A potential over a slice of positions, with a constant coupling `k`.
#[differentiable]
fn chain_potential<F: Float>(x: &[F], #[no_grad] k: F) -> F {
    let mut s = x[0] * x[0];
    for i in 1..x.len() {
        s += k * (x[i] - x[i - 1]).powi(2) + x[i].sin();
    }
    s
}

/// A gradient step on the potential of a slice by its vjp into a buffer of the caller's
/// (`g_vjp`, seeded with the step `h`), then the potential there and a weighted norm: the
/// outer reverse mode is reverse over reverse, the outer forward mode forward over reverse.
#[differentiable]
fn after_step(x: &[f64], h: f64) -> f64 {
    let mut g = vec![0.0; x.len()];
    let (e, ()) = chain_potential_vjp(x, &mut g, 2.0, h);
    let mut y = vec![0.0; x.len()];
    for i in 0..x.len() {
        y[i] = x[i] - g[i];
    }
    let mut s = e * h;
    for i in 0..x.len() {
        s += y[i] * y[i] * (i as f64 + 1.0);
    }
    s + 0.1 * chain_potential(&y, 2.0)
}

/// Two slices, a gradient added into a buffer that already holds one, in a loop.
#[differentiable]
fn pair_potential<F: Float>(x: &[F], y: &[F]) -> F {
    let mut s = F::ZERO;
    for i in 0..x.len() {
        s += (x[i] * y[i]).sin() + x[i] * x[i] * y[i];
    }
    s
}

#[differentiable]
fn pair_steps(x: &[f64], y: &[f64], #[no_grad] steps: usize) -> f64 {
    let mut gx = vec![0.0; x.len()];
    let mut gy = vec![0.0; y.len()];
    let mut total = 0.0;
    for k in 0..steps {
        let (e, ()) = pair_potential_vjp(x, &mut gx, y, &mut gy, 0.5 + k as f64);
        total += e;
        for i in 0..x.len() {
            total += gx[i] * gy[i] * 0.1;
        }
    }
    total
}

/// Directional derivatives of the potential of a slice by `g_jvp`, along a direction made
/// from `x` (active too) and changed after each call (the deferred call's copy), and along
/// data.
#[differentiable]
fn along(x: &[f64], #[no_grad] data: &[f64], #[no_grad] steps: usize) -> f64 {
    let mut d = vec![0.0; x.len()];
    for i in 0..x.len() {
        d[i] = x[i].sin();
    }
    let mut total = 0.0;
    for k in 0..steps {
        let (e, slope) = chain_potential_jvp(x, &d, 2.0);
        total += e * 0.1 + slope * (k as f64 + 1.0);
        d[0] += slope * 0.01;
    }
    let (_, on_data) = chain_potential_jvp(x, data, 0.5);
    total + on_data
}

mod slices {
    use super::*;

    array_property!(along, grad along_grad, vjp along_vjp, jvp along_jvp, [
        slice x in proptest::collection::vec(-1.0..1.0, 3),
        const slice data in proptest::collection::vec(-1.0..1.0, 3),
        const steps in 0usize..3
    ]);

    array_property!(after_step, grad after_step_grad, vjp after_step_vjp, jvp after_step_jvp, [
        slice x in proptest::collection::vec(-1.0..1.0, 1..5),
        h in -0.5..0.5
    ]);
    array_property!(pair_steps, grad pair_steps_grad, vjp pair_steps_vjp, jvp pair_steps_jvp, [
        slice x in proptest::collection::vec(-1.0..1.0, 3),
        slice y in proptest::collection::vec(-1.0..1.0, 3),
        const steps in 0usize..3
    ]);
}
