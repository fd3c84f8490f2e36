//! `llsq`: a linear least-squares objective, ½ Σᵢ (sign(tᵢ) − Σⱼ xⱼ tᵢʲ)², and its gradient.
//! Written as `cpp/gradbench/evals/llsq.hpp` writes it, helpers `t` and `s` included.

use crate::json::{Json, Result};
use crate::task::{Boxed, boxed, into_buffer};
use chainrule::prelude::*;

/// The `i`-th of `n` points evenly spaced on [−1, 1].
fn t(i: usize, n: usize) -> f64 {
    -1.0 + i as f64 * 2.0 / (n as f64 - 1.0)
}

/// The sign of `t`, 0 at 0.
fn s(t: f64) -> f64 {
    ((0.0 < t) as i32 - (t < 0.0) as i32) as f64
}

#[differentiable]
pub fn llsq(x: &[f64], #[no_grad] n: usize) -> f64 {
    let m = x.len();
    let mut sum = 0.0;
    for i in 0..n {
        let ti = t(i, n);
        let mut inner = s(ti);
        let mut mul = 1.0;
        for j in 0..m {
            inner -= x[j] * mul;
            mul *= ti;
        }
        sum += inner * inner;
    }
    sum / 2.0
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let (x, n) = (input.get("x")?.floats()?, input.get("n")?.usize()?);
    match function {
        "primal" => Ok(boxed(move || llsq(&x, n))),
        "gradient" => Ok(into_buffer(vec![0.0; x.len()], move |g| {
            g.fill(0.0);
            llsq_vjp(&x, g, n, 1.0);
        })),
        _ => Err(super::unknown("llsq", function)),
    }
}
