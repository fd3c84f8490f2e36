//! Higher-order companions against the first-order ones they run on dual numbers (issue 12):
//!
//! - `hvp_rosenbrock`, `hvp_mlp`: `f_hvp` against `f_grad` on the extended Rosenbrock
//!   function (n = 100) and on the loss of a 64-32-10 MLP (tanh, squared error), target
//!   hvp/grad ≤ 4;
//! - `jacobian`: a map R^26 → R^1000 (the shape of GradBench's ht): the primal, `f_jacobian`
//!   (vector forward mode, one pass of 32 lanes) and 26 `f_jvp` calls, target
//!   jacobian/primal ≤ 6;
//! - `hvp_kmeans`: the k-means cost (GradBench's, n = 2000, k = 50, d = 8), a `min` over `k`
//!   calls per point, where one call of `k` gets a nonzero adjoint: the primal, `f_grad` and
//!   `f_hvp` (the Hessian's diagonal, as GradBench's `kmeans` asks), no target.
//!
//! `python3 benches/ratios.py --higher run1 run2 ..` prints the ratios.

#![allow(clippy::needless_range_loop)]

use chainrule::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

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

const INPUTS: usize = 64;
const HIDDEN: usize = 32;
const OUTPUTS: usize = 10;

/// Squared error of a 64-32-10 MLP, weights row-major in `w` (then the biases).
#[differentiable]
fn mlp_loss<F: Float>(w: &[F], #[no_grad] x: &[F], #[no_grad] y: &[F]) -> F {
    let mut h = [F::ZERO; HIDDEN];
    for j in 0..HIDDEN {
        let mut s = w[HIDDEN * INPUTS + j];
        for i in 0..INPUTS {
            s += w[j * INPUTS + i] * x[i];
        }
        h[j] = s.tanh();
    }
    let second = HIDDEN * INPUTS + HIDDEN;
    let mut loss = F::ZERO;
    for k in 0..OUTPUTS {
        let mut s = w[second + OUTPUTS * HIDDEN + k];
        for j in 0..HIDDEN {
            s += w[second + k * HIDDEN + j] * h[j];
        }
        let e = s - y[k];
        loss += e * e;
    }
    loss
}

const M: usize = 1000;

/// R^26 → R^1000: each output a few operations on three of the inputs.
#[differentiable]
fn spread<F: Float>(x: &[F]) -> [F; M] {
    let mut out = [F::ZERO; M];
    for i in 0..M {
        let (a, b, c) = (x[i % 26], x[(i * 7 + 3) % 26], x[(i * 11 + 5) % 26]);
        out[i] = a * b.sin() + (c * F::from_f64(0.1)).exp() - a * c;
    }
    out
}

#[differentiable]
fn dist2<F: Float>(a: &[F], b: &[F]) -> F {
    let mut s = F::ZERO;
    for i in 0..a.len() {
        s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    s
}

#[differentiable]
fn kmeans<F: Float>(#[no_grad] points: &[F], centroids: &[F], #[no_grad] d: usize) -> F {
    let mut cost = F::ZERO;
    for i in 0..points.len() / d {
        let mut closest = F::INFINITY;
        for j in 0..centroids.len() / d {
            closest = closest.min(dist2(&points[i * d..(i + 1) * d], &centroids[j * d..(j + 1) * d]));
        }
        cost += closest;
    }
    cost
}

fn data(n: usize, phase: f64) -> Vec<f64> {
    (0..n).map(|i| ((i as f64 + phase) * 0.37).sin()).collect()
}

fn hvp_rosenbrock(c: &mut Criterion) {
    let (x, v) = (data(100, 0.0), data(100, 1.0));
    let (_, g, _) = rosenbrock_hvp(&x, &v);
    assert_eq!(g, rosenbrock_grad(&x).1);
    let mut group = c.benchmark_group("hvp_rosenbrock");
    group.bench_function("grad", |b| b.iter(|| rosenbrock_grad(black_box(&x))));
    group.bench_function("hvp", |b| b.iter(|| rosenbrock_hvp(black_box(&x), black_box(&v))));
    group.finish();
}

fn hvp_mlp(c: &mut Criterion) {
    let n = HIDDEN * INPUTS + HIDDEN + OUTPUTS * HIDDEN + OUTPUTS;
    let (w, v) = (data(n, 0.0).iter().map(|a| a * 0.2).collect::<Vec<_>>(), data(n, 2.0));
    let (x, y) = (data(INPUTS, 3.0), data(OUTPUTS, 4.0));
    let mut group = c.benchmark_group("hvp_mlp");
    group.bench_function("grad", |b| b.iter(|| mlp_loss_grad(black_box(&w), &x, &y)));
    group.bench_function("hvp", |b| b.iter(|| mlp_loss_hvp(black_box(&w), &x, &y, black_box(&v))));
    group.finish();
}

fn hvp_kmeans(c: &mut Criterion) {
    let (d, points, centroids) = (8, data(2000 * 8, 0.0), data(50 * 8, 0.5));
    let ones = vec![1.0; centroids.len()];
    let mut group = c.benchmark_group("hvp_kmeans");
    group.bench_function("primal", |b| b.iter(|| kmeans(&points, black_box(&centroids), d)));
    group.bench_function("grad", |b| b.iter(|| kmeans_grad(&points, black_box(&centroids), d)));
    group.bench_function("hvp", |b| b.iter(|| kmeans_hvp(&points, black_box(&centroids), d, &ones)));
    group.finish();
}

fn jacobian(c: &mut Criterion) {
    let x = data(26, 0.5);
    let (_, j) = spread_jacobian(&x);
    let mut d = [0.0; 26];
    d[4] = 1.0;
    let (_, t) = spread_jvp(&x, &d);
    assert!((0..M).all(|i| (j[(i, 4)] - t[i]).abs() < 1e-12), "the Jacobian's column is the jvp");
    let mut group = c.benchmark_group("jacobian");
    group.bench_function("primal", |b| b.iter(|| spread(black_box(&x))));
    group.bench_function("jacobian", |b| b.iter(|| spread_jacobian(black_box(&x))));
    group.bench_function("jvps", |b| {
        b.iter(|| {
            let mut columns = Vec::with_capacity(26);
            for k in 0..26 {
                let mut d = [0.0; 26];
                d[k] = 1.0;
                columns.push(spread_jvp(black_box(&x), &d).1);
            }
            columns
        })
    });
    group.finish();
}

criterion_group!(benches, hvp_rosenbrock, hvp_mlp, hvp_kmeans, jacobian);
criterion_main!(benches);
