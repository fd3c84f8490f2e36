//! `kmeans`: the k-means cost Σᵢ minⱼ ‖Cⱼ − Pᵢ‖², and `dir` = J ⊘ diag(H), its gradient over
//! the centroids divided by the diagonal of its Hessian (one Newton step per coordinate).
//! Written as `cpp/gradbench/evals/kmeans.hpp` writes it: the points and centroids row after
//! row in flat vectors, `euclid_dist_2` called on sub-slices of both. The Hessian is
//! diagonal (each term depends on one centroid coordinate), so its diagonal is H·1, one
//! Hessian-vector product (`cost_hvp`, forward over reverse), as JAX's tool computes it.

use crate::json::{Json, Result, ToJson};
use crate::task::{Boxed, boxed, into_buffer};
use chainrule::prelude::*;

#[differentiable]
pub fn euclid_dist_2<F: Float>(a: &[F], b: &[F]) -> F {
    let mut dist = F::ZERO;
    for i in 0..a.len() {
        dist += (a[i] - b[i]) * (a[i] - b[i]);
    }
    dist
}

#[differentiable]
pub fn cost<F: Float>(#[no_grad] points: &[F], centroids: &[F], #[no_grad] d: usize) -> F {
    let n = points.len() / d;
    let k = centroids.len() / d;
    let mut cost = F::ZERO;
    for i in 0..n {
        let a = &points[i * d..(i + 1) * d];
        let mut closest = F::INFINITY;
        for j in 0..k {
            closest = closest.min(euclid_dist_2(a, &centroids[j * d..(j + 1) * d]));
        }
        cost += closest;
    }
    cost
}

/// The rows of an `f64[n][d]` input, one after the other, and `d`.
fn flat_rows(rows: &Json, name: &str) -> Result<(Vec<f64>, usize)> {
    let rows = rows.rows()?;
    let d = rows.first().map_or(0, Vec::len);
    if d == 0 || rows.iter().any(|r| r.len() != d) {
        return Err(format!("kmeans: `{name}` is not a non-empty matrix"));
    }
    Ok((rows.concat(), d))
}

/// Rows of `d` numbers, as the eval's `f64[k][d]`.
struct Rows(Vec<f64>, usize);

impl ToJson for Rows {
    fn to_json(&self) -> Json {
        Json::Arr(self.0.chunks(self.1).map(ToJson::to_json).collect())
    }
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let (points, d) = flat_rows(input.get("points")?, "points")?;
    let (centroids, dc) = flat_rows(input.get("centroids")?, "centroids")?;
    if d != dc {
        return Err(format!("kmeans: points have {d} coordinates, centroids {dc}"));
    }
    match function {
        "cost" => Ok(boxed(move || cost(&points, &centroids, d))),
        "dir" => {
            let ones = vec![1.0; centroids.len()];
            Ok(into_buffer(Rows(vec![0.0; centroids.len()], d), move |dir| {
                let (_, j, h) = cost_hvp(&points, &centroids, d, &ones);
                for ((o, j), h) in dir.0.iter_mut().zip(&j).zip(&h) {
                    *o = j / h;
                }
            }))
        }
        _ => Err(super::unknown("kmeans", function)),
    }
}
