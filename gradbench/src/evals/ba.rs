//! `ba`: bundle adjustment's residuals (a reprojection error per observation, a weight error
//! per observation) and their sparse Jacobian. Written as `cpp/gradbench/evals/ba.hpp`
//! (after ADBench) writes it: `rodrigues_rotate_point`, `radial_distort` and `project`
//! writing into small local arrays, `compute_reproj_error` per observation; the Jacobian of
//! each observation's two residuals over its camera, point and weight (15 columns) by vector
//! forward mode, `compute_reproj_error` run once on 15-lane duals, gathered into the same CSR
//! matrix as the reference. (`compute_reproj_error_jacobian` gives the same block; for 2
//! results of 15 inputs it takes two reverse passes, 1.8× slower here.)

use crate::json::{Json, Result, ToJson};
use crate::task::{Boxed, into_buffer};
use chainrule::dual::Dual;
use chainrule::prelude::*;

const NCAMPARAMS: usize = 11;

#[differentiable]
pub fn sqsum<F: Float>(x: &[F]) -> F {
    let mut res = F::ZERO;
    for i in 0..x.len() {
        res += x[i] * x[i];
    }
    res
}

#[differentiable]
pub fn cross<F: Float>(a: &[F], b: &[F], out: &mut [F]) {
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

/// `pt` rotated by the angle-axis vector `rot` (Rodrigues' formula, as Ceres evaluates it).
#[differentiable]
pub fn rodrigues_rotate_point<F: Float>(rot: &[F], pt: &[F], rotated_pt: &mut [F]) {
    let sqtheta = sqsum(rot);
    if sqtheta != F::ZERO {
        let theta = sqtheta.sqrt();
        let costheta = theta.cos();
        let sintheta = theta.sin();
        let theta_inverse = F::ONE / theta;
        let mut w = [F::ZERO; 3];
        for i in 0..3 {
            w[i] = rot[i] * theta_inverse;
        }
        let mut w_cross_pt = [F::ZERO; 3];
        cross(&w, pt, &mut w_cross_pt);
        let tmp = (w[0] * pt[0] + w[1] * pt[1] + w[2] * pt[2]) * (F::ONE - costheta);
        for i in 0..3 {
            rotated_pt[i] = pt[i] * costheta + w_cross_pt[i] * sintheta + w[i] * tmp;
        }
    } else {
        let mut rot_cross_pt = [F::ZERO; 3];
        cross(rot, pt, &mut rot_cross_pt);
        for i in 0..3 {
            rotated_pt[i] = pt[i] + rot_cross_pt[i];
        }
    }
}

#[differentiable]
pub fn radial_distort<F: Float>(rad_params: &[F], proj: &mut [F]) {
    let rsq = sqsum(&proj[..]);
    let l = F::ONE + rad_params[0] * rsq + rad_params[1] * rsq * rsq;
    proj[0] *= l;
    proj[1] *= l;
}

#[differentiable]
pub fn project<F: Float>(cam: &[F], x: &[F], proj: &mut [F]) {
    let mut xo = [F::ZERO; 3];
    for i in 0..3 {
        xo[i] = x[i] - cam[3 + i];
    }
    let mut xcam = [F::ZERO; 3];
    rodrigues_rotate_point(&cam[0..3], &xo, &mut xcam);
    proj[0] = xcam[0] / xcam[2];
    proj[1] = xcam[1] / xcam[2];
    radial_distort(&cam[9..11], proj);
    proj[0] = proj[0] * cam[6] + cam[7];
    proj[1] = proj[1] * cam[6] + cam[8];
}

#[differentiable]
pub fn compute_reproj_error<F: Float>(cam: &[F], x: &[F], w: F, #[no_grad] feat: &[F]) -> [F; 2] {
    let mut proj = [F::ZERO; 2];
    project(cam, x, &mut proj);
    [w * (proj[0] - feat[0]), w * (proj[1] - feat[1])]
}

#[differentiable]
pub fn compute_zach_weight_error(w: f64) -> f64 {
    1.0 - w * w
}

struct Input {
    n: usize,
    m: usize,
    p: usize,
    cams: Vec<f64>,
    x: Vec<f64>,
    w: Vec<f64>,
    obs: Vec<[usize; 2]>,
    feats: Vec<f64>,
}

/// The eval's input is one camera, point, weight and feature, to be repeated `n`, `m` and
/// `p` times, observation `i` seeing point `i % m` from camera `i % n`.
fn parse(input: &Json) -> Result<Input> {
    let (n, m, p) = (input.get("n")?.usize()?, input.get("m")?.usize()?, input.get("p")?.usize()?);
    let (cam, x, feat) = (input.get("cam")?.floats()?, input.get("x")?.floats()?, input.get("feat")?.floats()?);
    if cam.len() != NCAMPARAMS || x.len() != 3 || feat.len() != 2 || n == 0 || m == 0 || p == 0 {
        return Err("ba: `cam` must have 11 numbers, `x` 3, `feat` 2, and n, m, p be positive".into());
    }
    Ok(Input {
        cams: cam.repeat(n),
        x: x.repeat(m),
        w: vec![input.get("w")?.num()?; p],
        obs: (0..p).map(|i| [i % n, i % m]).collect(),
        feats: feat.repeat(p),
        n,
        m,
        p,
    })
}

fn objective(p: &Input, reproj_err: &mut [f64], w_err: &mut [f64]) {
    for (i, &[cam, pt]) in p.obs.iter().enumerate() {
        let cam = &p.cams[cam * NCAMPARAMS..(cam + 1) * NCAMPARAMS];
        let e = compute_reproj_error(cam, &p.x[pt * 3..pt * 3 + 3], p.w[i], &p.feats[i * 2..i * 2 + 2]);
        reproj_err[2 * i..2 * i + 2].copy_from_slice(&e);
    }
    for (e, &w) in w_err.iter_mut().zip(&p.w) {
        *e = compute_zach_weight_error(w);
    }
}

/// The residuals, as the eval reports them: the first observation's, and how many.
struct Residuals {
    reproj_err: Vec<f64>,
    w_err: Vec<f64>,
}

impl ToJson for Residuals {
    fn to_json(&self) -> Json {
        let reproj = Json::obj([
            ("elements", self.reproj_err[..2].to_json()),
            ("repeated", (self.reproj_err.len() / 2).to_json()),
        ]);
        let w = Json::obj([("element", self.w_err[0].to_json()), ("repeated", self.w_err.len().to_json())]);
        Json::obj([("reproj_error", reproj), ("w_err", w)])
    }
}

/// The Jacobian in compressed sparse rows: 2p reprojection rows of 15 entries (camera,
/// point, weight), then p weight rows of one.
#[derive(Default)]
struct SparseMat {
    rows: Vec<usize>,
    cols: Vec<usize>,
    vals: Vec<f64>,
}

impl ToJson for SparseMat {
    /// The first 30 entries of each array and the last, as the reference sends.
    fn to_json(&self) -> Json {
        fn head_and_last<T: ToJson>(v: &[T]) -> Json {
            let mut out: Vec<Json> = v.iter().take(30).map(ToJson::to_json).collect();
            out.extend(v.last().map(ToJson::to_json));
            Json::Arr(out)
        }
        Json::obj([
            ("rows", head_and_last(&self.rows)),
            ("cols", head_and_last(&self.cols)),
            ("vals", head_and_last(&self.vals)),
        ])
    }
}

fn jacobian(p: &Input, j: &mut SparseMat) {
    j.rows.clear();
    j.cols.clear();
    j.vals.clear();
    j.rows.push(0);
    let (cam_cols, w_cols) = (NCAMPARAMS * p.n, NCAMPARAMS * p.n + 3 * p.m);
    for (i, &[cam, pt]) in p.obs.iter().enumerate() {
        // Vector forward mode: one pass on duals whose 15 lanes are the camera's 11
        // parameters, the point's 3 coordinates and the weight.
        let camera: [Dual<f64, 15>; NCAMPARAMS] =
            std::array::from_fn(|c| Dual::variable(p.cams[cam * NCAMPARAMS + c], c));
        let x: [Dual<f64, 15>; 3] = std::array::from_fn(|c| Dual::variable(p.x[pt * 3 + c], NCAMPARAMS + c));
        let w = Dual::variable(p.w[i], NCAMPARAMS + 3);
        let feat = [Dual::constant(p.feats[i * 2]), Dual::constant(p.feats[i * 2 + 1])];
        let err = compute_reproj_error(&camera, &x, w, &feat);
        for e in &err {
            j.rows.push(j.rows.last().unwrap() + NCAMPARAMS + 3 + 1);
            j.cols.extend((0..NCAMPARAMS).map(|c| NCAMPARAMS * cam + c));
            j.cols.extend((0..3).map(|c| cam_cols + 3 * pt + c));
            j.cols.push(w_cols + i);
            j.vals.extend_from_slice(&e.eps);
        }
    }
    for (i, &w) in p.w.iter().enumerate() {
        j.rows.push(j.rows.last().unwrap() + 1);
        j.cols.push(w_cols + i);
        j.vals.push(compute_zach_weight_error_grad(w).1);
    }
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let p = parse(input)?;
    match function {
        "objective" => {
            let r = Residuals { reproj_err: vec![0.0; 2 * p.p], w_err: vec![0.0; p.p] };
            Ok(into_buffer(r, move |r| objective(&p, &mut r.reproj_err, &mut r.w_err)))
        }
        "jacobian" => Ok(into_buffer(SparseMat::default(), move |j| jacobian(&p, j))),
        _ => Err(super::unknown("ba", function)),
    }
}
