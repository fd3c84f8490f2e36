//! Issue 3's benchmarks (and issue 15's Rosenbrock, and a branching recursion): loops over slices, each as primal, the generated `f_vjp` and a
//! hand-written gradient, in one criterion group per function so the three are measured in
//! the same run. `python3 benches/ratios.py` prints the ratios from criterion's estimates.
//!
//! The hand-written gradients are what a careful engineer writes: one forward pass that keeps
//! only what the backward pass needs, no allocation where none is needed, the known
//! simplifications (softmax's gradient is `p - onehot`).

// Index loops are the loops the macro differentiates; the hand-written code matches them.
#![allow(clippy::needless_range_loop)]

use chainrule::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

// ---- dot product, n = 1000: an accumulator, which stores no history ----

#[differentiable]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += w[i] * x[i];
    }
    s
}

fn dot_hand(w: &[f64], dw: &mut [f64], x: &[f64], dx: &mut [f64], seed: f64) -> f64 {
    let n = x.len();
    let (w, dw, dx) = (&w[..n], &mut dw[..n], &mut dx[..n]);
    let mut s = 0.0;
    for i in 0..n {
        s += w[i] * x[i];
    }
    for i in 0..n {
        dw[i] += seed * x[i];
        dx[i] += seed * w[i];
    }
    s
}

// ---- Horner polynomial, degree 100 ----

#[differentiable]
fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

/// p(x) = Σ cᵢ xⁱ: ∂p/∂cᵢ = xⁱ, and p'(x) by a second Horner recurrence in the same pass.
fn horner_hand(c: &[f64], dc: &mut [f64], x: f64, seed: f64) -> (f64, f64) {
    let n = c.len();
    let mut acc = 0.0;
    let mut dacc = 0.0;
    for i in (0..n).rev() {
        dacc = dacc * x + acc;
        acc = acc * x + c[i];
    }
    let mut power = seed;
    for d in dc[..n].iter_mut() {
        *d += power;
        power *= x;
    }
    (acc, seed * dacc)
}

// ---- softmax followed by cross-entropy, n = 100 ----

