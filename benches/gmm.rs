//! GradBench's GMM objective (a Gaussian mixture's log-likelihood with a Wishart prior on the
//! inverse covariances), written as its C++ reference writes it: local buffers `xcentered`, `qx` and
//! `main_term` filled per point and component, `sqnorm` and a max-shifted `logsumexp` as
//! helper functions. Per size, the primal and the generated vjp in one criterion group;
//! `python3 benches/ratios.py --gmm` prints vjp/primal per size.
//!
//! Parameters, in ADBench's layout (GradBench's C++ reference derives from it):
//! - `alphas`: k unnormalised log mixture weights;
//! - `means`: k × d component means, row-major;
//! - `icf`: k × d(d+1)/2 inverse covariance factors: per component first the logs of the
//!   diagonal of the lower-triangular Q_k, then its strictly lower entries column by column.
//!
//! The objective, without the constant terms (they do not depend on the parameters), is
//! `slse − n·logsumexp(alphas) + prior`, with
//! `slse = Σᵢ logsumexpₖ(alphas[k] + Σ icf[k][..d] − ½‖Q_k (xᵢ − means[k])‖²)` and
//! `prior = Σₖ ½γ² (Σ exp(2 icf[k][..d]) + Σ icf[k][d..]²) − m Σ icf[k][..d]`, γ = 1, m = 0.
//! This is ADBench's sign of the prior; GradBench's newer C++ reference splits `icf` into `q`
//! (the log diagonals) and `l` and subtracts the prior instead, which costs the same.

// Index loops are the loops the macro differentiates; the reference is written with them.
#![allow(clippy::needless_range_loop)]

use chainrule::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const WISHART_GAMMA: f64 = 1.0;
const WISHART_M: f64 = 0.0;

#[differentiable]
fn sqnorm(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i];
    }
    s
}

/// log Σ exp(vᵢ), shifted by the maximum, which the result does not depend on.
#[differentiable]
fn logsumexp(v: &[f64]) -> f64 {
    let mut mx = v[0];
    for i in 1..v.len() {
        mx = mx.max(v[i]);
    }
    let mx = stop_gradient(mx);
    let mut s = 0.0;
    for i in 0..v.len() {
        s += (v[i] - mx).exp();
    }
    s.ln() + mx
}

#[differentiable]
fn gmm_objective(
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    #[no_grad] x: &[f64],
    #[no_grad] d: usize,
    #[no_grad] k: usize,
    #[no_grad] n: usize,
) -> f64 {
    let icf_sz = d * (d + 1) / 2;
    // preprocess_qs: the diagonals of the Q_k and the sums of their logs.
    let mut qdiags = vec![0.0; d * k];
    let mut sum_qs = vec![0.0; k];
    for c in 0..k {
        for r in 0..d {
            let q = icf[c * icf_sz + r];
            sum_qs[c] += q;
            qdiags[c * d + r] = q.exp();
        }
    }

    let mut xcentered = vec![0.0; d];
    let mut qx = vec![0.0; d];
    let mut main_term = vec![0.0; k];
    let mut slse = 0.0;
    for i in 0..n {
        for c in 0..k {
            for r in 0..d {
                xcentered[r] = x[i * d + r] - means[c * d + r];
            }
            // Qtimesx: the diagonal, then the strictly lower part column by column.
            for r in 0..d {
                qx[r] = qdiags[c * d + r] * xcentered[r];
            }
            let mut idx = c * icf_sz + d;
            for col in 0..d {
                for row in col + 1..d {
                    qx[row] += icf[idx] * xcentered[col];
                    idx += 1;
                }
            }
            main_term[c] = alphas[c] + sum_qs[c] - 0.5 * sqnorm(&qx);
        }
        slse += logsumexp(&main_term);
    }

    // log_wishart_prior, without its constant.
    let mut prior = 0.0;
    for c in 0..k {
        let mut frobenius = 0.0;
        for r in 0..d {
            frobenius += qdiags[c * d + r] * qdiags[c * d + r];
        }
        for r in d..icf_sz {
            frobenius += icf[c * icf_sz + r] * icf[c * icf_sz + r];
        }
        prior += 0.5 * WISHART_GAMMA * WISHART_GAMMA * frobenius - WISHART_M * sum_qs[c];
    }

    slse - n as f64 * logsumexp(alphas) + prior
}

