//! `saddle`: the saddle point of f(p₁, p₂) = ‖p₁‖² − ‖p₂‖², found as the argmin over p₁ of
//! the max over p₂ (`r1_cost`), then the argmax over p₂ at that p₁. The max is gradient
//! ascent inside a differentiable function, over the inner gradient of `objective`; the
//! argmin differentiates through it: nested differentiation in the eval's four orders
//! (`rf`: the outer solver in reverse mode over the inner one in forward mode, …).
//! Written as `cpp/gradbench/evals/saddle.hpp` and `gd.hpp` write it.

use super::solver;
use crate::json::{Json, Result};
use crate::task::{Boxed, boxed};
use chainrule::prelude::*;

#[differentiable]
pub fn objective<F: Float>(p1: [F; 2], p2: [F; 2]) -> F {
    (p1[0] * p1[0] + p1[1] * p1[1]) - (p2[0] * p2[0] + p2[1] * p2[1])
}

/// max over p₂ of f(p₁, p₂), by `solver::argmin`'s steps on −f from `start`, with the
/// gradient over p₂ by reverse mode.
#[differentiable]
pub fn r1_cost_r(p1: [f64; 2], #[no_grad] start: [f64; 2]) -> f64 {
    let mut x = [start[0], start[1]];
    let mut fx = -objective(p1, x);
    // The gradient's elements by pattern, each `_` one float: chainrule reads a nested
    // call's array result through a pattern here, not by index.
    let (_, ([_, _], [g0, g1])) = objective_grad(p1, x);
    let mut gx = [-g0, -g1];
    let mut i = 0;
    let mut eta = 1e-5;
    loop {
        if (gx[0] * gx[0] + gx[1] * gx[1]).sqrt() <= 1e-5 {
            break;
        } else if i == 10 {
            eta *= 2.0;
            i = 0;
        } else {
            let x_prime = [x[0] - eta * gx[0], x[1] - eta * gx[1]];
            let step = [x[0] - x_prime[0], x[1] - x_prime[1]];
            if (step[0] * step[0] + step[1] * step[1]).sqrt() <= 1e-5 {
                break;
            }
            let fx_prime = -objective(p1, x_prime);
            if fx_prime < fx {
                x[0] = x_prime[0];
                x[1] = x_prime[1];
                fx = fx_prime;
                let (_, ([_, _], [g0, g1])) = objective_grad(p1, x);
                gx[0] = -g0;
                gx[1] = -g1;
                i += 1;
            } else {
                eta /= 2.0;
                i = 0;
            }
        }
    }
    objective(p1, x)
}

/// The same with the gradient over p₂ by forward mode, one tangent per coordinate (written
/// out twice, as `particle`'s integrators are, for their speed).
#[differentiable]
pub fn r1_cost_f(p1: [f64; 2], #[no_grad] start: [f64; 2]) -> f64 {
    let mut x = [start[0], start[1]];
    let mut fx = -objective(p1, x);
    let (_, g0) = objective_jvp(p1, [0.0, 0.0], x, [1.0, 0.0]);
    let (_, g1) = objective_jvp(p1, [0.0, 0.0], x, [0.0, 1.0]);
    let mut gx = [-g0, -g1];
    let mut i = 0;
    let mut eta = 1e-5;
    loop {
        if (gx[0] * gx[0] + gx[1] * gx[1]).sqrt() <= 1e-5 {
            break;
        } else if i == 10 {
            eta *= 2.0;
            i = 0;
        } else {
            let x_prime = [x[0] - eta * gx[0], x[1] - eta * gx[1]];
            let step = [x[0] - x_prime[0], x[1] - x_prime[1]];
            if (step[0] * step[0] + step[1] * step[1]).sqrt() <= 1e-5 {
                break;
            }
            let fx_prime = -objective(p1, x_prime);
            if fx_prime < fx {
                x[0] = x_prime[0];
                x[1] = x_prime[1];
                fx = fx_prime;
                let (_, g0) = objective_jvp(p1, [0.0, 0.0], x, [1.0, 0.0]);
                let (_, g1) = objective_jvp(p1, [0.0, 0.0], x, [0.0, 1.0]);
                gx[0] = -g0;
                gx[1] = -g1;
                i += 1;
            } else {
                eta /= 2.0;
                i = 0;
            }
        }
    }
    objective(p1, x)
}

/// The gradient of `f` at `x` by `outer` mode: one `_grad`, or one `_jvp` per coordinate.
fn gradient(
    outer: char,
    x: [f64; 2],
    grad: impl Fn([f64; 2]) -> [f64; 2],
    jvp: impl Fn([f64; 2], [f64; 2]) -> f64,
) -> Vec<f64> {
    if outer == 'r' { grad(x).to_vec() } else { vec![jvp(x, [1.0, 0.0]), jvp(x, [0.0, 1.0])] }
}

pub fn saddle(outer: char, inner: char, start: [f64; 2]) -> Vec<f64> {
    let pair = |x: &[f64]| [x[0], x[1]];
    let r1_cost = |p: &[f64]| if inner == 'r' { r1_cost_r(pair(p), start) } else { r1_cost_f(pair(p), start) };
    let r1_grad = |p: &[f64]| {
        let grad = |p| if inner == 'r' { r1_cost_r_grad(p, start).1 } else { r1_cost_f_grad(p, start).1 };
        let jvp = |p, v| if inner == 'r' { r1_cost_r_jvp(p, v, start).1 } else { r1_cost_f_jvp(p, v, start).1 };
        gradient(outer, pair(p), grad, jvp)
    };
    let r1 = solver::argmin(r1_cost, r1_grad, &start);
    let p1 = pair(&r1);
    let r2_cost = |p: &[f64]| objective(p1, pair(p));
    let r2_grad =
        |p: &[f64]| gradient(outer, pair(p), |p| objective_grad(p1, p).1.1, |p, v| objective_jvp(p1, [0.0; 2], p, v).1);
    let r2 = solver::argmax(r2_cost, r2_grad, &start);
    [r1, r2].concat()
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let start = input.get("start")?.floats()?;
    let [a, b] = start[..] else { return Err("saddle: `start` must have 2 numbers".into()) };
    let mut modes = function.chars();
    match (modes.next(), modes.next(), modes.next()) {
        (Some(outer @ ('r' | 'f')), Some(inner @ ('r' | 'f')), None) => Ok(boxed(move || saddle(outer, inner, [a, b]))),
        _ => Err(super::unknown("saddle", function)),
    }
}