/// The maximum only shifts the exponentials: `stop_gradient` says the result does not depend
/// on it (as JAX's `logsumexp` does), the identity the hand-written gradient also uses.
#[differentiable]
fn softmax_cross_entropy(z: &[f64], #[no_grad] label: usize) -> f64 {
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

/// The textbook gradient: softmax(z) − onehot(label), from one buffer of exponentials.
fn softmax_cross_entropy_hand(z: &[f64], dz: &mut [f64], label: usize, seed: f64) -> f64 {
    let n = z.len();
    let mut m = z[0];
    for i in 1..n {
        m = m.max(z[i]);
    }
    let mut e = [0.0; 128];
    let mut s = 0.0;
    for i in 0..n {
        e[i] = (z[i] - m).exp();
        s += e[i];
    }
    let scale = seed / s;
    for i in 0..n {
        dz[i] += scale * e[i];
    }
    dz[label] -= seed;
    s.ln() + m - z[label]
}

// ---- dense layer 64 → 32: out[j] = sigmoid(Σᵢ w[j][i] x[i] + b[j]) ----

const IN: usize = 64;
const OUT: usize = 32;

#[differentiable]
fn dense(w: &[f64], x: &[f64], b: &[f64], out: &mut [f64]) {
    let n = x.len();
    for j in 0..out.len() {
        let mut s = b[j];
        for i in 0..n {
            s += w[j * n + i] * x[i];
        }
        out[j] = sigmoid(s);
    }
}

#[allow(clippy::too_many_arguments)]
fn dense_hand(
    w: &[f64],
    dw: &mut [f64],
    x: &[f64],
    dx: &mut [f64],
    b: &[f64],
    db: &mut [f64],
    out: &mut [f64],
    dout: &mut [f64],
) {
    let n = x.len();
    for j in 0..out.len() {
        let row = &w[j * n..(j + 1) * n];
        let mut s = b[j];
        for i in 0..n {
            s += row[i] * x[i];
        }
        out[j] = sigmoid(s);
    }
    for j in 0..out.len() {
        let g = dout[j] * out[j] * (1.0 - out[j]);
        dout[j] = 0.0;
        db[j] += g;
        let (row, drow) = (&w[j * n..(j + 1) * n], &mut dw[j * n..(j + 1) * n]);
        for i in 0..n {
            drow[i] += g * x[i];
            dx[i] += g * row[i];
        }
    }
}

// ---- recurrence, n = 1000: y = tanh(y · a[i] + b[i]), which keeps its history ----

#[differentiable]
fn recurrence(a: &[f64], b: &[f64], y0: f64) -> f64 {
    let mut y = y0;
    for i in 0..a.len() {
        y = (y * a[i] + b[i]).tanh();
    }
    y
}

/// The history of `y` is kept in a buffer the caller owns and reuses, as a careful
/// hand-written gradient would.
fn recurrence_hand(
    a: &[f64],
    da: &mut [f64],
    b: &[f64],
    db: &mut [f64],
    y0: f64,
    seed: f64,
    ys: &mut Vec<f64>,
) -> (f64, f64) {
    let n = a.len();
    ys.clear();
    ys.push(y0);
    let mut y = y0;
    for i in 0..n {
        y = (y * a[i] + b[i]).tanh();
        ys.push(y);
    }
    let mut dy = seed;
    for i in (0..n).rev() {
        let t = dy * (1.0 - ys[i + 1] * ys[i + 1]);
        da[i] += t * ys[i];
        db[i] += t;
        dy = t * a[i];
    }
    (y, dy)
}

// ---- extended Rosenbrock over a slice, n = 100 (issue 15, item 10) ----

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

/// Everything in one forward loop: each term's partial along `x[i + 1]` carried in a register
/// to the next iteration (adding it into `dx[i + 1]` at once would make every iteration wait
/// for the store of the one before).
fn rosenbrock_hand(x: &[f64], dx: &mut [f64], seed: f64) -> f64 {
    let n = x.len();
    let dx = &mut dx[..n];
    let (mut s, mut carried) = (0.0, 0.0);
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        dx[i] += seed * (-400.0 * a * x[i] - 2.0 * b) + carried;
        carried = seed * 200.0 * a;
    }
    dx[n - 1] += carried;
    s
}

// ---- determinant by expansion in minors, 7×7: a recursion that branches (GradBench's det) ----

/// The minor of `a` (n×n) whose rows are `r[n]`, `r[r[n]]`, … and columns `c[n]`, …, of size `m`.
#[differentiable]
fn det_minors(
    a: &[f64],
    #[no_grad] n: usize,
    #[no_grad] m: usize,
    #[no_grad] r: &mut [usize],
    #[no_grad] c: &mut [usize],
) -> f64 {
    let r0 = r[n];
    let mut cj = c[n];
    if m == 1 {
        return a[r0 * n + cj];
    }
    let (mut det, mut sign) = (0.0, 1.0);
    r[n] = r[r0];
    let mut cj1 = n;
    for _ in 0..m {
        let m0j = a[r0 * n + cj];
        c[cj1] = c[cj];
        let det_s = det_minors(a, n, m - 1, r, c);
        c[cj1] = cj;
        det += sign * m0j * det_s;
        cj1 = cj;
        cj = c[cj];
        sign = -sign;
    }
    r[n] = r0;
    det
}

/// The same recursion with the seed passed down: each element's partial added as the
/// recursion reaches it, the value and the gradient in one pass.
fn det_minors_hand(a: &[f64], da: &mut [f64], n: usize, m: usize, r: &mut [usize], c: &mut [usize], seed: f64) -> f64 {
    let r0 = r[n];
    let mut cj = c[n];
    if m == 1 {
        da[r0 * n + cj] += seed;
        return a[r0 * n + cj];
    }
    let (mut det, mut sign) = (0.0, 1.0);
    r[n] = r[r0];
    let mut cj1 = n;
    for _ in 0..m {
        let m0j = a[r0 * n + cj];
        c[cj1] = c[cj];
        let det_s = det_minors_hand(a, da, n, m - 1, r, c, seed * sign * m0j);
        c[cj1] = cj;
        da[r0 * n + cj] += seed * sign * det_s;
        det += sign * m0j * det_s;
        cj1 = cj;
        cj = c[cj];
        sign = -sign;
    }
    r[n] = r0;
    det
}

