//! What each construct costs: the same computation written twice, both `#[differentiable]`,
//! once with the construct (`natural`) and once flattened by hand into index loops over slices
//! (`flat`), and the two gradients timed in one criterion group per construct. The arithmetic
//! is the same; a ratio natural/flat above 1 is what the construct's generated code adds.
//! `python3 benches/ratios.py --constructs` prints natural/flat per construct.
//!
//! - `struct`: a 2-layer MLP's loss over a `#[derive(Differentiable)]` struct against the same
//!   loss over its four parameters as slices and a float.
//! - `iter`: a dot product and a sum of squares as iterator reductions against index loops.
//! - `subslice`: a k-means cost calling `dist2` on sub-slices against the loop inlined.
//! - `tuple`: a tuple returned by a differentiable call (`let (s, c) = sincos(t)`) in a loop
//!   against `t.sin()` and `t.cos()` inlined.
//!
//! - `rows`: 3×3 rotations of points through `[[f64; 3]; 3]` (a rows parameter by value, a
//!   local of rows written per point) against the same over row-major slices.
//!
//! Not measured here: `&[Vec<f64>]` parameters, which the generated code copies into one flat
//! slice on entry (rows of their own lengths), a cost linear in their size.

// Index loops are the loops the macro differentiates; the flat versions are written with them.
#![allow(clippy::needless_range_loop)]

use chainrule::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn data(n: usize, phase: f64) -> Vec<f64> {
    (0..n).map(|i| ((i as f64 + phase) * 0.37).sin()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-10 * (1.0 + a.abs().max(b.abs()))
}

fn all_close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y))
}

// ---- struct: a 2-layer MLP, 16 inputs → 32 tanh units → 1, squared error over a batch of 4 ----

const INPUTS: usize = 16;
const HIDDEN: usize = 32;
const BATCH: usize = 4;

#[derive(Differentiable, Clone)]
struct Mlp {
    w1: Vec<f64>, // HIDDEN × INPUTS, row-major
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: f64,
}

#[differentiable]
fn mlp_loss(m: &Mlp, #[no_grad] x: &[f64], #[no_grad] y: &[f64]) -> f64 {
    let n = m.w1.len() / m.b1.len();
    let mut loss = 0.0;
    for r in 0..y.len() {
        let mut out = m.b2;
        for j in 0..m.b1.len() {
            let mut s = m.b1[j];
            for i in 0..n {
                s += m.w1[j * n + i] * x[r * n + i];
            }
            out += m.w2[j] * s.tanh();
        }
        let e = out - y[r];
        loss += e * e;
    }
    loss
}

#[differentiable]
fn mlp_loss_flat(w1: &[f64], b1: &[f64], w2: &[f64], b2: f64, #[no_grad] x: &[f64], #[no_grad] y: &[f64]) -> f64 {
    let n = w1.len() / b1.len();
    let mut loss = 0.0;
    for r in 0..y.len() {
        let mut out = b2;
        for j in 0..b1.len() {
            let mut s = b1[j];
            for i in 0..n {
                s += w1[j * n + i] * x[r * n + i];
            }
            out += w2[j] * s.tanh();
        }
        let e = out - y[r];
        loss += e * e;
    }
    loss
}

fn mlp() -> (Mlp, Vec<f64>, Vec<f64>) {
    let m = Mlp {
        w1: data(HIDDEN * INPUTS, 1.0).iter().map(|v| 0.3 * v).collect(),
        b1: data(HIDDEN, 2.0).iter().map(|v| 0.1 * v).collect(),
        w2: data(HIDDEN, 3.0).iter().map(|v| 0.3 * v).collect(),
        b2: 0.05,
    };
    (m, data(BATCH * INPUTS, 4.0), data(BATCH, 5.0))
}

