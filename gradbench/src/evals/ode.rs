//! `ode`: `s` steps of the classic Runge–Kutta method on y′ = f(x, y), f(y)₀ = x₀,
//! f(y)ᵢ = xᵢ yᵢ₋₁, from y = 0 over [0, 2]; the gradient is that of the last element of the
//! result. Written as `cpp/gradbench/evals/ode.hpp` writes it, `ode_fun` writing its result
//! into a buffer.

use crate::json::{Json, Result};
use crate::task::{Boxed, into_buffer};
use chainrule::prelude::*;

#[differentiable]
pub fn ode_fun(x: &[f64], y: &[f64], z: &mut [f64]) {
    z[0] = x[0];
    for i in 1..x.len() {
        z[i] = x[i] * y[i - 1];
    }
}

#[differentiable]
pub fn primal(xi: &[f64], #[no_grad] s: usize, yf: &mut [f64]) {
    let n = xi.len();
    let h = 2.0 / s as f64;
    let mut k1 = vec![0.0; n];
    let mut k2 = vec![0.0; n];
    let mut k3 = vec![0.0; n];
    let mut k4 = vec![0.0; n];
    let mut y_tmp = vec![0.0; n];
    for i in 0..n {
        yf[i] = 0.0;
    }
    for _step in 0..s {
        // `&yf[..]`, not `yf`: a `&mut` parameter passed bare is passed on to be written.
        ode_fun(xi, &yf[..], &mut k1);
        for i in 0..n {
            y_tmp[i] = yf[i] + h * k1[i] / 2.0;
        }
        ode_fun(xi, &y_tmp, &mut k2);
        for i in 0..n {
            y_tmp[i] = yf[i] + h * k2[i] / 2.0;
        }
        ode_fun(xi, &y_tmp, &mut k3);
        for i in 0..n {
            y_tmp[i] = yf[i] + h * k3[i];
        }
        ode_fun(xi, &y_tmp, &mut k4);
        for i in 0..n {
            yf[i] += h * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]) / 6.0;
        }
    }
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let (x, s) = (input.get("x")?.floats()?, input.get("s")?.usize()?);
    let n = x.len();
    if n == 0 || s == 0 {
        return Err("ode: `x` is empty or `s` is 0".into());
    }
    match function {
        "primal" => Ok(into_buffer(vec![0.0; n], move |y| primal(&x, s, y))),
        "gradient" => {
            let (mut y, mut dy) = (vec![0.0; n], vec![0.0; n]);
            Ok(into_buffer(vec![0.0; n], move |g| {
                g.fill(0.0);
                dy.fill(0.0);
                dy[n - 1] = 1.0;
                primal_vjp(&x, g, s, &mut y, &mut dy);
            }))
        }
        _ => Err(super::unknown("ode", function)),
    }
}
