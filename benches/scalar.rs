//! The cost of the generated gradient against the plain function (`primal`) and against a
//! gradient written by hand (`hand`), for four scalar functions. Each function is one
//! criterion group, so its benchmarks share a run and their ratios are comparable:
//!
//! ```text
//! cargo bench --bench scalar -- --warm-up-time 1 --measurement-time 3
//! python3 benches/ratios.py
//! ```
//!
//! On a loaded machine one run's ratios can be off by tens of percent; `ratios.py` also
//! takes several runs saved with `--save-baseline` and uses each benchmark's best.
//!
//! Targets: `grad / hand <= 1.10` (the macro writes what a careful engineer would) and
//! `grad / primal <= 3` (the cheap-gradient principle of reverse mode, which must hold
//! however deep the calls nest: see the `chain` group). `jvp` (one unit tangent) is for
//! information: forward mode costs the same order as reverse for one direction.
//!
//! Inputs go through `black_box` on every iteration so nothing is constant-folded;
//! criterion's `iter` passes every result through `black_box` itself. Each scalar goes
//! through it on its own (`input.map(black_box)`): a black-boxed array is read back with
//! vector loads that straddle its stores, and the store-forwarding stall that follows made
//! one variant three times slower than the code it runs.

use chainrule::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

// ---- The lecture's first example: f(x, y, z) = (x + y) z. --------------------------------

#[differentiable]
fn lecture(x: f64, y: f64, z: f64) -> f64 {
    let q = x + y;
    q * z
}

fn lecture_hand(x: f64, y: f64, z: f64) -> (f64, (f64, f64, f64)) {
    let q = x + y;
    (q * z, (z, z, q))
}

// ---- The lecture's sigmoid neuron σ(w0 x0 + w1 x1 + w2). -----------------------------------

#[differentiable]
fn neuron(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    sigmoid(w0 * x0 + w1 * x1 + w2)
}

