//! `lse`: log-sum-exp of a vector, and its gradient (the softmax). Written as the reference
//! (`cpp/gradbench/evals/lse.hpp`) writes it: the maximum, then the shifted sum.

use crate::json::{Json, Result};
use crate::task::{Boxed, boxed, into_buffer};
use chainrule::prelude::*;

#[differentiable]
pub fn logsumexp(x: &[f64]) -> f64 {
    let mut a = x[0];
    for &xi in x.iter() {
        a = a.max(xi);
    }
    // The shift cancels in exact arithmetic: its derivative is zero, so it is detached (as
    // a hand-written gradient would not differentiate through it).
    let a = stop_gradient(a);
    let mut s = 0.0;
    for &xi in x.iter() {
        s += (xi - a).exp();
    }
    s.ln() + a
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let x = input.get("x")?.floats()?;
    if x.is_empty() {
        return Err("lse: `x` is empty".into());
    }
    match function {
        "primal" => Ok(boxed(move || logsumexp(&x))),
        "gradient" => Ok(into_buffer(vec![0.0; x.len()], move |g| {
            g.fill(0.0);
            logsumexp_vjp(&x, g, 1.0);
        })),
        _ => Err(super::unknown("lse", function)),
    }
}