fn check_struct() {
    let (m, x, y) = mlp();
    let mut g = m.zeros_like();
    let (v1, ()) = mlp_loss_vjp(&m, &mut g, &x, &y, 1.0);
    let (mut dw1, mut db1, mut dw2) = (vec![0.0; m.w1.len()], vec![0.0; m.b1.len()], vec![0.0; m.w2.len()]);
    let (v2, db2) = mlp_loss_flat_vjp(&m.w1, &mut dw1, &m.b1, &mut db1, &m.w2, &mut dw2, m.b2, &x, &y, 1.0);
    assert!(close(v1, mlp_loss(&m, &x, &y)) && close(v1, v2), "struct: value {v1} vs {v2}");
    assert!(all_close(&g.w1, &dw1) && all_close(&g.b1, &db1), "struct: w1, b1");
    assert!(all_close(&g.w2, &dw2) && close(g.b2, db2), "struct: w2, b2");
    assert!(g.b2 != 0.0 && g.w1.iter().any(|v| *v != 0.0), "struct: the gradient is not trivial");
}

fn bench_struct(c: &mut Criterion) {
    check_struct();
    let (m, x, y) = mlp();
    let mut grad = m.zeros_like();
    let (mut dw1, mut db1, mut dw2) = (vec![0.0; m.w1.len()], vec![0.0; m.b1.len()], vec![0.0; m.w2.len()]);
    let mut g = c.benchmark_group("construct_struct");
    g.bench_function("natural", |b| b.iter(|| mlp_loss_vjp(black_box(&m), &mut grad, black_box(&x), &y, 1.0)));
    g.bench_function("flat", |b| {
        b.iter(|| {
            mlp_loss_flat_vjp(
                black_box(&m.w1),
                &mut dw1,
                black_box(&m.b1),
                &mut db1,
                black_box(&m.w2),
                &mut dw2,
                black_box(m.b2),
                black_box(&x),
                &y,
                1.0,
            )
        })
    });
    g.finish();
}

// ---- iter: a dot product plus half a sum of squares, n = 1000 ----

#[differentiable]
fn iter_natural(w: &[f64], x: &[f64]) -> f64 {
    let dot: f64 = w.iter().zip(x).map(|(a, b)| a * b).sum();
    let squares: f64 = w.iter().map(|a| a * a).sum();
    dot + 0.5 * squares
}

#[differentiable]
fn iter_flat(w: &[f64], x: &[f64]) -> f64 {
    let n = w.len();
    let mut dot = 0.0;
    for i in 0..n {
        dot += w[i] * x[i];
    }
    let mut squares = 0.0;
    for i in 0..n {
        squares += w[i] * w[i];
    }
    dot + 0.5 * squares
}

fn check_iter(w: &[f64], x: &[f64]) {
    let n = w.len();
    let (mut dw1, mut dx1, mut dw2, mut dx2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (v1, ()) = iter_natural_vjp(w, &mut dw1, x, &mut dx1, 1.0);
    let (v2, ()) = iter_flat_vjp(w, &mut dw2, x, &mut dx2, 1.0);
    assert!(close(v1, iter_flat(w, x)) && close(v1, v2), "iter: value {v1} vs {v2}");
    assert!(all_close(&dw1, &dw2) && all_close(&dx1, &dx2), "iter: dw, dx");
}

fn bench_iter(c: &mut Criterion) {
    let (w, x) = (data(1000, 6.0), data(1000, 7.0));
    check_iter(&w, &x);
    let (mut dw, mut dx) = (vec![0.0; 1000], vec![0.0; 1000]);
    let mut g = c.benchmark_group("construct_iter");
    g.bench_function("natural", |b| b.iter(|| iter_natural_vjp(black_box(&w), &mut dw, black_box(&x), &mut dx, 1.0)));
    g.bench_function("flat", |b| b.iter(|| iter_flat_vjp(black_box(&w), &mut dw, black_box(&x), &mut dx, 1.0)));
    g.finish();
}

// ---- subslice: k-means cost, 100 points in d = 8, 4 centres ----

const D: usize = 8;
const POINTS: usize = 100;
const CENTRES: usize = 4;

#[differentiable]
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for r in 0..a.len() {
        let t = a[r] - b[r];
        s += t * t;
    }
    s
}

