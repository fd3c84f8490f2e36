//! Loops and slices keep the derivatives allocation-free (issue 3): a counting global
//! allocator watches the companions of a dot product (an accumulator over two slices), a
//! Horner polynomial (a recurrence over a slice and a scalar) and a branchy scalar function.
//! `f_vjp` and `f_jvp` allocate nothing; `f_grad` allocates exactly the `Vec` it returns for
//! each slice parameter. A recurrence keeps its history on a stack whose buffer a thread
//! pools: the first call on a thread may allocate that buffer (a few times, as it grows, never
//! once per element), every later call reuses it.
//!
//! The counter is thread-local, so the harness and other test threads cannot add to it; a
//! claim about a thread's first call runs on a thread of its own.

// Index loops are the loops the macro differentiates (iterator chains are compile errors).
#![allow(clippy::needless_range_loop)]

use chainrule::prelude::*;
#[path = "common/counting.rs"]
mod counting;

use counting::{Counting, allocations};
use std::hint::black_box;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` on a new thread, whose buffer pool is empty.
fn on_fresh_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("the test thread panicked")
}

/// An accumulator: its adjoint needs no history.
#[differentiable]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[i];
    }
    s
}

/// A recurrence: its adjoint needs each step's `acc`.
#[differentiable]
fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

/// Branches as statements and expressions, `&&`, and a `match` on a constant.
#[differentiable]
fn branchy(x: f64, y: f64, n: i32) -> f64 {
    let mut r = if x > y && n > 0 { x * y } else { x + y };
    if r > 1.0 {
        r = r.ln() + 1.0;
    } else if r < -1.0 {
        r = -(-r).ln() - 1.0;
    }
    let s = match n {
        0 => r.sin(),
        1..=3 => r * r,
        _ => r.exp(),
    };
    s * x
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

/// The benchmark sizes: a dot product of 1,000 and a polynomial of degree 100.
fn inputs() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let w: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.37).sin()).collect();
    let x: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.11).cos()).collect();
    let c: Vec<f64> = (0..101).map(|i| 1.0 / (1.0 + i as f64)).collect();
    (w, x, c)
}

/// Horner's value and derivative, by hand.
fn horner_by_hand(c: &[f64], x: f64) -> (f64, f64) {
    let (mut p, mut dp) = (0.0, 0.0);
    for &ci in c.iter().rev() {
        dp = dp * x + p;
        p = p * x + ci;
    }
    (p, dp)
}

#[test]
fn the_counter_counts() {
    let (n, v) = allocations(|| black_box(vec![1.0f64; 4]));
    assert_eq!(n, 1, "a Vec allocation must be counted, or the zeros below prove nothing");
    assert_eq!(v.len(), 4);
    // Growth is counted too (as a reallocation), which is how a growing stack would show.
    let (n, v) = allocations(|| {
        let mut v = Vec::with_capacity(1);
        for i in 0..3 {
            v.push(black_box(i as f64));
        }
        v
    });
    assert_eq!((n, v.len()), (2, 3));
    // On another thread the count starts from its own zero.
    assert_eq!(on_fresh_thread(|| allocations(|| black_box(vec![0.0f64; 8])).0), 1);
}

#[test]
fn dot_vjp_and_jvp_do_not_allocate() {
    let (w, x, _) = inputs();
    let (mut dw, mut dx) = (vec![0.0; w.len()], vec![0.0; x.len()]);
    let expected: f64 = w.iter().zip(&x).map(|(a, b)| a * b).sum();

    // An accumulator keeps no history, so even a thread's first call allocates nothing.
    let first = {
        let (w, x) = (w.clone(), x.clone());
        on_fresh_thread(move || {
            let (mut dw, mut dx) = (vec![0.0; w.len()], vec![0.0; x.len()]);
            allocations(|| dot_vjp(&w, &mut dw, &x, &mut dx, 1.0)).0
        })
    };
    assert_eq!(first, 0);

    let (n, (value, ())) = allocations(|| dot_vjp(&w, &mut dw, &x, &mut dx, 2.0));
    assert_eq!(n, 0);
    assert!(close(value, expected), "{value} vs {expected}");
    assert!(dw.iter().zip(&x).all(|(&d, &xi)| close(d, 2.0 * xi)));
    assert!(dx.iter().zip(&w).all(|(&d, &wi)| close(d, 2.0 * wi)));

    // Tangent 1 on x[0] only: the derivative is w[0].
    let mut tx = vec![0.0; x.len()];
    tx[0] = 1.0;
    let tw = vec![0.0; w.len()];
    let (n, (value, tangent)) = allocations(|| dot_jvp(&w, &tw, &x, &tx));
    assert_eq!(n, 0);
    assert!(close(value, expected) && close(tangent, w[0]));
}

#[test]
fn horner_vjp_and_jvp_do_not_allocate_once_the_pool_is_filled() {
    let (_, _, c) = inputs();
    let x = black_box(0.9);
    let (p, dp) = horner_by_hand(&c, x);

    // The first call on a thread may allocate the history buffer, growing it a few times:
    // never once per coefficient. The second call reuses it.
    let (first, second) = {
        let c = c.clone();
        on_fresh_thread(move || {
            let mut dc = vec![0.0; c.len()];
            let first = allocations(|| horner_vjp(&c, &mut dc, x, 1.0)).0;
            let second = allocations(|| horner_vjp(&c, &mut dc, x, 1.0)).0;
            (first, second)
        })
    };
    assert!(first < 16, "{first} allocations for {} coefficients", c.len());
    assert_eq!(second, 0);

    let mut dc = vec![0.0; c.len()];
    horner_vjp(&c, &mut dc, x, 1.0);
    dc.fill(0.0);
    for _ in 0..3 {
        let (n, (value, dx)) = allocations(|| horner_vjp(&c, &mut dc, x, -1.5));
        assert_eq!(n, 0);
        assert!(close(value, p) && close(dx, -1.5 * dp), "{value} {dx} vs {p} {}", -1.5 * dp);
    }
    // ∂p/∂c[i] = xⁱ, added three times.
    assert!(dc.iter().enumerate().all(|(i, &d)| close(d, 3.0 * -1.5 * x.powi(i as i32))));

    let tc = vec![0.0; c.len()];
    let (n, (value, tangent)) = allocations(|| horner_jvp(&c, &tc, x, 1.0));
    assert_eq!(n, 0);
    assert!(close(value, p) && close(tangent, dp));
}

#[test]
fn branchy_derivatives_do_not_allocate() {
    // One point on each branch: (x, y, n, value, ∂x, ∂y).
    let e = std::f64::consts::E;
    let cases = [
        // x > y, n = 2: r = xy = 6 > 1, r' = ln r + 1 (dr'/dr = 1/6), s = r'², f = s x.
        (3.0, 2.0, 2, {
            let r = 6.0f64.ln() + 1.0;
            (r * r * 3.0, r * r + 3.0 * 2.0 * r * 2.0 / 6.0, 3.0 * 2.0 * r * 3.0 / 6.0)
        }),
        // n = 0: r = x + y = 0.5, no log, s = sin r.
        (0.2, 0.3, 0, (0.5f64.sin() * 0.2, 0.5f64.sin() + 0.2 * 0.5f64.cos(), 0.2 * 0.5f64.cos())),
        // n = 7: r = x + y = -e, r' = -ln(e) - 1 = -2 (dr'/dr = -1/r = 1/e), s = e⁻², f = s x.
        (-e, 0.0, 7, {
            let s = (-2.0f64).exp();
            (s * -e, s + -e * s / e, -e * s / e)
        }),
    ];
    let first = on_fresh_thread(move || allocations(|| branchy_vjp(3.0, 2.0, 2, 1.0)).0);
    assert_eq!(first, 0);
    for (x, y, n, (value, dx, dy)) in cases {
        let (count, (v, (gx, gy))) = allocations(|| branchy_grad(x, y, n));
        assert_eq!(count, 0);
        assert!(close(v, value) && close(gx, dx) && close(gy, dy), "n = {n}: {v} {gx} {gy} vs {value} {dx} {dy}");

        let (count, (v, (gx, gy))) = allocations(|| branchy_vjp(x, y, n, 0.5));
        assert_eq!(count, 0);
        assert!(close(v, value) && close(gx, 0.5 * dx) && close(gy, 0.5 * dy));

        let (count, (v, t)) = allocations(|| branchy_jvp(x, 1.0, y, -1.0, n));
        assert_eq!(count, 0);
        assert!(close(v, value) && close(t, dx - dy));
    }
}

#[test]
fn grad_allocates_only_the_returned_vecs() {
    let (w, x, c) = inputs();

    // One Vec per slice parameter, nothing else.
    let (n, (value, (dw, dx))) = allocations(|| dot_grad(&w, &x));
    assert_eq!(n, 2);
    assert!(close(value, w.iter().zip(&x).map(|(a, b)| a * b).sum()));
    assert_eq!((dw, dx), (x.clone(), w.clone()));

    // After a first call has filled the pool, only the Vec for `c`.
    let xp = black_box(0.9);
    horner_grad(&c, xp);
    let (n, (value, (dc, dxp))) = allocations(|| horner_grad(&c, xp));
    assert_eq!(n, 1);
    let (p, dp) = horner_by_hand(&c, xp);
    assert!(close(value, p) && close(dxp, dp));
    assert_eq!(dc.len(), c.len());
    assert!(dc.iter().enumerate().all(|(i, &d)| close(d, xp.powi(i as i32))));

    // No slice parameter, no Vec.
    let (n, _) = allocations(|| branchy_grad(0.2, 0.3, 0));
    assert_eq!(n, 0);
}

/// A loop calling a `#[derivative]` primitive keeps each call's pullback on a pooled stack:
/// after the thread's first call, the vjp allocates nothing.
#[differentiable]
fn sum_sigmoid(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += sigmoid(x[i]);
    }
    s
}

#[test]
fn pullbacks_of_calls_in_a_loop_reuse_a_pooled_buffer() {
    let x: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.01).sin()).collect();
    let mut dx = vec![0.0; 1000];
    sum_sigmoid_vjp(&x, &mut dx, 1.0);
    dx.fill(0.0);
    let (n, (value, ())) = allocations(|| sum_sigmoid_vjp(black_box(&x), &mut dx, 1.0));
    assert_eq!(n, 0, "allocations in a warm vjp");
    let expected: f64 = x.iter().map(|&v| sigmoid(v)).sum();
    assert!((value - expected).abs() < 1e-9);
    assert!(dx.iter().zip(&x).all(|(d, &v)| (d - sigmoid_grad(v).1).abs() < 1e-15));
}
