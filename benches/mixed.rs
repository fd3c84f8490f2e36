//! Mixed mode against pure reverse mode, in the same run: each function is written twice,
//! once with its scalar `x` as a parameter (which reverse mode differentiates forwards, see
//! macros/src/mixed.rs) and once with `x` passed in a one-element slice and read before the
//! loop (a local value, which stays in reverse mode). The arithmetic is the same; only the
//! mode differs. `python3 benches/ratios.py --mixed` prints mixed/reverse per function.

#![allow(clippy::needless_range_loop)]

use chainrule::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

#[differentiable]
fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

#[differentiable]
fn horner_reverse(c: &[f64], x: &[f64]) -> f64 {
    let x = x[0];
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

#[differentiable]
fn scaled_sum(w: &[f64], x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x;
    }
    s
}

#[differentiable]
fn scaled_sum_reverse(w: &[f64], x: &[f64]) -> f64 {
    let x = x[0];
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x;
    }
    s
}

#[differentiable]
fn squares(w: &[f64], x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        let d = w[i] * x - 1.0;
        s += d * d;
    }
    s
}

#[differentiable]
fn squares_reverse(w: &[f64], x: &[f64]) -> f64 {
    let x = x[0];
    let mut s = 0.0;
    for i in 0..w.len() {
        let d = w[i] * x - 1.0;
        s += d * d;
    }
    s
}

fn data(n: usize, phase: f64) -> Vec<f64> {
    (0..n).map(|i| ((i as f64 + phase) * 0.37).sin()).collect()
}

type Mixed = fn(&[f64], &mut [f64], f64, f64) -> (f64, f64);
type Reverse = fn(&[f64], &mut [f64], &[f64], &mut [f64], f64) -> (f64, ());

/// The two versions must compute the same gradient, or comparing their speed means nothing.
fn check(name: &str, mixed: Mixed, reverse: Reverse, w: &[f64], x: f64) {
    let (mut dw1, mut dw2, mut dx2) = (vec![0.0; w.len()], vec![0.0; w.len()], [0.0]);
    let (v1, dx1) = mixed(w, &mut dw1, x, 1.0);
    let (v2, ()) = reverse(w, &mut dw2, &[x], &mut dx2, 1.0);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * (1.0 + a.abs());
    assert!(close(v1, v2) && close(dx1, dx2[0]), "{name}: value {v1} vs {v2}, dx {dx1} vs {}", dx2[0]);
    assert!(dw1.iter().zip(&dw2).all(|(a, b)| close(*a, *b)), "{name}: dw");
}

fn group(c: &mut Criterion, name: &str, mixed: Mixed, reverse: Reverse, w: &[f64], x: f64) {
    check(name, mixed, reverse, w, x);
    let (mut dw, mut dx) = (vec![0.0; w.len()], [0.0]);
    let mut g = c.benchmark_group(format!("mixed_{name}"));
    g.bench_function("mixed", |b| b.iter(|| mixed(black_box(w), &mut dw, black_box(x), 1.0)));
    g.bench_function("reverse", |b| b.iter(|| reverse(black_box(w), &mut dw, black_box(&[x]), &mut dx, 1.0)));
    g.finish();
}

fn benches(c: &mut Criterion) {
    group(c, "horner", horner_vjp, horner_reverse_vjp, &data(101, 2.0), 0.9);
    group(c, "scaled_sum", scaled_sum_vjp, scaled_sum_reverse_vjp, &data(1000, 1.0), 0.9);
    group(c, "squares", squares_vjp, squares_reverse_vjp, &data(1000, 3.0), 0.7);
}

criterion_group!(mixed, benches);
criterion_main!(mixed);
