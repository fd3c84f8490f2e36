//! Second derivatives at work: Newton's method on the extended Rosenbrock function with
//! `f_hessian`, and a Levenberg–Marquardt fit of a decaying oscillation with `f_jacobian`.
//!
//! `cargo run --example newton`

// Index loops read as the formulas they implement.
#![allow(clippy::needless_range_loop)]

use chainrule::prelude::*;

/// The extended Rosenbrock function (Moré, Garbow and Hillstrom's), n/2 Rosenbrock valleys
/// side by side: Σ over pairs 100 (x₂ᵢ₊₁ − x₂ᵢ²)² + (1 − x₂ᵢ)².
#[differentiable]
fn rosenbrock<F: Float>(x: &[F]) -> F {
    let mut s = F::ZERO;
    for i in 0..x.len() / 2 {
        let a = x[2 * i + 1] - x[2 * i] * x[2 * i];
        let b = F::ONE - x[2 * i];
        s += F::from_f64(100.0) * a * a + b * b;
    }
    s
}

/// The residuals of the model `a e^(−b t) cos(c t)` at the samples `(t, y)`.
#[differentiable]
fn residuals<F: Float>(p: [F; 3], #[no_grad] t: &[F], #[no_grad] y: &[F]) -> [F; 8] {
    let mut r = [F::ZERO; 8];
    for i in 0..8 {
        r[i] = p[0] * (-p[1] * t[i]).exp() * (p[2] * t[i]).cos() - y[i];
    }
    r
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (`a` is small and dense).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for k in 0..n {
        let pivot = (k..n).max_by(|&i, &j| a[i][k].abs().total_cmp(&a[j][k].abs())).unwrap_or(k);
        a.swap(k, pivot);
        b.swap(k, pivot);
        for i in k + 1..n {
            let m = a[i][k] / a[k][k];
            for j in k..n {
                a[i][j] -= m * a[k][j];
            }
            b[i] -= m * b[k];
        }
    }
    let mut x = vec![0.0; n];
    for k in (0..n).rev() {
        let s: f64 = (k + 1..n).map(|j| a[k][j] * x[j]).sum();
        x[k] = (b[k] - s) / a[k][k];
    }
    x
}

/// Newton's method with a backtracking line search: the number of iterations to a gradient
/// below `tol`, and the point.
pub fn newton(mut x: Vec<f64>, tol: f64) -> (usize, Vec<f64>) {
    for iteration in 0..100 {
        let (f, g, h) = rosenbrock_hessian(&x);
        if g.iter().map(|v| v * v).sum::<f64>().sqrt() < tol {
            return (iteration, x);
        }
        let mut step = solve(h.to_rows(), g.iter().map(|v| -v).collect());
        // Where the Hessian is not positive definite the Newton step may climb: go down the
        // gradient instead.
        if g.iter().zip(&step).map(|(a, b)| a * b).sum::<f64>() >= 0.0 {
            step = g.iter().map(|v| -v).collect();
        }
        let mut t = 1.0;
        loop {
            let trial: Vec<f64> = x.iter().zip(&step).map(|(a, s)| a + t * s).collect();
            if rosenbrock(&trial) <= f + 1e-4 * t * g.iter().zip(&step).map(|(a, b)| a * b).sum::<f64>() || t < 1e-8 {
                x = trial;
                break;
            }
            t *= 0.5;
        }
    }
    (100, x)
}

/// Levenberg–Marquardt on the residuals: the parameters and the final sum of squares.
pub fn fit(t: &[f64], y: &[f64], mut p: [f64; 3]) -> ([f64; 3], f64) {
    let mut lambda = 1e-3;
    let cost = |p: [f64; 3]| residuals(p, t, y).iter().map(|r| r * r).sum::<f64>();
    for _ in 0..100 {
        let (r, j) = residuals_jacobian(p, t, y);
        // (JᵀJ + λ diag JᵀJ) δ = −Jᵀr
        let mut a = vec![vec![0.0; 3]; 3];
        let mut b = vec![0.0; 3];
        for (i, ri) in r.iter().enumerate() {
            let row = j.row(i);
            for u in 0..3 {
                b[u] -= row[u] * ri;
                for v in 0..3 {
                    a[u][v] += row[u] * row[v];
                }
            }
        }
        for u in 0..3 {
            a[u][u] *= 1.0 + lambda;
        }
        let delta = solve(a, b);
        let trial = [p[0] + delta[0], p[1] + delta[1], p[2] + delta[2]];
        if cost(trial) < cost(p) {
            p = trial;
            lambda *= 0.3;
        } else {
            lambda *= 10.0;
        }
        if delta.iter().map(|d| d.abs()).fold(0.0, f64::max) < 1e-12 {
            break;
        }
    }
    (p, cost(p))
}

fn main() {
    let start: Vec<f64> = (0..10).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    let (iterations, x) = newton(start, 1e-10);
    println!("Newton on the extended Rosenbrock function (n = 10), from (-1.2, 1, ...):");
    println!("  {iterations} iterations to |∇f| < 1e-10, x = {:.6?}", x);

    let truth = [2.0, 0.3, 1.7];
    let t: Vec<f64> = (0..8).map(|i| 0.5 * i as f64).collect();
    let y: Vec<f64> = t.iter().map(|&t| truth[0] * (-truth[1] * t).exp() * (truth[2] * t).cos()).collect();
    let (p, cost) = fit(&t, &y, [1.0, 0.1, 1.5]);
    println!("Levenberg–Marquardt fit of a e^(-bt) cos(ct) to 8 samples of (2, 0.3, 1.7):");
    println!("  (a, b, c) = ({:.6}, {:.6}, {:.6}), sum of squares {cost:.2e}", p[0], p[1], p[2]);
}
