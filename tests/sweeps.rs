//! `f_vjp` running a summing loop together with its adjoint, one sweep instead of two
//! (`reverse/fused.rs`): the shapes it takes, and the shapes next to them it must leave to the
//! two sweeps (a recurrence, a scalar the loop overwrites, a result used nonlinearly, an
//! accumulator read elsewhere). Each is checked against finite differences and forward mode,
//! and the fused gradient against the pullback's, which keeps two sweeps.

// Index loops are what this is about.
#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::prelude::*;
use proptest::collection::vec;

/// Fused: an accumulator, then returned. The extended Rosenbrock function, and the same
/// with its offset a parameter, which the registers (`views/windows.rs`) do not take: their
/// gradients must agree bit for bit, in one sweep (the registers walked forwards) and in two
/// (backwards, through the pullback).
#[differentiable]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiable]
fn rosenbrock_by(x: &[f64], #[no_grad] one: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - one {
        let a = x[i + one] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// A caller that does not differentiate the slice: the callee's registers are not stored
/// into the buffer lent for its adjoint.
#[differentiable]
fn scaled_rosenbrock(w: f64, #[no_grad] x: &[f64]) -> f64 {
    w * rosenbrock(x)
}

#[test]
fn registers_give_the_sums_memory_gave() {
    for n in 2..12 {
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin() * 1.3).collect();
        let (v1, g1) = rosenbrock_grad(&x);
        let (v2, g2) = rosenbrock_by_grad(&x, 1);
        assert_eq!(v1.to_bits(), v2.to_bits());
        let bits = |g: &[f64]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&g1), bits(&g2), "n = {n}, one sweep");
        let p1 = two_sweeps(&x, rosenbrock::pullback(&x).1);
        let mut p2 = vec![0.0; n];
        let ((), ()) = rosenbrock_by::pullback(&x, 1).1(1.0, (&mut p2, ()));
        assert_eq!(bits(&p1), bits(&p2), "n = {n}, two sweeps");
        // The closed form at a point: ∂/∂x₀ = −400 x₀ (x₁ − x₀²) − 2 (1 − x₀).
        let d0 = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
        assert!((g1[0] - d0).abs() <= 1e-12 * d0.abs().max(1.0), "{} vs {d0}", g1[0]);
        let (v3, dw) = scaled_rosenbrock_grad(2.0, &x);
        assert_eq!(((2.0 * v1).to_bits(), dw.to_bits()), (v3.to_bits(), v1.to_bits()));
    }
}

/// Fused: a value from before the loop read in it (its adjoint summed there, then passed on
/// to `w`), a subtraction, a branch, and the sum scaled after the loop.
#[differentiable]
fn weighted(x: &[f64], w: f64) -> f64 {
    let c = (0.5 * w).exp();
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] > 0.0 {
            s += c * x[i] * x[i];
        } else {
            s -= (c * x[i]).sin();
        }
    }
    s / x.len() as f64
}

/// Fused: offsets 0, 1 and 2 from a loop starting at 1 (empty for three elements), and an
/// inner loop.
#[differentiable]
fn stencil(x: &[f64], a: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 1..n - 2 {
        let mut t = 0.0;
        for j in 0..a.len() {
            t += a[j] * x[i + 1];
        }
        s += x[i] * x[i + 2] - (x[i + 1] * t).cos();
    }
    s
}

/// Fused: two accumulators, a tuple result.
#[differentiable]
fn moments(x: &[f64]) -> (f64, f64) {
    let mut s = 0.0;
    let mut q = 0.0;
    for i in 0..x.len() {
        s += x[i];
        q += x[i] * x[i].exp();
    }
    (s, q)
}

#[differentiable]
fn sq(d: f64) -> f64 {
    d * d
}

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// Fused: a helper called in the loop on values (its pullback pushed and popped in each
/// iteration) and one on sub-slices (made again in the iteration's adjoint).
#[differentiable]
fn fit(w: &[f64], #[no_grad] x: &[f64], #[no_grad] y: &[f64]) -> f64 {
    let d = w.len();
    let mut s = 0.0;
    for i in 0..y.len() {
        let p = dot(w, &x[i * d..(i + 1) * d]);
        s += sq(p - y[i]) + 0.1 * sq(w[i % d]);
    }
    s / y.len() as f64
}

/// Not fused: a recurrence.
#[differentiable]
fn recurrence(x: &[f64], y0: f64) -> f64 {
    let mut y = y0;
    for i in 0..x.len() {
        y = (y * x[i]).sin() + y;
    }
    y
}

/// Not fused: `last` is overwritten, not summed; only the last iteration's adjoint gets it.
#[differentiable]
fn overwritten(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut last = 0.0;
    for i in 0..x.len() {
        s += x[i].sin();
        last = x[i] * x[i];
    }
    s + 3.0 * last
}

/// Not fused: the sum's adjoint depends on the sum.
#[differentiable]
fn squared_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].sin();
    }
    s * s
}

/// Not fused: the running sum read again in the loop.
#[differentiable]
fn compounding(x: &[f64]) -> f64 {
    let mut s = 1.0;
    for i in 0..x.len() {
        s += x[i] * s;
    }
    s
}

