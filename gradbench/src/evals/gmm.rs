//! `gmm`: the log-posterior of a Gaussian mixture with a Wishart prior on the inverse
//! covariances, and its gradient over `alpha`, `mu`, `q` and `l`. Written as
//! `cpp/gradbench/evals/gmm.hpp` (after ADBench) writes it: the helpers `subtract`,
//! `qtimesx` (writing into buffers), `sqnorm`, `logsumexp` and `log_wishart_prior`, and
//! the local buffers `xcentered`, `qxcentered` and `main_term` filled per point and
//! component.

// Index loops are the loops the reference is written with.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

use crate::json::{Json, Result, ToJson};
use crate::task::{Boxed, boxed, into_buffer};
use chainrule::prelude::*;

#[differentiable]
pub fn sqnorm(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

/// `out = x − y`.
#[differentiable]
pub fn subtract(#[no_grad] x: &[f64], y: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = x[i] - y[i];
    }
}

/// `out = Q x` for Q lower triangular: diagonal `qdiag`, strictly lower part `ltri` column
/// by column.
#[differentiable]
pub fn qtimesx(qdiag: &[f64], ltri: &[f64], x: &[f64], out: &mut [f64]) {
    let d = x.len();
    for id in 0..d {
        out[id] = qdiag[id] * x[id];
    }
    let mut lparamsidx = 0;
    for i in 0..d {
        for j in i + 1..d {
            out[j] += ltri[lparamsidx] * x[i];
            lparamsidx += 1;
        }
    }
}

#[differentiable]
pub fn logsumexp(x: &[f64]) -> f64 {
    let mut mx = x[0];
    for i in 1..x.len() {
        mx = mx.max(x[i]);
    }
    // The shift cancels: its derivative is zero (a hand-written gradient ignores it).
    let mx = stop_gradient(mx);
    let mut semx = 0.0;
    for i in 0..x.len() {
        semx += (x[i] - mx).exp();
    }
    semx.ln() + mx
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: about 1e-15 relative), for the prior's
/// constant; Rust's `ln_gamma` is not stable.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let a = G[1..].iter().enumerate().fold(G[0], |a, (i, g)| a + g / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// ln Γ_p(a), the multivariate gamma function.
fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    let p = p as f64;
    let mut out = 0.25 * p * (p - 1.0) * std::f64::consts::PI.ln();
    for j in 1..=p as usize {
        out += ln_gamma(a + 0.5 * (1.0 - j as f64));
    }
    out
}

#[differentiable]
pub fn log_wishart_prior(
    #[no_grad] d: usize,
    #[no_grad] k: usize,
    #[no_grad] gamma: f64,
    #[no_grad] m: usize,
    sum_qs: &[f64],
    qdiags: &[f64],
    l: &[f64],
) -> f64 {
    let n = d + m + 1;
    let l_sz = d * (d - 1) / 2;
    let c = (n * d) as f64 * (gamma.ln() - 0.5 * 2.0f64.ln()) - log_gamma_distrib(0.5 * n as f64, d);
    let mut out = 0.0;
    for ik in 0..k {
        let frobenius = sqnorm(&qdiags[ik * d..(ik + 1) * d]) + sqnorm(&l[ik * l_sz..(ik + 1) * l_sz]);
        out += 0.5 * gamma * gamma * frobenius - m as f64 * sum_qs[ik];
    }
    -out + k as f64 * c
}

#[differentiable]
pub fn objective(
    #[no_grad] d: usize,
    #[no_grad] k: usize,
    #[no_grad] n: usize,
    alpha: &[f64],
    mu: &[f64],
    q: &[f64],
    l: &[f64],
    #[no_grad] x: &[f64],
    #[no_grad] gamma: f64,
    #[no_grad] m: usize,
) -> f64 {
    let constant = -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln();
    let l_sz = d * (d - 1) / 2;
    let mut qdiags = vec![0.0; d * k];
    let mut sum_qs = vec![0.0; k];
    for i in 0..d * k {
        qdiags[i] = q[i].exp();
    }
    for i in 0..k {
        for j in 0..d {
            sum_qs[i] += q[i * d + j];
        }
    }
    let mut xcentered = vec![0.0; d];
    let mut qxcentered = vec![0.0; d];
    let mut main_term = vec![0.0; k];
    let mut slse = 0.0;
    for ix in 0..n {
        for ik in 0..k {
            subtract(&x[ix * d..(ix + 1) * d], &mu[ik * d..(ik + 1) * d], &mut xcentered);
            qtimesx(&qdiags[ik * d..(ik + 1) * d], &l[ik * l_sz..(ik + 1) * l_sz], &xcentered, &mut qxcentered);
            main_term[ik] = alpha[ik] + sum_qs[ik] - 0.5 * sqnorm(&qxcentered);
        }
        slse += logsumexp(&main_term);
    }
    let lse_alpha = logsumexp(alpha);
    let err = constant + slse - n as f64 * lse_alpha;
    err + log_wishart_prior(d, k, gamma, m, &sum_qs, &qdiags, l)
}

