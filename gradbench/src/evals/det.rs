//! `det`: the determinant of an ℓ×ℓ matrix by expansion in minors, and its gradient. Written
//! as `cpp/gradbench/evals/det.hpp` (after cmpad's `det_of_minor`) writes it: recursive, the
//! minor described by "next row" and "next column" index lists that the recursion edits and
//! restores instead of copying the matrix.

use crate::json::{Json, Result};
use crate::task::{Boxed, boxed, into_buffer};
use chainrule::prelude::*;

/// The determinant of the `m`×`m` minor of the `n`×`n` matrix `a` whose rows are `r[n]`,
/// `r[r[n]]`, … and columns `c[n]`, `c[c[n]]`, ….
#[differentiable]
pub fn det_of_minor(
    a: &[f64],
    #[no_grad] n: usize,
    #[no_grad] m: usize,
    #[no_grad] r: &mut [usize],
    #[no_grad] c: &mut [usize],
) -> f64 {
    let r0 = r[n];
    let mut cj = c[n];
    if m == 1 {
        return a[r0 * n + cj];
    }
    let mut det = 0.0;
    let mut sign = 1.0;
    // Remove row 0 of the minor from all its sub-minors.
    r[n] = r[r0];
    // The index in `c` of the column before column `j` of the minor.
    let mut cj1 = n;
    for _j in 0..m {
        let m0j = a[r0 * n + cj];
        // Remove column `j` to form the sub-minor, take its determinant, put the column back.
        c[cj1] = c[cj];
        let det_s = det_of_minor(a, n, m - 1, r, c);
        c[cj1] = cj;
        det += sign * m0j * det_s;
        cj1 = cj;
        cj = c[cj];
        sign = -sign;
    }
    r[n] = r0;
    det
}

#[differentiable]
pub fn det(a: &[f64], #[no_grad] ell: usize) -> f64 {
    let mut r = vec![0; ell + 1];
    let mut c = vec![0; ell + 1];
    for i in 0..ell {
        r[i] = i + 1;
        c[i] = i + 1;
    }
    det_of_minor(a, ell, ell, &mut r, &mut c)
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let (a, ell) = (input.get("A")?.floats()?, input.get("ell")?.usize()?);
    if a.len() != ell * ell {
        return Err(format!("det: `A` has {} numbers, not ell² = {}", a.len(), ell * ell));
    }
    match function {
        "primal" => Ok(boxed(move || det(&a, ell))),
        "gradient" => Ok(into_buffer(vec![0.0; a.len()], move |g| {
            g.fill(0.0);
            det_vjp(&a, g, ell, 1.0);
        })),
        _ => Err(super::unknown("det", function)),
    }
}