/// `f`'s gradient through its pullback (two sweeps), to hold against `f_vjp`'s.
fn two_sweeps(x: &[f64], pullback: impl FnOnce(f64, (&mut [f64],)) -> ((),)) -> Vec<f64> {
    let mut dx = vec![0.0; x.len()];
    let ((),) = pullback(1.0, (&mut dx,));
    dx
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-13 * (1.0 + x.abs().max(y.abs())))
}

#[test]
fn one_sweep_gives_the_gradient_of_two() {
    for n in 3..10 {
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.9 + 0.2).sin() * 1.4).collect();
        let (value, g) = rosenbrock_grad(&x);
        let (v2, pb) = rosenbrock::pullback(&x);
        assert_eq!(value.to_bits(), v2.to_bits());
        assert_eq!(value.to_bits(), rosenbrock(&x).to_bits());
        assert!(close(&g, &two_sweeps(&x, pb)), "n = {n}: {g:?}");
        // The closed form: ∂/∂xᵢ = −400 xᵢ (xᵢ₊₁ − xᵢ²) − 2 (1 − xᵢ) + 200 (xᵢ − xᵢ₋₁²).
        for i in 0..n {
            let mut d = 0.0;
            if i + 1 < n {
                d += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) - 2.0 * (1.0 - x[i]);
            }
            if i > 0 {
                d += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
            }
            assert!((g[i] - d).abs() <= 1e-12 * (1.0 + d.abs()), "n = {n}, i = {i}: {} vs {d}", g[i]);
        }
        let xs: Vec<f64> = (0..4).map(|i| x[i % n] * 0.5 + 0.1).collect();
        let (w, ys) = ([0.4, -0.9], &x[..2]);
        let ((f1, g1), (f2, pb)) = (fit_grad(&w, &xs, ys), fit::pullback(&w, &xs, ys));
        let mut dw = vec![0.0; 2];
        let ((), (), ()) = pb(1.0, (&mut dw, (), ()));
        assert!(f1.to_bits() == f2.to_bits() && close(&g1, &dw), "n = {n}: {g1:?} vs {dw:?}");
        let (s, pb) = stencil::pullback(&x, &[0.3, -0.7]);
        let (s2, (gx, _)) = stencil_grad(&x, &[0.3, -0.7]);
        let (mut dx, mut da) = (vec![0.0; n], vec![0.0; 2]);
        let ((), ()) = pb(1.0, (&mut dx, &mut da));
        assert!(s.to_bits() == s2.to_bits() && close(&gx, &dx), "n = {n}");
    }
}

#[test]
fn the_shadows_are_added_into() {
    let x = [0.3, -1.1, 0.8, 2.0];
    let mut dx = [1.0, 2.0, 3.0, 4.0];
    let (_, ()) = rosenbrock_vjp(&x, &mut dx, 0.5);
    let (_, g) = rosenbrock_grad(&x);
    for i in 0..4 {
        let want = (i + 1) as f64 + 0.5 * g[i];
        assert!((dx[i] - want).abs() <= 1e-12 * want.abs(), "{i}: {} vs {want}", dx[i]);
    }
}

mod properties {
    use super::*;

    array_property!(rosenbrock, grad rosenbrock_grad, vjp rosenbrock_vjp, jvp rosenbrock_jvp, [
        slice x in vec(-1.5..1.5, 2..9)
    ]);
    array_property!(rosenbrock_by, grad rosenbrock_by_grad, vjp rosenbrock_by_vjp, jvp rosenbrock_by_jvp, [
        slice x in vec(-1.0..1.0, 3..9),
        const one in 1usize..3
    ]);
    array_property!(weighted, grad weighted_grad, vjp weighted_vjp, jvp weighted_jvp, [
        slice x in vec(-1.5..1.5, 1..9),
        w in -1.0..1.0
    ]);
    array_property!(stencil, grad stencil_grad, vjp stencil_vjp, jvp stencil_jvp, [
        slice x in vec(-1.5..1.5, 3..9),
        slice a in vec(-1.0..1.0, 0..3)
    ]);
    array_property!(moments, vjp moments_vjp, jvp moments_jvp, [
        slice x in vec(-1.5..1.5, 0..9)
    ]);
    array_property!(fit, grad fit_grad, vjp fit_vjp, jvp fit_jvp, [
        slice w in vec(-1.0..1.0, 2),
        const slice x in vec(-1.5..1.5, 8),
        const slice y in vec(-1.0..1.0, 0..5)
    ]);
    array_property!(recurrence, grad recurrence_grad, vjp recurrence_vjp, jvp recurrence_jvp, [
        slice x in vec(-1.5..1.5, 0..9),
        y0 in -1.0..1.0
    ]);
    array_property!(overwritten, grad overwritten_grad, vjp overwritten_vjp, jvp overwritten_jvp, [
        slice x in vec(-1.5..1.5, 0..9)
    ]);
    array_property!(squared_sum, grad squared_sum_grad, vjp squared_sum_vjp, jvp squared_sum_jvp, [
        slice x in vec(-1.5..1.5, 0..9)
    ]);
    array_property!(compounding, grad compounding_grad, vjp compounding_vjp, jvp compounding_jvp, [
        slice x in vec(-1.5..1.5, 0..9)
    ]);
}