struct Input {
    d: usize,
    k: usize,
    n: usize,
    alpha: Vec<f64>,
    mu: Vec<f64>,
    q: Vec<f64>,
    l: Vec<f64>,
    x: Vec<f64>,
    gamma: f64,
    m: usize,
}

/// The gradient, shaped as the eval's `jacobian` output.
struct Gradient {
    d: usize,
    alpha: Vec<f64>,
    mu: Vec<f64>,
    q: Vec<f64>,
    l: Vec<f64>,
}

impl ToJson for Gradient {
    fn to_json(&self) -> Json {
        let l_sz = (self.d * (self.d - 1) / 2).max(1);
        let rows = |v: &[f64], w: usize| Json::Arr(v.chunks(w).map(ToJson::to_json).collect());
        let l = if self.d > 1 {
            rows(&self.l, l_sz)
        } else {
            Json::Arr(self.alpha.iter().map(|_| Json::Arr(vec![])).collect())
        };
        Json::obj([
            ("alpha", self.alpha.to_json()),
            ("mu", rows(&self.mu, self.d)),
            ("q", rows(&self.q, self.d)),
            ("l", l),
        ])
    }
}

fn parse(input: &Json) -> Result<Input> {
    let (d, k, n) = (input.get("d")?.usize()?, input.get("k")?.usize()?, input.get("n")?.usize()?);
    let flat = |name: &str, len: usize| -> Result<Vec<f64>> {
        let v = input.get(name)?.rows()?.concat();
        if v.len() == len { Ok(v) } else { Err(format!("gmm: `{name}` has {} numbers, not {len}", v.len())) }
    };
    let alpha = input.get("alpha")?.floats()?;
    if alpha.len() != k || d == 0 || k == 0 {
        return Err(format!("gmm: `alpha` has {} numbers for k = {k} (d = {d})", alpha.len()));
    }
    Ok(Input {
        alpha,
        mu: flat("mu", k * d)?,
        q: flat("q", k * d)?,
        l: flat("l", k * (d * (d - 1) / 2))?,
        x: flat("x", n * d)?,
        gamma: input.get("gamma")?.num()?,
        m: input.get("m")?.usize()?,
        d,
        k,
        n,
    })
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let p = parse(input)?;
    let run = move |p: &Input| objective(p.d, p.k, p.n, &p.alpha, &p.mu, &p.q, &p.l, &p.x, p.gamma, p.m);
    match function {
        "objective" => Ok(boxed(move || run(&p))),
        "jacobian" => {
            let zeros = |v: &Vec<f64>| vec![0.0; v.len()];
            let g = Gradient { d: p.d, alpha: zeros(&p.alpha), mu: zeros(&p.mu), q: zeros(&p.q), l: zeros(&p.l) };
            Ok(into_buffer(g, move |g| {
                for v in [&mut g.alpha, &mut g.mu, &mut g.q, &mut g.l] {
                    v.fill(0.0);
                }
                let Input { d, k, n, gamma, m, .. } = p;
                objective_vjp(
                    d,
                    k,
                    n,
                    &p.alpha,
                    &mut g.alpha,
                    &p.mu,
                    &mut g.mu,
                    &p.q,
                    &mut g.q,
                    &p.l,
                    &mut g.l,
                    &p.x,
                    gamma,
                    m,
                    1.0,
                );
            }))
        }
        _ => Err(super::unknown("gmm", function)),
    }
}