fn neuron_hand(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> (f64, (f64, f64, f64, f64, f64)) {
    let s = sigmoid(w0 * x0 + w1 * x1 + w2);
    // σ' from σ's own output, as the lecture derives it: no second exponential.
    let dz = s * (1.0 - s);
    (s, (dz * x0, dz * w0, dz * x1, dz * w1, dz))
}

// ---- Extended Rosenbrock, 8 variables: Σ_{i even} 100 (x_{i+1} − x_i²)² + (1 − x_i)². ----

#[differentiable]
#[allow(clippy::too_many_arguments)]
fn rosenbrock(x0: f64, x1: f64, x2: f64, x3: f64, x4: f64, x5: f64, x6: f64, x7: f64) -> f64 {
    let t0 = x1 - x0 * x0;
    let u0 = 1.0 - x0;
    let t1 = x3 - x2 * x2;
    let u1 = 1.0 - x2;
    let t2 = x5 - x4 * x4;
    let u2 = 1.0 - x4;
    let t3 = x7 - x6 * x6;
    let u3 = 1.0 - x6;
    let p0 = 100.0 * t0 * t0 + u0 * u0;
    let p1 = 100.0 * t1 * t1 + u1 * u1;
    let p2 = 100.0 * t2 * t2 + u2 * u2;
    let p3 = 100.0 * t3 * t3 + u3 * u3;
    p0 + p1 + p2 + p3
}

type Grad8 = (f64, f64, f64, f64, f64, f64, f64, f64);

#[allow(clippy::too_many_arguments)]
fn rosenbrock_hand(x0: f64, x1: f64, x2: f64, x3: f64, x4: f64, x5: f64, x6: f64, x7: f64) -> (f64, Grad8) {
    let (t0, u0) = (x1 - x0 * x0, 1.0 - x0);
    let (t1, u1) = (x3 - x2 * x2, 1.0 - x2);
    let (t2, u2) = (x5 - x4 * x4, 1.0 - x4);
    let (t3, u3) = (x7 - x6 * x6, 1.0 - x6);
    // The value exactly as `rosenbrock` computes it, so both return the same bits.
    let p0 = 100.0 * t0 * t0 + u0 * u0;
    let p1 = 100.0 * t1 * t1 + u1 * u1;
    let p2 = 100.0 * t2 * t2 + u2 * u2;
    let p3 = 100.0 * t3 * t3 + u3 * u3;
    // ∂/∂x_{i+1} = 200 t; ∂/∂x_i = −2 (2 x_i · 100 t + u) = −2 (x_i ∂/∂x_{i+1} + u).
    let (g1, g3, g5, g7) = (200.0 * t0, 200.0 * t1, 200.0 * t2, 200.0 * t3);
    let gradient =
        (-2.0 * (x0 * g1 + u0), g1, -2.0 * (x2 * g3 + u1), g3, -2.0 * (x4 * g5 + u2), g5, -2.0 * (x6 * g7 + u3), g7);
    (p0 + p1 + p2 + p3, gradient)
}

// ---- A call chain of depth 4: each level does sin, exp and products, then calls the next. --

#[differentiable]
fn l1(x: f64, y: f64) -> f64 {
    let a = (x * y).sin();
    let b = (0.5 * x).exp();
    let c = l2(a, b);
    c * a + b
}

#[differentiable]
fn l2(x: f64, y: f64) -> f64 {
    let a = (x * y).sin();
    let b = (0.5 * x).exp();
    let c = l3(a, b);
    c * a + b
}

#[differentiable]
fn l3(x: f64, y: f64) -> f64 {
    let a = (x * y).sin();
    let b = (0.5 * x).exp();
    let c = l4(a, b);
    c * a + b
}

#[differentiable]
fn l4(x: f64, y: f64) -> f64 {
    let a = (x * y).sin();
    let b = (0.5 * x).exp();
    a * b
}

/// The whole chain flattened by hand: one forward sweep keeping each level's sine, cosine
/// and exponential, then one backward sweep from the deepest level up.
fn chain_hand(x: f64, y: f64) -> (f64, (f64, f64)) {
    let (s1, c1) = (x * y).sin_cos();
    let e1 = (0.5 * x).exp();
    let (s2, c2) = (s1 * e1).sin_cos();
    let e2 = (0.5 * s1).exp();
    let (s3, c3) = (s2 * e2).sin_cos();
    let e3 = (0.5 * s2).exp();
    let (s4, c4) = (s3 * e3).sin_cos();
    let e4 = (0.5 * s3).exp();
    let v4 = s4 * e4;
    let v3 = v4 * s3 + e3;
    let v2 = v3 * s2 + e2;
    let v1 = v2 * s1 + e1;

    // Level k's inputs are (s_{k-1}, e_{k-1}); (gx, gy) is ∂v_k with respect to them.
    let k4 = e4 * c4;
    let (gx4, gy4) = (k4 * e3 + 0.5 * v4, k4 * s3);
    // v_k = v_{k+1} s_k + e_k: ∂/∂s_k = v_{k+1} + s_k gx_{k+1}, ∂/∂e_k = 1 + s_k gy_{k+1}.
    let (ds3, de3) = (v4 + s3 * gx4, 1.0 + s3 * gy4);
    let k3 = ds3 * c3;
    let (gx3, gy3) = (k3 * e2 + 0.5 * e3 * de3, k3 * s2);
    let (ds2, de2) = (v3 + s2 * gx3, 1.0 + s2 * gy3);
    let k2 = ds2 * c2;
    let (gx2, gy2) = (k2 * e1 + 0.5 * e2 * de2, k2 * s1);
    let (ds1, de1) = (v2 + s1 * gx2, 1.0 + s1 * gy2);
    let k1 = ds1 * c1;
    (v1, (k1 * y + 0.5 * e1 * de1, k1 * x))
}

// ---- Benchmarks. ----------------------------------------------------------------------------

/// The hand-written gradient is only a fair baseline if it is right: it must agree with the
/// generated one, and both with forward mode, before anything is timed.
fn check(group: &str, value: f64, generated: &[f64], hand_value: f64, hand: &[f64], jvp: &[f64]) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()));
    assert!(close(value, hand_value), "{group}: value {value} vs hand {hand_value}");
    for (i, ((g, h), j)) in generated.iter().zip(hand).zip(jvp).enumerate() {
        assert!(close(*g, *h) && close(*g, *j), "{group}: ∂/∂x{i}: grad {g}, hand {h}, jvp {j}");
    }
    assert!(generated.len() == hand.len() && hand.len() == jvp.len(), "{group}: gradient lengths differ");
}