/// Σ over points of the squared distance to the nearest centre; the points are data.
#[differentiable]
fn kmeans_natural(centres: &[f64], #[no_grad] points: &[f64], #[no_grad] d: usize) -> f64 {
    let n = points.len() / d;
    let k = centres.len() / d;
    let mut cost = 0.0;
    for i in 0..n {
        let mut best = dist2(&points[i * d..(i + 1) * d], &centres[0..d]);
        for j in 1..k {
            best = best.min(dist2(&points[i * d..(i + 1) * d], &centres[j * d..(j + 1) * d]));
        }
        cost += best;
    }
    cost
}

#[differentiable]
fn kmeans_flat(centres: &[f64], #[no_grad] points: &[f64], #[no_grad] d: usize) -> f64 {
    let n = points.len() / d;
    let k = centres.len() / d;
    let mut cost = 0.0;
    for i in 0..n {
        let mut best = 0.0;
        for r in 0..d {
            let t = points[i * d + r] - centres[r];
            best += t * t;
        }
        for j in 1..k {
            let mut s = 0.0;
            for r in 0..d {
                let t = points[i * d + r] - centres[j * d + r];
                s += t * t;
            }
            best = best.min(s);
        }
        cost += best;
    }
    cost
}

fn check_subslice(centres: &[f64], points: &[f64]) {
    let (mut g1, mut g2) = (vec![0.0; centres.len()], vec![0.0; centres.len()]);
    let (v1, ()) = kmeans_natural_vjp(centres, &mut g1, points, D, 1.0);
    let (v2, ()) = kmeans_flat_vjp(centres, &mut g2, points, D, 1.0);
    assert!(close(v1, kmeans_flat(centres, points, D)) && close(v1, v2), "subslice: value {v1} vs {v2}");
    assert!(all_close(&g1, &g2), "subslice: gradient");
    assert!(g1.iter().all(|v| *v != 0.0), "subslice: every centre is nearest to some point");
}

fn bench_subslice(c: &mut Criterion) {
    let (centres, points) = (data(CENTRES * D, 8.0), data(POINTS * D, 9.0));
    check_subslice(&centres, &points);
    let mut dc = vec![0.0; centres.len()];
    let mut g = c.benchmark_group("construct_subslice");
    g.bench_function("natural", |b| {
        b.iter(|| kmeans_natural_vjp(black_box(&centres), &mut dc, black_box(&points), black_box(D), 1.0))
    });
    g.bench_function("flat", |b| {
        b.iter(|| kmeans_flat_vjp(black_box(&centres), &mut dc, black_box(&points), black_box(D), 1.0))
    });
    g.finish();
}

// ---- tuple: a call's tuple result, `let (s, c) = sincos(t)`, in a loop, n = 1000 ----

#[differentiable]
fn sincos(t: f64) -> (f64, f64) {
    (t.sin(), t.cos())
}

/// The squared length of Σ rᵢ (cos tᵢ, sin tᵢ).
#[differentiable]
fn polar_natural(t: &[f64], r: &[f64]) -> f64 {
    let mut x = 0.0;
    let mut y = 0.0;
    for i in 0..t.len() {
        let (s, c) = sincos(t[i]);
        x += r[i] * c;
        y += r[i] * s;
    }
    x * x + y * y
}

#[differentiable]
fn polar_flat(t: &[f64], r: &[f64]) -> f64 {
    let mut x = 0.0;
    let mut y = 0.0;
    for i in 0..t.len() {
        let s = t[i].sin();
        let c = t[i].cos();
        x += r[i] * c;
        y += r[i] * s;
    }
    x * x + y * y
}

