//! The runtime's sigmoid over 1024 inputs of both signs against the plain formula
//! 1 / (1 + e⁻ˣ) (what a hand-written step uses, and which overflows nowhere that matters
//! for small inputs) and the two-branch stable form it replaced, in f32, in one run:
//! `python3 benches/ratios.py --activations <baselines>` prints runtime/plain.

use chainrule::primitives::f32::sigmoid;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn two_branch(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

fn plain(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[inline(never)]
fn map(xs: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32) {
    for (o, &x) in out.iter_mut().zip(xs) {
        *o = f(x);
    }
}

fn activations(c: &mut Criterion) {
    let xs: Vec<f32> = (0..1024).map(|i| (i as f32 * 0.7931).sin() * 4.0).collect();
    let mut out = vec![0.0f32; xs.len()];
    // The same values, to a few ulps: the forms differ only in rounding.
    for &x in &xs {
        assert!(
            (sigmoid(x) - plain(x)).abs() <= 4.0 * f32::EPSILON
                && (sigmoid(x) - two_branch(x)).abs() <= 4.0 * f32::EPSILON
        );
    }
    let mut g = c.benchmark_group("sigmoid_1024");
    g.bench_function("runtime", |b| b.iter(|| map(black_box(&xs), &mut out, sigmoid)));
    g.bench_function("plain", |b| b.iter(|| map(black_box(&xs), &mut out, plain)));
    g.bench_function("two_branch", |b| b.iter(|| map(black_box(&xs), &mut out, two_branch)));
    g.finish();
}

criterion_group!(benches, activations);
criterion_main!(benches);
