//! The extended Rosenbrock function (n = 10, from (−1.2, 1, …)) minimised by argmin's
//! solvers with chainrule's derivatives: L-BFGS with the generated gradient, and Newton's
//! method with the generated Hessian.
//!
//!     cargo run --example argmin --features argmin

// Index loops read as the formula they implement.
#![allow(clippy::needless_range_loop)]

use argmin::core::{Error, Executor, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::newton::Newton;
use argmin::solver::quasinewton::LBFGS;
use chainrule::argmin::Objective;
use chainrule::prelude::*;

/// Σ over pairs 100 (x₂ᵢ₊₁ − x₂ᵢ²)² + (1 − x₂ᵢ)², minimal (0) at (1, …, 1).
#[differentiable]
pub fn rosenbrock<F: Float>(x: &[F]) -> F {
    let mut s = F::ZERO;
    for i in 0..x.len() / 2 {
        let a = x[2 * i + 1] - x[2 * i] * x[2 * i];
        let b = F::ONE - x[2 * i];
        s += F::from_f64(100.0) * a * a + b * b;
    }
    s
}

/// The starting point of Moré, Garbow and Hillstrom: (−1.2, 1) repeated.
pub fn start(n: usize) -> Vec<f64> {
    (0..n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect()
}

/// L-BFGS (memory 7): the minimiser found and the iterations it took.
pub fn lbfgs(n: usize) -> Result<(Vec<f64>, u64), Error> {
    let problem = Objective::new(rosenbrock::<f64>, |x| rosenbrock_grad(x).1);
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 7).with_tolerance_grad(1e-10)?;
    let result = Executor::new(problem, solver).configure(|s| s.param(start(n)).max_iters(200)).run()?;
    Ok((result.state.get_best_param().cloned().unwrap_or_default(), result.state.get_iter()))
}

/// Newton's method (full steps): the point after `iterations` steps.
pub fn newton(n: usize, iterations: u64) -> Result<(Vec<f64>, u64), Error> {
    let problem = Objective::new(rosenbrock::<f64>, |x| rosenbrock_grad(x).1).with_hessian(|x| rosenbrock_hessian(x).2);
    let result =
        Executor::new(problem, Newton::<f64>::new()).configure(|s| s.param(start(n)).max_iters(iterations)).run()?;
    Ok((result.state.get_best_param().cloned().unwrap_or_default(), result.state.get_iter()))
}

#[allow(dead_code)]
fn main() -> Result<(), Error> {
    for (name, (x, iterations)) in [("L-BFGS", lbfgs(10)?), ("Newton", newton(10, 30)?)] {
        let worst = x.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max);
        println!("{name:<10} {iterations:>3} iterations, f = {:.3e}, max |x - 1| = {worst:.1e}", rosenbrock(&x));
    }
    Ok(())
}