fn bench_lecture(c: &mut Criterion) {
    let input = [-2.0, 5.0, -4.0];
    let [x, y, z] = input;
    let (v, (dx, dy, dz)) = lecture_grad(x, y, z);
    let (hv, (hx, hy, hz)) = lecture_hand(x, y, z);
    let jvp = [
        lecture_jvp(x, 1.0, y, 0.0, z, 0.0).1,
        lecture_jvp(x, 0.0, y, 1.0, z, 0.0).1,
        lecture_jvp(x, 0.0, y, 0.0, z, 1.0).1,
    ];
    check("lecture", v, &[dx, dy, dz], hv, &[hx, hy, hz], &jvp);
    assert_eq!((v, dx, dy, dz), (-12.0, -4.0, -4.0, 3.0));

    let mut group = c.benchmark_group("lecture");
    group.bench_function("primal", |b| {
        b.iter(|| {
            let [x, y, z] = input.map(black_box);
            lecture(x, y, z)
        })
    });
    group.bench_function("grad", |b| {
        b.iter(|| {
            let [x, y, z] = input.map(black_box);
            lecture_grad(x, y, z)
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            let [x, y, z] = input.map(black_box);
            lecture_hand(x, y, z)
        })
    });
    group.bench_function("jvp", |b| {
        b.iter(|| {
            let [x, y, z] = input.map(black_box);
            let [dx, dy, dz] = [1.0, 0.0, 0.0].map(black_box);
            lecture_jvp(x, dx, y, dy, z, dz)
        })
    });
    group.finish();
}

fn bench_neuron(c: &mut Criterion) {
    // The lecture's values: w = (2, −3, −3), x = (−1, −2); σ(1) ≈ 0.73.
    let input = [2.0, -1.0, -3.0, -2.0, -3.0];
    let [w0, x0, w1, x1, w2] = input;
    let (v, (dw0, dx0, dw1, dx1, dw2)) = neuron_grad(w0, x0, w1, x1, w2);
    let (hv, (hw0, hx0, hw1, hx1, hw2)) = neuron_hand(w0, x0, w1, x1, w2);
    let jvp: Vec<f64> = (0..5)
        .map(|i| {
            let t = |k: usize| if k == i { 1.0 } else { 0.0 };
            neuron_jvp(w0, t(0), x0, t(1), w1, t(2), x1, t(3), w2, t(4)).1
        })
        .collect();
    check("neuron", v, &[dw0, dx0, dw1, dx1, dw2], hv, &[hw0, hx0, hw1, hx1, hw2], &jvp);
    assert!((v - 0.7310585786300049).abs() < 1e-15);

    let mut group = c.benchmark_group("neuron");
    group.bench_function("primal", |b| {
        b.iter(|| {
            let [w0, x0, w1, x1, w2] = input.map(black_box);
            neuron(w0, x0, w1, x1, w2)
        })
    });
    group.bench_function("grad", |b| {
        b.iter(|| {
            let [w0, x0, w1, x1, w2] = input.map(black_box);
            neuron_grad(w0, x0, w1, x1, w2)
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            let [w0, x0, w1, x1, w2] = input.map(black_box);
            neuron_hand(w0, x0, w1, x1, w2)
        })
    });
    group.bench_function("jvp", |b| {
        b.iter(|| {
            let [w0, x0, w1, x1, w2] = input.map(black_box);
            let [d0, d1, d2, d3, d4] = [1.0, 0.0, 0.0, 0.0, 0.0].map(black_box);
            neuron_jvp(w0, d0, x0, d1, w1, d2, x1, d3, w2, d4)
        })
    });
    group.finish();
}

