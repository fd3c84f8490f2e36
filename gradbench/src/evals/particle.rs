//! `particle`: a charged particle between two fixed charges, integrated by Euler's method
//! until it crosses the x axis; the control `w` (the second charge at (10, 10 − w)) that
//! makes it cross at the origin is found by gradient descent. The force is the gradient of
//! the potential, taken inside the integrator, which is differentiated again: nested
//! differentiation in the four orders of the eval (`rf`: the argmin in reverse mode over
//! the integrator in forward mode, …). Written as `cpp/gradbench/evals/particle.hpp` and
//! the `finite` tool write it.

use super::solver;
use crate::json::{Json, Result};
use crate::task::{Boxed, boxed};
use chainrule::prelude::*;

#[differentiable]
pub fn dist<F: Float>(u: [F; 2], v: [F; 2]) -> F {
    ((u[0] - v[0]) * (u[0] - v[0]) + (u[1] - v[1]) * (u[1] - v[1])).sqrt()
}

/// The potential at `x` of the charges at (10, 10 − w) and (10, 0) (the reference's
/// `accel`).
#[differentiable]
pub fn accel<F: Float>(x: [F; 2], w: F) -> F {
    let ten = F::from_f64(10.0);
    F::ONE / dist([ten, ten - w], x) + F::ONE / dist([ten, F::ZERO], x)
}

/// The squared distance from the origin at which the particle crosses the x axis; the
/// force by reverse mode.
#[differentiable]
pub fn naive_euler_r(w: f64) -> f64 {
    let mut x = [0.0, 8.0];
    let mut xdot = [0.75, 0.0];
    let delta_t = 1e-1;
    loop {
        let (_, ([ax, ay], _)) = accel_grad(x, w);
        let xddot = [-ax, -ay];
        x[0] += delta_t * xdot[0];
        x[1] += delta_t * xdot[1];
        if x[1] <= 0.0 {
            let delta_t_f = -x[1] / xdot[1];
            let x_t_f = x[0] + delta_t_f * xdot[0];
            return x_t_f * x_t_f;
        }
        xdot[0] += delta_t * xddot[0];
        xdot[1] += delta_t * xddot[1];
    }
}

/// The same with the force by forward mode, one tangent per coordinate. (Written out twice
/// on purpose: one function with a `#[no_grad]` flag choosing the mode made the outer
/// derivatives carry both branches, 40–80% slower for rr and ff.)
#[differentiable]
pub fn naive_euler_f(w: f64) -> f64 {
    let mut x = [0.0, 8.0];
    let mut xdot = [0.75, 0.0];
    let delta_t = 1e-1;
    let along_x = [1.0, 0.0];
    let along_y = [0.0, 1.0];
    loop {
        let (_, ax) = accel_jvp(x, along_x, w, 0.0);
        let (_, ay) = accel_jvp(x, along_y, w, 0.0);
        let xddot = [-ax, -ay];
        x[0] += delta_t * xdot[0];
        x[1] += delta_t * xdot[1];
        if x[1] <= 0.0 {
            let delta_t_f = -x[1] / xdot[1];
            let x_t_f = x[0] + delta_t_f * xdot[0];
            return x_t_f * x_t_f;
        }
        xdot[0] += delta_t * xddot[0];
        xdot[1] += delta_t * xddot[1];
    }
}

/// The control found from `w0`, with the outer derivative in `outer` mode over the
/// integrator whose force is in `inner` mode.
pub fn particle(outer: char, inner: char, w0: f64) -> f64 {
    let f = |w: &[f64]| if inner == 'r' { naive_euler_r(w[0]) } else { naive_euler_f(w[0]) };
    let g = |w: &[f64]| {
        vec![match (outer, inner) {
            ('r', 'r') => naive_euler_r_grad(w[0]).1,
            ('r', _) => naive_euler_f_grad(w[0]).1,
            (_, 'r') => naive_euler_r_jvp(w[0], 1.0).1,
            _ => naive_euler_f_jvp(w[0], 1.0).1,
        }]
    };
    solver::argmin(f, g, &[w0])[0]
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let w0 = input.get("w")?.num()?;
    let mut modes = function.chars();
    match (modes.next(), modes.next(), modes.next()) {
        (Some(outer @ ('r' | 'f')), Some(inner @ ('r' | 'f')), None) => Ok(boxed(move || particle(outer, inner, w0))),
        _ => Err(super::unknown("particle", function)),
    }
}