fn check_tuple(t: &[f64], r: &[f64]) {
    let n = t.len();
    let (mut dt1, mut dr1, mut dt2, mut dr2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (v1, ()) = polar_natural_vjp(t, &mut dt1, r, &mut dr1, 1.0);
    let (v2, ()) = polar_flat_vjp(t, &mut dt2, r, &mut dr2, 1.0);
    assert!(close(v1, polar_flat(t, r)) && close(v1, v2), "tuple: value {v1} vs {v2}");
    assert!(all_close(&dt1, &dt2) && all_close(&dr1, &dr2), "tuple: dt, dr");
}

fn bench_tuple(c: &mut Criterion) {
    let t: Vec<f64> = data(1000, 10.0).iter().map(|v| 3.0 * v).collect();
    let r = data(1000, 11.0);
    check_tuple(&t, &r);
    let (mut dt, mut dr) = (vec![0.0; 1000], vec![0.0; 1000]);
    let mut g = c.benchmark_group("construct_tuple");
    g.bench_function("natural", |b| b.iter(|| polar_natural_vjp(black_box(&t), &mut dt, black_box(&r), &mut dr, 1.0)));
    g.bench_function("flat", |b| b.iter(|| polar_flat_vjp(black_box(&t), &mut dt, black_box(&r), &mut dr, 1.0)));
    g.finish();
}

// ---- rows: Σ over 200 points of |R·(R·p)|² + (R·p)₀, R a 3×3 matrix ----

#[differentiable]
fn rows_natural(m: [[f64; 3]; 3], #[no_grad] points: &[[f64; 3]]) -> f64 {
    let mut total = 0.0;
    for p in points.iter() {
        let mut q = [[0.0; 3]; 2];
        for i in 0..3 {
            for j in 0..3 {
                q[0][i] += m[i][j] * p[j];
            }
        }
        for i in 0..3 {
            for j in 0..3 {
                q[1][i] += m[i][j] * q[0][j];
            }
        }
        total += q[1][0] * q[1][0] + q[1][1] * q[1][1] + q[1][2] * q[1][2] + q[0][0];
    }
    total
}

#[differentiable]
fn rows_flat(m: &[f64], #[no_grad] points: &[f64]) -> f64 {
    let mut total = 0.0;
    for k in 0..points.len() / 3 {
        let mut q = [0.0; 6];
        for i in 0..3 {
            for j in 0..3 {
                q[i] += m[i * 3 + j] * points[k * 3 + j];
            }
        }
        for i in 0..3 {
            for j in 0..3 {
                q[3 + i] += m[i * 3 + j] * q[j];
            }
        }
        total += q[3] * q[3] + q[4] * q[4] + q[5] * q[5] + q[0];
    }
    total
}

fn bench_rows(c: &mut Criterion) {
    let flat = data(9, 12.0);
    let m: [[f64; 3]; 3] = [[flat[0], flat[1], flat[2]], [flat[3], flat[4], flat[5]], [flat[6], flat[7], flat[8]]];
    let points_flat = data(600, 13.0);
    let points: Vec<[f64; 3]> = points_flat.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    let (mut dm, mut dflat) = ([[0.0; 3]; 3], vec![0.0; 9]);
    let (v1, ()) = rows_natural_vjp(&m, &mut dm, &points, 1.0);
    let (v2, ()) = rows_flat_vjp(&flat, &mut dflat, &points_flat, 1.0);
    assert!(close(v1, rows_natural(m, &points)) && close(v1, v2), "rows: value {v1} vs {v2}");
    assert!(all_close(dm.as_flattened(), &dflat), "rows: gradient");
    let mut g = c.benchmark_group("construct_rows");
    g.bench_function("natural", |b| b.iter(|| rows_natural_vjp(black_box(&m), &mut dm, black_box(&points), 1.0)));
    g.bench_function("flat", |b| b.iter(|| rows_flat_vjp(black_box(&flat), &mut dflat, black_box(&points_flat), 1.0)));
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_struct(c);
    bench_iter(c);
    bench_subslice(c);
    bench_tuple(c);
    bench_rows(c);
}

criterion_group!(constructs, benches);
criterion_main!(constructs);