/// The row and column lists of the whole n×n matrix.
fn whole(n: usize) -> Vec<usize> {
    let mut list: Vec<usize> = (1..=n).collect();
    list.push(0);
    list
}

fn data(n: usize, phase: f64) -> Vec<f64> {
    (0..n).map(|i| ((i as f64 + phase) * 0.37).sin()).collect()
}

fn benches(c: &mut Criterion) {
    let (w, x) = (data(1000, 0.0), data(1000, 1.0));
    let (mut dw, mut dx) = (vec![0.0; 1000], vec![0.0; 1000]);
    let mut g = c.benchmark_group("dot");
    g.bench_function("primal", |bench| bench.iter(|| dot(black_box(&w), black_box(&x))));
    g.bench_function("vjp", |bench| bench.iter(|| dot_vjp(black_box(&w), &mut dw, black_box(&x), &mut dx, 1.0)));
    g.bench_function("hand", |bench| bench.iter(|| dot_hand(black_box(&w), &mut dw, black_box(&x), &mut dx, 1.0)));
    g.finish();

    let coefficients = data(101, 2.0);
    let mut dc = vec![0.0; 101];
    let mut g = c.benchmark_group("horner");
    g.bench_function("primal", |bench| bench.iter(|| horner(black_box(&coefficients), black_box(0.9))));
    g.bench_function("vjp", |bench| bench.iter(|| horner_vjp(black_box(&coefficients), &mut dc, black_box(0.9), 1.0)));
    g.bench_function("hand", |bench| {
        bench.iter(|| horner_hand(black_box(&coefficients), &mut dc, black_box(0.9), 1.0))
    });
    g.finish();

    let z: Vec<f64> = data(100, 3.0).iter().map(|v| 4.0 * v).collect();
    let mut dz = vec![0.0; 100];
    let mut g = c.benchmark_group("softmax_cross_entropy");
    g.bench_function("primal", |bench| bench.iter(|| softmax_cross_entropy(black_box(&z), black_box(7))));
    g.bench_function("vjp", |bench| {
        bench.iter(|| softmax_cross_entropy_vjp(black_box(&z), &mut dz, black_box(7), 1.0))
    });
    g.bench_function("hand", |bench| {
        bench.iter(|| softmax_cross_entropy_hand(black_box(&z), &mut dz, black_box(7), 1.0))
    });
    g.finish();

    let (w, x, b) = (data(IN * OUT, 4.0), data(IN, 5.0), data(OUT, 6.0));
    let (mut dw, mut dx, mut db) = (vec![0.0; IN * OUT], vec![0.0; IN], vec![0.0; OUT]);
    let (mut out, mut dout) = (vec![0.0; OUT], vec![0.0; OUT]);
    let mut g = c.benchmark_group("dense");
    g.bench_function("primal", |bench| bench.iter(|| dense(black_box(&w), black_box(&x), black_box(&b), &mut out)));
    g.bench_function("vjp", |bench| {
        bench.iter(|| {
            dout.fill(1.0);
            dense_vjp(black_box(&w), &mut dw, black_box(&x), &mut dx, black_box(&b), &mut db, &mut out, &mut dout)
        })
    });
    g.bench_function("hand", |bench| {
        bench.iter(|| {
            dout.fill(1.0);
            dense_hand(black_box(&w), &mut dw, black_box(&x), &mut dx, black_box(&b), &mut db, &mut out, &mut dout)
        })
    });
    g.finish();

    let x = data(100, 9.0);
    let mut dx = vec![0.0; 100];
    let mut g = c.benchmark_group("rosenbrock");
    g.bench_function("primal", |bench| bench.iter(|| rosenbrock(black_box(&x))));
    g.bench_function("vjp", |bench| bench.iter(|| rosenbrock_vjp(black_box(&x), &mut dx, 1.0)));
    g.bench_function("hand", |bench| bench.iter(|| rosenbrock_hand(black_box(&x), &mut dx, 1.0)));
    g.finish();

    let a: Vec<f64> = data(1000, 7.0).iter().map(|v| 0.5 + 0.4 * v).collect();
    let bias = data(1000, 8.0);
    let (mut da, mut db) = (vec![0.0; 1000], vec![0.0; 1000]);
    let mut history = Vec::with_capacity(1001);
    let mut g = c.benchmark_group("recurrence");
    g.bench_function("primal", |bench| bench.iter(|| recurrence(black_box(&a), black_box(&bias), black_box(0.3))));
    g.bench_function("vjp", |bench| {
        bench.iter(|| recurrence_vjp(black_box(&a), &mut da, black_box(&bias), &mut db, black_box(0.3), 1.0))
    });
    g.bench_function("hand", |bench| {
        bench.iter(|| {
            recurrence_hand(black_box(&a), &mut da, black_box(&bias), &mut db, black_box(0.3), 1.0, &mut history)
        })
    });
    g.finish();

    let a = data(49, 10.0);
    let (mut r, mut cols, mut da) = (whole(7), whole(7), vec![0.0; 49]);
    let mut g = c.benchmark_group("det_minors");
    g.bench_function("primal", |bench| bench.iter(|| det_minors(black_box(&a), 7, 7, &mut r, &mut cols)));
    g.bench_function("vjp", |bench| {
        bench.iter(|| det_minors_vjp(black_box(&a), &mut da, 7, 7, &mut r, &mut cols, 1.0))
    });
    g.bench_function("hand", |bench| {
        bench.iter(|| det_minors_hand(black_box(&a), &mut da, 7, 7, &mut r, &mut cols, 1.0))
    });
    g.finish();
}