fn rosenbrock_jvp_along(x: [f64; 8], d: [f64; 8]) -> (f64, f64) {
    rosenbrock_jvp(x[0], d[0], x[1], d[1], x[2], d[2], x[3], d[3], x[4], d[4], x[5], d[5], x[6], d[6], x[7], d[7])
}

fn bench_rosenbrock(c: &mut Criterion) {
    let input = [-1.2, 1.0, 0.5, -0.3, 1.1, 1.3, -0.7, 0.2];
    let [x0, x1, x2, x3, x4, x5, x6, x7] = input;
    let (v, g) = rosenbrock_grad(x0, x1, x2, x3, x4, x5, x6, x7);
    let (hv, h) = rosenbrock_hand(x0, x1, x2, x3, x4, x5, x6, x7);
    let flat = |g: Grad8| [g.0, g.1, g.2, g.3, g.4, g.5, g.6, g.7];
    let jvp: Vec<f64> = (0..8)
        .map(|i| {
            let mut d = [0.0; 8];
            d[i] = 1.0;
            rosenbrock_jvp_along(input, d).1
        })
        .collect();
    check("rosenbrock", v, &flat(g), hv, &flat(h), &jvp);
    let primal = rosenbrock(x0, x1, x2, x3, x4, x5, x6, x7);
    assert_eq!((v, hv), (primal, primal), "generated and hand values must be the primal's bits");

    let mut group = c.benchmark_group("rosenbrock");
    group.bench_function("primal", |b| {
        b.iter(|| {
            let [x0, x1, x2, x3, x4, x5, x6, x7] = input.map(black_box);
            rosenbrock(x0, x1, x2, x3, x4, x5, x6, x7)
        })
    });
    group.bench_function("grad", |b| {
        b.iter(|| {
            let [x0, x1, x2, x3, x4, x5, x6, x7] = input.map(black_box);
            rosenbrock_grad(x0, x1, x2, x3, x4, x5, x6, x7)
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            let [x0, x1, x2, x3, x4, x5, x6, x7] = input.map(black_box);
            rosenbrock_hand(x0, x1, x2, x3, x4, x5, x6, x7)
        })
    });
    group.bench_function("jvp", |b| {
        b.iter(|| {
            let [x0, x1, x2, x3, x4, x5, x6, x7] = input.map(black_box);
            let [d0, d1, d2, d3, d4, d5, d6, d7] = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0].map(black_box);
            rosenbrock_jvp(x0, d0, x1, d1, x2, d2, x3, d3, x4, d4, x5, d5, x6, d6, x7, d7)
        })
    });
    group.finish();
}

fn bench_chain(c: &mut Criterion) {
    let input = [0.7, -1.3];
    let [x, y] = input;
    let (v, (dx, dy)) = l1_grad(x, y);
    let (hv, (hx, hy)) = chain_hand(x, y);
    let jvp = [l1_jvp(x, 1.0, y, 0.0).1, l1_jvp(x, 0.0, y, 1.0).1];
    check("chain", v, &[dx, dy], hv, &[hx, hy], &jvp);

    let mut group = c.benchmark_group("chain");
    group.bench_function("primal", |b| {
        b.iter(|| {
            let [x, y] = input.map(black_box);
            l1(x, y)
        })
    });
    group.bench_function("grad", |b| {
        b.iter(|| {
            let [x, y] = input.map(black_box);
            l1_grad(x, y)
        })
    });
    group.bench_function("hand", |b| {
        b.iter(|| {
            let [x, y] = input.map(black_box);
            chain_hand(x, y)
        })
    });
    group.bench_function("jvp", |b| {
        b.iter(|| {
            let [x, y] = input.map(black_box);
            let [dx, dy] = [1.0, 0.0].map(black_box);
            l1_jvp(x, dx, y, dy)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_lecture, bench_neuron, bench_rosenbrock, bench_chain);
criterion_main!(benches);