struct Problem {
    d: usize,
    k: usize,
    n: usize,
    alphas: Vec<f64>,
    means: Vec<f64>,
    icf: Vec<f64>,
    x: Vec<f64>,
}

fn data(n: usize, phase: f64, scale: f64) -> Vec<f64> {
    (0..n).map(|i| scale * ((i as f64 + phase) * 0.37).sin()).collect()
}

fn problem(d: usize, k: usize, n: usize) -> Problem {
    let icf_sz = d * (d + 1) / 2;
    Problem {
        d,
        k,
        n,
        alphas: data(k, 1.0, 1.0),
        means: data(k * d, 2.0, 1.0),
        icf: data(k * icf_sz, 3.0, 0.3),
        x: data(n * d, 4.0, 1.5),
    }
}

/// The vjp against central differences of the primal on a few coordinates of each parameter
/// (first, middle, last), and its value against the primal, before anything is timed.
fn check(p: &Problem) {
    let (mut da, mut dm, mut di) = (vec![0.0; p.alphas.len()], vec![0.0; p.means.len()], vec![0.0; p.icf.len()]);
    let seed = 1.5;
    let (value, ()) =
        gmm_objective_vjp(&p.alphas, &mut da, &p.means, &mut dm, &p.icf, &mut di, &p.x, p.d, p.k, p.n, seed);
    let primal = gmm_objective(&p.alphas, &p.means, &p.icf, &p.x, p.d, p.k, p.n);
    assert!((value - primal).abs() <= 1e-12 * (1.0 + primal.abs()), "gmm d={}: value {value} vs {primal}", p.d);
    let primal_at = |slot: usize, j: usize, delta: f64| {
        let mut q = [p.alphas.clone(), p.means.clone(), p.icf.clone()];
        q[slot][j] += delta;
        gmm_objective(&q[0], &q[1], &q[2], &p.x, p.d, p.k, p.n)
    };
    for (slot, (name, gradient)) in [("alphas", &da), ("means", &dm), ("icf", &di)].into_iter().enumerate() {
        let len = gradient.len();
        for j in [0, len / 2, len - 1] {
            let h = 1e-5;
            let fd = seed * (primal_at(slot, j, h) - primal_at(slot, j, -h)) / (2.0 * h);
            let g = gradient[j];
            assert!(
                (g - fd).abs() <= 1e-5 * g.abs().max(fd.abs()).max(1.0),
                "gmm d={} k={}: d/d{name}[{j}] = {g}, finite differences {fd}",
                p.d,
                p.k
            );
        }
    }
}

fn benches(c: &mut Criterion) {
    for (d, k, n) in [(2, 5, 100), (10, 5, 100), (20, 10, 100)] {
        let p = problem(d, k, n);
        check(&p);
        let (mut da, mut dm, mut di) = (vec![0.0; p.alphas.len()], vec![0.0; p.means.len()], vec![0.0; p.icf.len()]);
        let mut g = c.benchmark_group(format!("gmm_d{d}_k{k}"));
        g.bench_function("primal", |b| {
            b.iter(|| {
                gmm_objective(black_box(&p.alphas), black_box(&p.means), black_box(&p.icf), black_box(&p.x), d, k, n)
            })
        });
        g.bench_function("vjp", |b| {
            b.iter(|| {
                gmm_objective_vjp(
                    black_box(&p.alphas),
                    &mut da,
                    black_box(&p.means),
                    &mut dm,
                    black_box(&p.icf),
                    &mut di,
                    black_box(&p.x),
                    d,
                    k,
                    n,
                    1.0,
                )
            })
        });
        g.finish();
    }
}

criterion_group!(gmm, benches);
criterion_main!(gmm);