/// The gradients agree with the hand-written ones before anything is timed.
fn check() {
    let (w, x) = (data(50, 0.0), data(50, 1.0));
    let (mut a, mut b) = (vec![0.0; 50], vec![0.0; 50]);
    let (mut c2, mut d2) = (vec![0.0; 50], vec![0.0; 50]);
    let v = dot_vjp(&w, &mut a, &x, &mut b, 1.5).0;
    let h = dot_hand(&w, &mut c2, &x, &mut d2, 1.5);
    assert!((v - h).abs() < 1e-12 && a == c2 && b == d2, "dot");
    let z: Vec<f64> = data(100, 3.0).iter().map(|v| 4.0 * v).collect();
    let (mut g1, mut g2) = (vec![0.0; 100], vec![0.0; 100]);
    softmax_cross_entropy_vjp(&z, &mut g1, 7, 1.0);
    softmax_cross_entropy_hand(&z, &mut g2, 7, 1.0);
    assert!(g1.iter().zip(&g2).all(|(p, q)| (p - q).abs() < 1e-12), "softmax");
    let c = data(101, 2.0);
    let (mut g1, mut g2) = (vec![0.0; 101], vec![0.0; 101]);
    let dx1 = horner_vjp(&c, &mut g1, 0.9, 1.0).1;
    let dx2 = horner_hand(&c, &mut g2, 0.9, 1.0).1;
    assert!((dx1 - dx2).abs() < 1e-9 && g1.iter().zip(&g2).all(|(p, q)| (p - q).abs() < 1e-12), "horner");
    let x = data(100, 9.0);
    let (mut g1, mut g2) = (vec![0.0; 100], vec![0.0; 100]);
    let (v1, ()) = rosenbrock_vjp(&x, &mut g1, 1.5);
    let v2 = rosenbrock_hand(&x, &mut g2, 1.5);
    assert!(v1 == v2 && g1.iter().zip(&g2).all(|(p, q)| (p - q).abs() < 1e-9 * (1.0 + q.abs())), "rosenbrock");
    let a = data(49, 10.0);
    let (mut r, mut c) = (whole(7), whole(7));
    let (mut g1, mut g2) = (vec![0.0; 49], vec![0.0; 49]);
    let (v1, ()) = det_minors_vjp(&a, &mut g1, 7, 7, &mut r, &mut c, 1.5);
    let v2 = det_minors_hand(&a, &mut g2, 7, 7, &mut r, &mut c, 1.5);
    assert!(v1 == v2 && g1.iter().zip(&g2).all(|(p, q)| (p - q).abs() < 1e-9 * (1.0 + q.abs())), "det_minors");
}

fn all(c: &mut Criterion) {
    check();
    benches(c);
}

criterion_group!(loops, all);
criterion_main!(loops);
