//! Real Rust in (issue 11): constructs numerical code is written with, each differentiated
//! in both modes and checked by the shared property checks (finite differences, forward
//! against reverse, values bit for bit) and by values worked by hand.

// Index loops are one of the forms checked here.
#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::prelude::*;

// ---- Tests of values, assertions, discarded values. -------------------------------------------

/// `is_finite` / `is_nan` on a differentiated value decide a branch; assertions stay in the
/// code; `let _ = ..` discards.
#[differentiable]
fn guarded(x: f64, y: f64) -> f64 {
    assert!(y.is_finite(), "y must be finite, not {}", y);
    debug_assert!(x > -100.0);
    let _ = x * y;
    let r = (x * x + y).sqrt();
    if r.is_nan() || !r.is_finite() { 0.0 } else { r * x }
}

// ---- Destructuring. ---------------------------------------------------------------------------

/// `let (a, b) = (.., ..)`, including a swap.
#[differentiable]
fn rotated(x: f64, t: f64) -> f64 {
    let (c, s) = (t.cos(), t.sin());
    let (mut u, mut v) = (x * c, x * s);
    for _ in 0..3 {
        (u, v) = (v, -u);
    }
    let (u, v) = (v, u);
    u * 2.0 + v
}

#[test]
fn destructured_values_are_differentiated() {
    let (value, (dx, dt)) = rotated_grad(1.5, 0.3);
    let (c, s) = (0.3f64.cos(), 0.3f64.sin());
    // Three quarter turns: (u, v) = (x c, x s) -> (-x s, x c); then swapped.
    assert!((value - (1.5 * c * 2.0 - 1.5 * s)).abs() < 1e-12, "{value}");
    assert!((dx - (2.0 * c - s)).abs() < 1e-12 && (dt - 1.5 * (-2.0 * s - c)).abs() < 1e-12);
}

// ---- Sub-slices as arguments. ----------------------------------------------------------------

#[differentiable]
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        let d = a[i] - b[i];
        s += d * d;
    }
    s
}

#[differentiable]
fn scale_into(k: f64, x: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] = k * x[i];
    }
}

/// k-means' objective, as its reference writes it: each point's distance to its nearest
/// centre, through a helper over rows of the flat arrays.
#[differentiable]
fn nearest(points: &[f64], centres: &[f64], #[no_grad] d: usize) -> f64 {
    let n = points.len() / d;
    let k = centres.len() / d;
    let mut total = 0.0;
    for i in 0..n {
        let mut best = dist2(&points[i * d..(i + 1) * d], &centres[0..d]);
        for j in 1..k {
            let dj = dist2(&points[i * d..(i + 1) * d], &centres[j * d..j * d + d]);
            if dj < best {
                best = dj;
            }
        }
        total += best;
    }
    total
}

/// Parts of one array, one of them to the end, and an output written in halves.
#[differentiable]
fn halves(x: &[f64], k: f64) -> f64 {
    let h = x.len() / 2;
    let mut out = [0.0; 4];
    scale_into(k, &x[0..h], &mut out[0..h]);
    scale_into(k * k, &x[h..], &mut out[h..]);
    dist2(&x[0..h], &x[h..]) + out[0] * out[3] + out[1]
}

#[test]
fn sub_slices_pass_the_same_part_of_the_adjoint() {
    let (p, c) = ([0.0, 0.0, 1.0, 1.0, 3.0, 0.0], [0.5, 0.0, 2.5, 0.5]);
    let (value, (dp, dc)) = nearest_grad(&p, &c, 2);
    // Points 0 and 1 are nearest centre 0 (0.25, 1.25), point 2 centre 1 (0.5).
    assert!((value - 2.0).abs() < 1e-12, "{value}");
    assert_eq!(dp, vec![-1.0, 0.0, 1.0, 2.0, 1.0, -1.0]);
    assert_eq!(dc, vec![-0.0 + 1.0 - 1.0, -2.0, -1.0, 1.0]);
}

/// Constant data lent in parts and whole to a helper's differentiated parameters, and
/// iterated beside a differentiated slice.
#[differentiable]
fn nearest_data(centres: &[f64], #[no_grad] points: &[f64], #[no_grad] d: usize) -> f64 {
    let (n, k) = (points.len() / d, centres.len() / d);
    let mut total = 0.0;
    for i in 0..n {
        let mut best: f64 = 1e300;
        for j in 0..k {
            best = best.min(dist2(&points[i * d..(i + 1) * d], &centres[j * d..(j + 1) * d]));
        }
        total += best;
    }
    for (p, c) in points.iter().zip(centres) {
        total += 0.1 * p * c;
    }
    total + 0.01 * dist2(&points[..centres.len()], centres)
}

/// Sub-slices bound to names: lent to a call, indexed, measured, iterated, and a view of a
/// view (offsets add up), of a differentiated slice and of constant data.
#[differentiable]
fn bound_parts(centres: &[f64], #[no_grad] points: &[f64], #[no_grad] d: usize) -> f64 {
    let mut total = 0.0;
    for i in 0..points.len() / d {
        let p = &points[i * d..(i + 1) * d];
        let c = &centres[(i % 2) * d..];
        let near = &c[..d];
        total += dist2(p, near);
        for r in 0..near.len() {
            total += 0.1 * near[r] * p[r];
        }
        for x in near.iter() {
            total += 0.01 * x * x;
        }
    }
    let tail = &centres[d..];
    total + tail[0] * tail[tail.len() - 1]
}

/// The same written with whole slices and explicit offsets.
fn bound_parts_flat(centres: &[f64], points: &[f64], d: usize) -> f64 {
    let mut total = 0.0;
    for i in 0..points.len() / d {
        let (p, c) = (i * d, (i % 2) * d);
        let mut s = 0.0;
        for r in 0..d {
            let t = points[p + r] - centres[c + r];
            s += t * t;
        }
        total += s;
        for r in 0..d {
            total += 0.1 * centres[c + r] * points[p + r];
        }
        for r in 0..d {
            total += 0.01 * centres[c + r] * centres[c + r];
        }
    }
    total + centres[d] * centres[centres.len() - 1]
}

#[test]
fn sub_slices_bound_to_names_read_and_lend_their_part() {
    let (c, p) = ([0.5, -1.0, 2.0, 0.25], [1.0, 2.0, -0.5, 0.75, 3.0, -2.0]);
    assert_eq!(bound_parts(&c, &p, 2), bound_parts_flat(&c, &p, 2));
    let (value, dc) = bound_parts_grad(&c, &p, 2);
    assert_eq!(value, bound_parts(&c, &p, 2));
    let h = 1e-6;
    for k in 0..c.len() {
        let (mut plus, mut minus) = (c, c);
        plus[k] += h;
        minus[k] -= h;
        let fd = (bound_parts_flat(&plus, &p, 2) - bound_parts_flat(&minus, &p, 2)) / (2.0 * h);
        assert!((dc[k] - fd).abs() < 1e-6, "centre {k}: {} vs {fd}", dc[k]);
    }
}

#[differentiable]
fn norm3(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

/// Arrays written out as call arguments: by value, lent for reading, with constant elements,
/// inside a loop.
#[differentiable]
fn literal_args(x: f64, y: f64, w: &[f64]) -> f64 {
    let mut s = norm3([x, y, x * y]) + dist2(&[x, 2.0 * y], w);
    for i in 0..2 {
        s += norm3([w[i], 1.0, x]) * 0.5;
    }
    s + dist2(&[0.5, -0.25], &w[..2])
}

#[test]
fn arrays_written_out_are_passed_as_local_arrays() {
    let (x, y, w) = (0.3, 0.7, [0.5, -1.5]);
    let expected = (x * x + y * y + (x * y) * (x * y)).sqrt()
        + ((x - 0.5) * (x - 0.5) + (2.0 * y + 1.5) * (2.0 * y + 1.5))
        + 0.5 * (w[0] * w[0] + 1.0 + x * x).sqrt()
        + 0.5 * (w[1] * w[1] + 1.0 + x * x).sqrt()
        + ((0.5 - w[0]) * (0.5 - w[0]) + (-0.25 - w[1]) * (-0.25 - w[1]));
    assert!((literal_args(x, y, &w) - expected).abs() < 1e-12);
}

/// Data a loss reads but does not differentiate, as a struct of its own.
pub struct Data {
    pub xs: Vec<f64>,
    pub table: [f64; 3],
    pub n: usize,
}

/// Fields of a constant struct lent to calls: whole, in part, as a bound view, in a loop.
#[differentiable]
fn with_data(w: &[f64], #[no_grad] data: &Data) -> f64 {
    let mut s = dist2(&data.xs, w) + data.xs[0] * w[2];
    let row = &data.table[1..];
    s += dist2(row, &w[1..]);
    for i in 0..data.n {
        s += 0.1 * (i as f64 + 1.0) * dist2(&data.xs[..2], &w[..2]);
    }
    s
}

fn with_data_by_hand(w: &[f64], data: &Data) -> f64 {
    let sq = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>();
    let mut s = sq(&data.xs, w) + data.xs[0] * w[2] + sq(&data.table[1..], &w[1..]);
    for i in 0..data.n {
        s += 0.1 * (i as f64 + 1.0) * sq(&data.xs[..2], &w[..2]);
    }
    s
}

proptest::proptest! {
    #![proptest_config(common::config())]

    /// Against finite differences of a hand-written twin, and forward mode against reverse.
    #[test]
    fn fields_of_constant_structs_are_lent_as_slices(
        w in proptest::collection::vec(-2.0f64..2.0, 3),
        xs in proptest::collection::vec(-2.0f64..2.0, 3),
        t in proptest::collection::vec(-1.0f64..1.0, 3),
    ) {
        let data = Data { xs, table: [0.5, -1.0, 1.5], n: 2 };
        let (value, g) = with_data_grad(&w, &data);
        proptest::prop_assert!((value - with_data_by_hand(&w, &data)).abs() < 1e-12);
        let h = 1e-6;
        for k in 0..3 {
            let (mut plus, mut minus) = (w.clone(), w.clone());
            plus[k] += h;
            minus[k] -= h;
            let fd = (with_data_by_hand(&plus, &data) - with_data_by_hand(&minus, &data)) / (2.0 * h);
            proptest::prop_assert!((g[k] - fd).abs() < 1e-5 * (1.0 + fd.abs()), "w[{}]: {} vs {}", k, g[k], fd);
        }
        let (_, tangent) = with_data_jvp(&w, &t, &data);
        let dot: f64 = g.iter().zip(&t).map(|(a, b)| a * b).sum();
        proptest::prop_assert!((tangent - dot).abs() < 1e-10 * (1.0 + dot.abs()));
    }
}

/// Parts bound for writing: written through by element and by `+=`, lent to be written, and
/// a part of such a part; of an `&mut` output and of a local array.
#[differentiable]
fn written_views(x: &[f64], k: f64, out: &mut [f64]) {
    let head = &mut out[..2];
    head[0] = x[0] * k;
    head[1] += x[1].sin();
    let tail = &mut out[2..];
    scale_into(k * k, &x[2..], tail);
}

#[differentiable]
fn uses_written_views(x: &[f64], k: f64) -> f64 {
    let mut out = [1.0, 2.0, 0.0, 0.0];
    written_views(x, k, &mut out);
    let mut a = [0.0; 4];
    let part = &mut a[1..];
    part[0] = x[0] * k;
    let inner = &mut part[1..];
    scale_into(k, &x[1..3], inner);
    a[1] * a[2] + a[3] + out[0] * out[1] - out[2] * out[3]
}

#[test]
fn parts_bound_for_writing_write_their_part() {
    let (x, k) = ([0.5, 1.0, -2.0, 3.0], 0.7);
    let mut out = [1.0, 2.0, 0.0, 0.0];
    written_views(&x, k, &mut out);
    assert_eq!(out, [x[0] * k, 2.0 + x[1].sin(), k * k * x[2], k * k * x[3]]);
}

// ---- Early return. -----------------------------------------------------------------------------

/// Returns from a branch before the loop, from inside a loop, and from a nested loop.
#[differentiable]
fn first_crossing(x: f64, ys: &[f64]) -> f64 {
    if x < -1.5 {
        return x * x;
    }
    let mut s = 0.0;
    for i in 0..ys.len() {
        s += ys[i] * x;
        if s > 2.0 {
            return s.sqrt() + i as f64;
        }
        for j in 0..2 {
            if s * (j as f64 + 1.0) < -3.0 {
                return -s;
            }
        }
    }
    s.tanh()
}

/// Newton's method for a square root, returning once converged: `loop` with `return`.
#[differentiable]
fn sqrt_newton(a: f64) -> f64 {
    let mut x = a;
    let mut k = 0;
    loop {
        let next = 0.5 * (x + a / x);
        if (next - x).abs() < 1e-14 * x || k == 100 {
            return next;
        }
        x = next;
        k += 1;
    }
}

/// A tuple returned early.
#[differentiable]
fn polar_or_zero(x: f64, y: f64) -> (f64, f64) {
    let r = x.hypot(y);
    if r < 0.1 {
        return (r, 0.0);
    }
    (r, y.atan2(x))
}

/// `return;` from a function writing into `&mut` outputs.
#[differentiable]
fn clipped(x: f64, out: &mut [f64]) {
    out[0] = x;
    if x > 1.0 {
        return;
    }
    out[1] = x * x;
}

#[differentiable]
fn uses_clipped(x: f64) -> f64 {
    let mut o = [0.0; 2];
    clipped(x, &mut o);
    o[0] + o[1]
}

#[test]
fn early_returns_take_the_derivative_of_the_path_taken() {
    assert_eq!(first_crossing_grad(-2.0, &[1.0]), (4.0, (-4.0, vec![0.0])));
    let (v, (dx, dys)) = first_crossing_grad(1.5, &[1.0, 1.0, 1.0]);
    // s = 1.5 after i = 0, 3.0 after i = 1: returns sqrt(3) + 1.
    assert!((v - (3f64.sqrt() + 1.0)).abs() < 1e-12);
    let ds = 0.5 / 3f64.sqrt();
    assert!((dx - ds * 2.0).abs() < 1e-12 && (dys[0] - ds * 1.5).abs() < 1e-12 && dys[2] == 0.0);
    let (v, da) = sqrt_newton_grad(2.0);
    assert!((v - 2f64.sqrt()).abs() < 1e-12 && (da - 0.5 / 2f64.sqrt()).abs() < 1e-9, "{da}");
    assert_eq!(uses_clipped_grad(2.0), (2.0, 1.0));
    assert_eq!(uses_clipped_grad(0.5), (0.75, 2.0));
}

// ---- Iterator loops and reductions. -----------------------------------------------------------

/// `iter().zip().map().sum()`, `(0..n).map().sum()`, `.product()` and `.fold()`.
#[differentiable]
fn reductions(w: &[f64], x: &[f64], b: f64) -> f64 {
    let dot: f64 = w.iter().zip(x).map(|(a, c)| a * c).sum();
    let squares = (0..x.len()).map(|i| x[i] * x[i]).sum::<f64>();
    let norm1 = x.iter().copied().map(|v| v.abs()).sum::<f64>();
    let p = w.iter().map(|&v| 1.0 + 0.1 * v).product::<f64>();
    let softmax_denominator = x.iter().fold(0.0, |acc, v| acc + (v - b).exp());
    dot + squares.sqrt() + norm1 * p + softmax_denominator.ln()
}

/// `for` over arrays, `enumerate`, `zip`, `chunks_exact` rows and `iter_mut` outputs.
#[differentiable]
fn loops(m: &[f64], v: &[f64], out: &mut [f64]) {
    let d = v.len();
    for (r, row) in m.chunks_exact(d).enumerate() {
        let mut s = 0.0;
        for (a, b) in row.iter().zip(v) {
            s += a * b;
        }
        out[r] = s + dist2(row, v);
    }
    for o in out.iter_mut() {
        *o = (*o).tanh();
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o += i as f64 * 0.5;
    }
}

#[differentiable]
fn uses_loops(m: &[f64], v: &[f64]) -> f64 {
    let mut out = [0.0; 2];
    loops(m, v, &mut out);
    let mut total = 0.0;
    for x in out {
        total += x * x;
    }
    for &x in v.iter() {
        total -= x;
    }
    total
}

#[test]
fn iterator_code_equals_its_index_loop() {
    let (w, x) = ([0.5, -1.0, 2.0], [1.0, 2.0, -0.5]);
    let (value, _) = reductions_grad(&w, &x, 0.3);
    let dot: f64 = w.iter().zip(&x).map(|(a, c)| a * c).sum();
    let sq = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    let n1: f64 = x.iter().map(|v: &f64| v.abs()).sum();
    let p: f64 = w.iter().map(|v| 1.0 + 0.1 * v).product();
    let den: f64 = x.iter().map(|v| (v - 0.3f64).exp()).sum();
    assert_eq!(value, reductions(&w, &x, 0.3));
    assert!((value - (dot + sq + n1 * p + den.ln())).abs() < 1e-12);
}

// ---- Arrays of the function's own lent for reading. -------------------------------------------

#[differentiable]
fn sqnorm(a: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * a[i];
    }
    s
}

#[differentiable]
fn axpy(a: f64, x: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] += a * x[i];
    }
}

/// `c` is written after the call: the call's derivative reads the `c` it was given.
#[differentiable]
fn lent_then_written(x: f64, y: f64) -> f64 {
    let mut c = [0.0; 3];
    c[0] = x * y;
    c[1] = x.sin();
    c[2] = y;
    let n = sqnorm(&c);
    c[0] = 2.0;
    n * c[0] + sqnorm(&c[1..]) + sqnorm(&c[..2])
}

/// A `vec!` lent in a loop, in a branch, and beside a slice parameter.
#[differentiable]
fn lent_in_a_loop(x: f64, w: &[f64]) -> f64 {
    let mut c = vec![0.0; 2];
    let mut s = 0.0;
    for k in 0..3 {
        c[0] = x * k as f64 + w[0];
        c[1] = c[0] * w[1];
        s += sqnorm(&c) * (c[0] - w[1]);
        if s > 1.0 {
            s += sqnorm(&c[0..1]);
        }
    }
    s
}

/// A by-value array parameter and a local array lent beside arrays the call writes.
#[differentiable]
fn lent_and_written(x: f64, v: [f64; 2]) -> f64 {
    let mut h = [0.0; 2];
    h[0] = x;
    axpy(x, &v, &mut h);
    let mut g = [0.0; 2];
    axpy(x * x, &h, &mut g);
    g[0] + sqnorm(&v) * g[1]
}

/// An output parameter read through a part of it, and a local array literal.
#[differentiable]
fn lent_output(x: f64, out: &mut [f64]) {
    out[0] = x;
    out[1] = x * x;
    let c = [x, 2.0 * x];
    axpy(x, &c, out);
    let first = out[0];
    axpy(first, &c[..1], &mut out[1..]);
    out[0] += sqnorm(&out[1..]);
}

#[differentiable]
fn uses_lent_output(x: f64) -> f64 {
    let mut o = [0.0; 2];
    lent_output(x, &mut o);
    o[0] + 3.0 * o[1]
}

#[test]
fn arrays_lent_for_reading_are_read_as_they_were_at_the_call() {
    // c = (6, sin 3, 2): n = 36 + sin²3 + 4; then c[0] = 2.
    let (x, y) = (3.0f64, 2.0);
    let n = 36.0 + x.sin().powi(2) + 4.0;
    let want = 2.0 * n + (x.sin().powi(2) + 4.0) + (4.0 + x.sin().powi(2));
    let (value, (dx, dy)) = lent_then_written_grad(x, y);
    assert!((value - want).abs() < 1e-12);
    // ∂/∂x: 2·(2·6·y + 2 sin x cos x) + 2 sin x cos x + 2 sin x cos x
    let sc = 2.0 * x.sin() * x.cos();
    assert!((dx - (2.0 * (12.0 * y + sc) + 2.0 * sc)).abs() < 1e-12);
    // ∂/∂y: 2·(2·6·x + 2y) + 2y
    assert!((dy - (2.0 * (12.0 * x + 2.0 * y) + 2.0 * y)).abs() < 1e-12);
}

// ---- Arrays and tuples that calls return. -------------------------------------------------------

#[differentiable]
fn cross(a: &[f64], b: &[f64]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

#[differentiable]
fn sincos(t: f64) -> (f64, f64) {
    (t.sin(), t.cos())
}

#[differentiable]
fn polar(r: f64, t: f64) -> (f64, f64) {
    let (s, c) = sincos(t);
    (r * c, r * s)
}

/// Kept and indexed, a field taken, indexed on the spot.
#[differentiable]
fn results_read(x: f64, a: &[f64]) -> f64 {
    let b = [x, x * x, 1.0];
    let c = cross(a, &b);
    let p = polar(x, a[0]);
    c[0] * c[1] + p.0 * p.1 + cross(&b, a)[2] + sincos(x).1
}

/// Returned as they are.
#[differentiable]
fn result_returned(x: f64, a: &[f64]) -> [f64; 3] {
    let b = [x, 2.0, x.sin()];
    cross(a, &b)
}

/// A block's value is not the function's result: `u` is a float (a deep run of the random
/// programs found it taken for the returned array).
#[allow(clippy::let_and_return)] // the shape the random programs wrote
#[differentiable]
fn block_tail_beside_an_array_result(x: f64, a: &[f64]) -> [f64; 3] {
    let t = {
        let u = sincos(x).0;
        u
    };
    let s = if x > 0.0 {
        let v = results_read(x, a);
        v
    } else {
        x
    };
    let b = [t, s, 1.0];
    let c = cross(a, &b);
    c
}

/// In a loop, fed back into the next iteration.
#[differentiable]
fn results_in_a_loop(x: f64, a: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        let b = [x * i as f64, x, 1.0];
        let c = cross(a, &b);
        let (u, v) = sincos(c[i] * s + x);
        s += u * v + c[0];
    }
    s
}

#[test]
fn call_results_are_read_as_the_callee_returned_them() {
    let (a, x) = ([0.3, -0.5, 0.8], 0.7f64);
    let b = [x, x * x, 1.0];
    let c = cross(&a, &b);
    let want = c[0] * c[1] + x * a[0].cos() * x * a[0].sin() + cross(&b, &a)[2] + x.cos();
    assert!((results_read(x, &a) - want).abs() < 1e-15);
    assert_eq!(results_read_grad(x, &a).0, results_read(x, &a));
    let (value, tangent) = result_returned_jvp(x, 1.0, &a, &[0.0; 3]);
    assert_eq!(value, cross(&a, &[x, 2.0, x.sin()]));
    // d/dx of a × (x, 2, sin x) = a × (1, 0, cos x).
    let want = cross(&a, &[1.0, 0.0, x.cos()]);
    assert!(tangent.iter().zip(&want).all(|(t, w)| (t - w).abs() < 1e-15));
}

// ---- Tuple parameters. -------------------------------------------------------------------------

#[differentiable]
fn tuple_pattern((x, y): (f64, f64), k: f64) -> f64 {
    (x * y).sin() + k * x
}

/// A named tuple read by its fields, a constant one, and a slice beside them.
#[differentiable]
fn tuple_fields(p: (f64, f64, f64), #[no_grad] q: (f64, f64), w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * p.0 + q.1 * p.1 * p.2;
    }
    s + q.0
}

/// `x`, read in the loop, is differentiated forwards (mixed mode): the tuple's elements
/// backwards.
#[differentiable]
fn tuple_beside_a_forward_parameter((a, b): (f64, f64), x: f64, #[no_grad] n: usize) -> f64 {
    let mut y = a;
    for _ in 0..n {
        y = y * x + b;
    }
    y
}

#[test]
fn tuple_parameters_have_tuple_tangents_and_gradients() {
    // y = a x³ + b (x² + x + 1).
    let (a, b, x) = (0.5, -1.5, 0.75f64);
    let (_, ((da, db), dx)) = tuple_beside_a_forward_parameter_grad((a, b), x, 3);
    assert!((da - x.powi(3)).abs() < 1e-15 && (db - (x * x + x + 1.0)).abs() < 1e-15);
    assert!((dx - (3.0 * a * x * x + b * (2.0 * x + 1.0))).abs() < 1e-14);

    let ((x, y), k, h) = ((0.3f64, 0.7f64), 2.0, 1e-6);
    let (value, ((dx, dy), dk)) = tuple_pattern_grad((x, y), k);
    assert_eq!(value, tuple_pattern((x, y), k));
    assert!((dx - (y * (x * y).cos() + k)).abs() < 1e-15 && (dy - x * (x * y).cos()).abs() < 1e-15 && dk == x);
    assert_eq!(tuple_pattern_jvp((x, y), (1.0, 0.0), k, 0.0).1, dx);
    assert_eq!(tuple_pattern_jvp((x, y), (0.0, 0.0), k, 1.0).1, dk);

    let (p, q, w) = ((0.3, -0.7, 1.5), (2.0, 3.0), [1.0, 2.0]);
    let (value, ((d0, d1, d2), dw)) = tuple_fields_grad(p, q, &w);
    assert_eq!(value, tuple_fields(p, q, &w));
    // s = Σ wᵢ p₀ + 2 q₁ p₁ p₂ + q₀.
    assert_eq!((d0, d1, d2), (3.0, 2.0 * q.1 * p.2, 2.0 * q.1 * p.1));
    assert_eq!(dw, vec![p.0, p.0]);
    let f = |p1: f64| tuple_fields((p.0, p1, p.2), q, &w);
    assert!((d1 - (f(p.1 + h) - f(p.1 - h)) / (2.0 * h)).abs() < 1e-8);
    let (_, tangent) = tuple_fields_jvp(p, (0.0, 1.0, 0.0), q, &w, &[0.0; 2]);
    assert_eq!(tangent, d1);
}

// ---- Recursion. -------------------------------------------------------------------------------

#[differentiable]
fn power(x: f64, n: u32) -> f64 {
    if n == 0 { 1.0 } else { x * power(x, n - 1) }
}

/// The determinant by expansion along the first row, each minor in a local vector.
#[differentiable]
fn det_minors(a: &[f64], #[no_grad] n: usize) -> f64 {
    if n == 1 {
        return a[0];
    }
    let mut total = 0.0;
    let mut sign = 1.0;
    for c in 0..n {
        let mut minor = vec![0.0; (n - 1) * (n - 1)];
        let mut k = 0;
        for r in 1..n {
            for cc in 0..n {
                if cc != c {
                    minor[k] = a[r * n + cc];
                    k += 1;
                }
            }
        }
        total += sign * a[c] * det_minors(&minor, n - 1);
        sign = -sign;
    }
    total
}

/// The same over the columns still free, marked in a constant scratch array it writes.
#[differentiable]
fn det_free(a: &[f64], #[no_grad] n: usize, #[no_grad] row: usize, #[no_grad] used: &mut [usize]) -> f64 {
    if row == n {
        return 1.0;
    }
    let mut total = 0.0;
    let mut sign = 1.0;
    for c in 0..n {
        if used[c] == 0 {
            used[c] = 1;
            total += sign * a[row * n + c] * det_free(a, n, row + 1, used);
            used[c] = 0;
            sign = -sign;
        }
    }
    total
}

#[differentiable]
fn det3(a: &[f64]) -> f64 {
    let mut used = [0usize; 3];
    det_free(a, 3, 0, &mut used)
}

#[test]
fn recursive_functions_are_differentiated_through_their_calls_of_themselves() {
    assert_eq!(power_grad(2.0, 3), (8.0, 12.0));
    assert_eq!(power_jvp(2.0, 1.0, 3), (8.0, 12.0));
    let a = [2.0, -1.0, 0.5, 1.0, 3.0, -2.0, 0.25, 1.5, 4.0];
    let (d, g) = det_minors_grad(&a, 3);
    // ∂det/∂a = the cofactor matrix.
    let cof = [15.0, -4.5, 0.75, 4.75, 7.875, -3.25, 0.5, 4.5, 7.0];
    assert!((d - 34.875).abs() < 1e-12 && g.iter().zip(&cof).all(|(g, c)| (g - c).abs() < 1e-12));
    let (d2, g2) = det3_grad(&a);
    assert!((d2 - d).abs() < 1e-12 && g2.iter().zip(&cof).all(|(g, c)| (g - c).abs() < 1e-12));
    let mut used = [0usize; 3];
    assert_eq!(det_free(&a, 3, 0, &mut used), d2);
    assert_eq!(used, [0; 3]);
}

/// A recursion that branches re-runs each call in the adjoint sweep, given back the index
/// list as it was at the call: the 5×5 determinant's gradient against finite differences and
/// against `det_minors`' (which copies its minors instead).
#[test]
fn branching_recursions_rerun_with_their_index_lists_as_they_were() {
    let a: Vec<f64> = (0..25).map(|i| ((i * 7 % 11) as f64 * 0.3).sin() + if i % 6 == 0 { 2.0 } else { 0.0 }).collect();
    let mut used = [0usize; 5];
    let mut g = vec![0.0; 25];
    let (d, ()) = det_free_vjp(&a, &mut g, 5, 0, &mut used, 1.0);
    assert_eq!((d, used), (det_free(&a, 5, 0, &mut [0; 5]), [0; 5]));
    let (d2, g2) = det_minors_grad(&a, 5);
    assert!((d - d2).abs() < 1e-12);
    for k in 0..25 {
        let h = 1e-6;
        let (mut p, mut q) = (a.clone(), a.clone());
        p[k] += h;
        q[k] -= h;
        let fd = (det_free(&p, 5, 0, &mut [0; 5]) - det_free(&q, 5, 0, &mut [0; 5])) / (2.0 * h);
        assert!((g[k] - fd).abs() < 1e-7 * (1.0 + fd.abs()), "∂/∂a{k}: {} vs {fd}", g[k]);
        assert!((g[k] - g2[k]).abs() < 1e-12 * (1.0 + g2[k].abs()));
    }
}

// ---- Rows of floats. ---------------------------------------------------------------------------

/// xᵀ M x + |M₀|² x₀ over `&[[f64; 3]]`: elements, row lengths, a row lent to a call.
#[differentiable]
fn quadratic_form(m: &[[f64; 3]], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..m.len() {
        for j in 0..m[i].len() {
            s += m[i][j] * x[i] * x[j];
        }
    }
    s + sqnorm(&m[0]) * x[0]
}

/// Rows iterated, over a fixed array of rows and a `Vec` of rows.
#[allow(clippy::ptr_arg)] // `&Vec<[f64; 2]>` is the parameter type being tested
#[differentiable]
fn row_products(m: &[[f64; 2]; 3], v: &Vec<[f64; 2]>) -> f64 {
    let mut s = 0.0;
    for row in m.iter() {
        s += (row[0] * row[1]).sin();
    }
    s * v[1][0] + v[0][1]
}

#[test]
fn rows_have_gradients_of_the_same_shape() {
    let m = [[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [0.1, 0.2, 0.3]];
    let x = [0.5, -1.0, 2.0];
    let (_, (g, _)) = quadratic_form_grad(&m, &x);
    // ∂/∂m[i][j] = x[i] x[j], plus x[j] on row 0.
    for i in 0..3 {
        for j in 0..3 {
            let want = x[i] * x[j] + if i == 0 { 2.0 * m[0][j] * x[0] } else { 0.0 };
            assert!((g[i][j] - want).abs() < 1e-15);
        }
    }
    let mut t = [[0.0; 3]; 3];
    t[1][2] = 1.0;
    assert_eq!(quadratic_form_jvp(&m, &t, &x, &[0.0; 3]).1, g[1][2]);
    let (r, v) = ([[0.5, 1.0], [2.0, -0.3], [0.1, 0.4]], vec![[1.0, 2.0], [3.0, 4.0]]);
    let (value, (gm, gv)) = row_products_grad(&r, &v);
    let s: f64 = r.iter().map(|row| (row[0] * row[1]).sin()).sum();
    assert!((value - (s * 3.0 + 2.0)).abs() < 1e-14);
    assert!((gv[1][0] - s).abs() < 1e-15 && gv[0][1] == 1.0 && gv[0][0] == 0.0);
    assert!((gm[1][0] - (2.0f64 * -0.3).cos() * -0.3 * 3.0).abs() < 1e-14);
}

// ---- Rows as results. ------------------------------------------------------------------------

/// Rows written out as the result.
#[differentiable]
fn rotation(t: f64, k: f64) -> [[f64; 2]; 2] {
    let (c, s) = (t.cos() * k, t.sin() * k);
    [[c, -s], [s, c]]
}

/// Local rows written by element, returned; rows written out in a `let`, read by element.
#[differentiable]
fn outer_plus(a: &[f64], b: &[f64]) -> [[f64; 3]; 2] {
    let m = [[a[0], a[1], a[0] * a[1]], [b[0], b[1], b[2]]];
    let mut r = [[0.0; 3]; 2];
    for i in 0..2 {
        for j in 0..3 {
            r[i][j] = a[i] * b[j] + m[i][j].sin();
        }
    }
    r
}

/// A call's rows kept and read by element.
#[differentiable]
fn rotated_trace(t: f64, k: f64) -> f64 {
    let r = rotation(t, k);
    r[0][0] + r[1][1] + r[1][0] * r[0][1]
}

// ---- Rows of their own lengths. ----------------------------------------------------------------

/// Over `&[Vec<f64>]`: elements, row lengths, rows lent to a call, rows iterated, and a
/// `#[no_grad]` `&Vec<Vec<f64>>` of data read the same ways.
#[allow(clippy::ptr_arg)] // `&Vec<Vec<f64>>` is the parameter type being tested
#[differentiable]
fn ragged(w: &[Vec<f64>], x: f64, #[no_grad] data: &Vec<Vec<f64>>) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        for j in 0..w[i].len() {
            s += (w[i][j] * x).sin() * data[i % data.len()][j % data[0].len()];
        }
        s += sqnorm(&w[i]) * x;
    }
    for (i, row) in w.iter().enumerate() {
        let n = row.len();
        s += row[n - 1] * w[w.len() - 1 - i][0];
    }
    s
}

/// The rows as one flat `Vec` with their lengths, and back.
fn split_rows(flat: &[f64], lens: &[usize]) -> Vec<Vec<f64>> {
    let mut rest = flat;
    lens.iter()
        .map(|&n| {
            let (row, tail) = rest.split_at(n);
            rest = tail;
            row.to_vec()
        })
        .collect()
}

proptest::proptest! {
    #![proptest_config(common::config())]

    /// The gradient of rows of their own lengths has their shape and matches finite
    /// differences element by element; forward mode along random tangent rows is ⟨grad, t⟩;
    /// `f_vjp` adds into the shadow rows (a second call doubles them).
    #[test]
    fn rows_of_their_own_lengths_are_differentiated(
        lens in proptest::collection::vec(1usize..4, 1..4),
        floats in proptest::collection::vec(-1.5f64..1.5, 12),
        tangents in proptest::collection::vec(-1.0f64..1.0, 12),
        x in -1.5f64..1.5,
    ) {
        let total: usize = lens.iter().sum();
        let w = split_rows(&floats[..total], &lens);
        let data = vec![vec![0.5, -1.0, 2.0], vec![1.5, 0.25, -0.75]];
        let (value, (g, gx)) = ragged_grad(&w, x, &data);
        proptest::prop_assert_eq!(value.to_bits(), ragged(&w, x, &data).to_bits());
        proptest::prop_assert_eq!(g.iter().map(Vec::len).collect::<Vec<_>>(), lens.clone());
        let h = 1e-6;
        let flat: Vec<f64> = g.concat();
        for k in 0..total {
            let (mut plus, mut minus) = (floats[..total].to_vec(), floats[..total].to_vec());
            plus[k] += h;
            minus[k] -= h;
            let fd = (ragged(&split_rows(&plus, &lens), x, &data) - ragged(&split_rows(&minus, &lens), x, &data)) / (2.0 * h);
            proptest::prop_assert!((fd - flat[k]).abs() < 1e-5 * (1.0 + fd.abs()), "element {}: {} vs {}", k, flat[k], fd);
        }
        let fdx = (ragged(&w, x + h, &data) - ragged(&w, x - h, &data)) / (2.0 * h);
        proptest::prop_assert!((fdx - gx).abs() < 1e-5 * (1.0 + fdx.abs()));
        let t = split_rows(&tangents[..total], &lens);
        let (jvp_value, tangent) = ragged_jvp(&w, &t, x, 0.5, &data);
        let dot: f64 = flat.iter().zip(&tangents).map(|(a, b)| a * b).sum::<f64>() + 0.5 * gx;
        proptest::prop_assert_eq!(jvp_value.to_bits(), value.to_bits());
        proptest::prop_assert!((tangent - dot).abs() < 1e-10 * (1.0 + dot.abs()));
        let mut shadow = t.clone();
        ragged_vjp(&w, &mut shadow, x, &data, 2.0);
        ragged_vjp(&w, &mut shadow, x, &data, 2.0);
        for (k, (s, t0)) in shadow.concat().iter().zip(&tangents).enumerate() {
            proptest::prop_assert!((s - t0 - 4.0 * flat[k]).abs() < 1e-12 * (1.0 + s.abs()));
        }
    }
}

// ---- Tuples passed to calls. ------------------------------------------------------------------

#[differentiable]
fn norm2t(p: (f64, f64)) -> f64 {
    p.0 * p.0 + p.1 * p.1
}

#[differentiable]
fn rotated_x(p: (f64, f64), t: f64) -> f64 {
    p.0 * t.cos() - p.1 * t.sin()
}

/// Tuples to calls: a local `let p = (..)`, one written out with a constant, a tuple parameter
/// passed on.
#[differentiable]
fn tuple_calls(x: f64, y: f64) -> f64 {
    let p = (x * y, y.sin());
    norm2t(p) + norm2t((x, 2.0)) + rotated_x(p, x) * passed_on((y, x), 0.5)
}

#[differentiable]
fn passed_on(q: (f64, f64), k: f64) -> f64 {
    norm2t(q) * k + q.1
}

#[test]
fn tuples_passed_to_calls_by_hand() {
    // passed_on((y, x), k) = (y² + x²) k + x; its gradient in the tuple is (2 y k, 2 x k + 1).
    let (value, (dq, dk)) = passed_on_grad((3.0, 4.0), 0.5);
    assert_eq!((value, dq, dk), (16.5, (3.0, 5.0), 25.0));
    assert_eq!(passed_on_jvp((3.0, 4.0), (1.0, 0.0), 0.5, 0.0), (16.5, 3.0));
}

/// A local `[[f64; 3]; 3]`: written and read by element (`+=` too), rows lent to a call for
/// reading and for writing, counted (`r.len()`, `r[i].len()`) and iterated.
#[differentiable]
fn outer_rows(x: &[f64], y: &[f64]) -> f64 {
    let mut r = [[0.0; 3]; 3];
    for i in 0..r.len() {
        for j in 0..r[i].len() {
            r[i][j] = x[i] * y[j];
        }
    }
    r[1][1] += x[0].sin();
    scale_row(&mut r[2], y[0]);
    let mut s = 0.0;
    for i in 0..3 {
        s += sqnorm(&r[i]) * r[i][i];
    }
    for row in r.iter() {
        s += row[0] * row[2];
    }
    s
}

/// Writes `out *= k` into a row lent mutably.
#[differentiable]
fn scale_row(out: &mut [f64], k: f64) {
    for j in 0..out.len() {
        out[j] *= k;
    }
}

/// Rows by value, `[[f64; 3]; 3]`: the determinant by cofactors. The companions borrow them.
#[differentiable]
fn det_rows(m: [[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

/// Constant rows (`#[no_grad]`), read by element and iterated.
#[differentiable]
fn rows_of_data(w: &[f64], #[no_grad] points: &[[f64; 2]], #[no_grad] weights: [[f64; 2]; 2]) -> f64 {
    let mut s = 0.0;
    for p in points.iter() {
        s += (w[0] * p[0] + w[1] * p[1]).tanh() * weights[1][0];
    }
    s + points[0][1] * w[0] * weights[0][1]
}

#[test]
fn rows_of_data_are_read_as_constants() {
    let (w, points, weights) = ([0.5, -0.25], [[1.0, 2.0], [0.5, -1.0]], [[0.0, 3.0], [2.0, 0.0]]);
    let (value, g) = rows_of_data_grad(&w, &points, &weights);
    assert_eq!(value, rows_of_data(&w, &points, weights));
    let z: [f64; 2] = [0.5 - 0.5, 0.25 + 0.25];
    let by_hand = 2.0 * (z[0].tanh() + z[1].tanh()) + 2.0 * 0.5 * 3.0;
    assert!((value - by_hand).abs() < 1e-15, "{value} vs {by_hand}");
    let t = |z: f64| 2.0 * (1.0 - z.tanh() * z.tanh());
    let d0 = t(z[0]) * 1.0 + t(z[1]) * 0.5 + 2.0 * 3.0;
    let d1 = t(z[0]) * 2.0 - t(z[1]);
    assert!((g[0] - d0).abs() < 1e-14 && (g[1] - d1).abs() < 1e-14, "{g:?}");
}

#[test]
fn rows_by_value_have_the_cofactors_as_gradient() {
    let m = [[2.0, 1.0, 0.5], [0.3, 3.0, 1.0], [1.0, 0.0, 4.0]];
    let (value, g) = det_rows_grad(&m);
    assert_eq!(value, det_rows(m));
    // ∂det/∂m[i][j] is the cofactor C_ij.
    let minor = |i: usize, j: usize| {
        let (r, c): (Vec<usize>, Vec<usize>) =
            ((0..3).filter(|&k| k != i).collect(), (0..3).filter(|&k| k != j).collect());
        m[r[0]][c[0]] * m[r[1]][c[1]] - m[r[0]][c[1]] * m[r[1]][c[0]]
    };
    for i in 0..3 {
        for j in 0..3 {
            let sign = if (i + j) % 2 == 0 { 1.0 } else { -1.0 };
            assert!((g[i][j] - sign * minor(i, j)).abs() < 1e-14, "{i} {j}: {}", g[i][j]);
        }
    }
    let mut t = [[0.0; 3]; 3];
    t[2][0] = 1.0;
    assert_eq!(det_rows_jvp(&m, &t), (value, g[2][0]));
    let mut shadow = [[1.0; 3]; 3];
    det_rows_vjp(&m, &mut shadow, 2.0);
    assert!((shadow[0][1] - (1.0 + 2.0 * g[0][1])).abs() < 1e-14, "f_vjp adds into the shadow");
}

/// Rows of a local `Vec` (`vec![[0.0; 2]; n]`, `n` known at run time): written by element,
/// iterated by row, a row lent to a call, read back by element.
#[differentiable]
fn vec_rows(w: &[f64], xs: &[f64]) -> f64 {
    let n = xs.len() / 2;
    let mut r = vec![[0.0; 2]; n];
    for k in 0..n {
        for i in 0..2 {
            for j in 0..2 {
                r[k][i] += w[2 * i + j] * xs[2 * k + j];
            }
        }
    }
    let mut s = 0.0;
    for row in r.iter() {
        s += row[0] * row[1] + row[0].sin();
    }
    if n > 1 {
        s += sqnorm(&r[1]) * r[0][1];
    }
    s + r.len() as f64
}

mod properties {
    use crate::{array_property, property};
    use proptest::collection::vec;

    array_property!(vec_rows, grad vec_rows_grad, vjp vec_rows_vjp, jvp vec_rows_jvp, [
        slice w in proptest::collection::vec(-1.0..1.0, 4),
        slice xs in proptest::collection::vec(-1.0..1.0, 0..9)
    ]);
    array_property!(reductions, grad reductions_grad, vjp reductions_vjp, jvp reductions_jvp, [
        slice w in vec(-2.0..2.0, 3), slice x in vec(0.1..2.0, 3), b in -1.0..1.0
    ]);
    array_property!(uses_loops, grad uses_loops_grad, vjp uses_loops_vjp, jvp uses_loops_jvp, [
        slice m in vec(-1.0..1.0, 6), slice v in vec(-1.0..1.0, 3)
    ]);

    array_property!(first_crossing, grad first_crossing_grad, vjp first_crossing_vjp, jvp first_crossing_jvp, [
        x in -2.0..2.0, slice ys in vec(-1.5..1.5, 0..5)
    ] where (x + 1.5).abs() > 1e-3);
    property!(sqrt_newton, sqrt_newton_grad, sqrt_newton_jvp, [a in 0.5..4.0]);
    array_property!(polar_or_zero, vjp polar_or_zero_vjp, jvp polar_or_zero_jvp, [x in -1.0..1.0, y in -1.0..1.0]
        where (x.hypot(y) - 0.1).abs() > 1e-3);
    property!(uses_clipped, uses_clipped_grad, uses_clipped_jvp, [x in -2.0..2.0] where (x - 1.0).abs() > 1e-3);

    array_property!(nearest, grad nearest_grad, vjp nearest_vjp, jvp nearest_jvp, [
        slice points in vec(-2.0..2.0, 6), slice centres in vec(-2.0..2.0, 4), const d in 2usize..3
    ]);
    array_property!(nearest_data, grad nearest_data_grad, vjp nearest_data_vjp, jvp nearest_data_jvp, [
        slice centres in vec(-2.0..2.0, 4), const slice points in vec(-2.0..2.0, 6), const d in 2usize..3
    ]);
    array_property!(halves, grad halves_grad, vjp halves_vjp, jvp halves_jvp, [
        slice x in vec(-2.0..2.0, 4), k in -2.0..2.0
    ]);
    array_property!(literal_args, grad literal_args_grad, vjp literal_args_vjp, jvp literal_args_jvp, [
        x in -2.0..2.0, y in -2.0..2.0, slice w in vec(-2.0..2.0, 2)
    ]);
    array_property!(uses_written_views, grad uses_written_views_grad, vjp uses_written_views_vjp,
        jvp uses_written_views_jvp, [slice x in vec(-2.0..2.0, 4), k in -2.0..2.0]);
    array_property!(bound_parts, grad bound_parts_grad, vjp bound_parts_vjp, jvp bound_parts_jvp, [
        slice centres in vec(-2.0..2.0, 4), const slice points in vec(-2.0..2.0, 6), const d in 2usize..3
    ]);

    property!(lent_then_written, lent_then_written_grad, lent_then_written_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    array_property!(lent_in_a_loop, grad lent_in_a_loop_grad, vjp lent_in_a_loop_vjp, jvp lent_in_a_loop_jvp, [
        x in -1.0..1.0, slice w in vec(-1.0..1.0, 2)
    ]);
    array_property!(lent_and_written, grad lent_and_written_grad, vjp lent_and_written_vjp,
        jvp lent_and_written_jvp, [x in -1.5..1.5, array v in [-1.5..1.5, -1.5..1.5]]);
    property!(uses_lent_output, uses_lent_output_grad, uses_lent_output_jvp, [x in -1.5..1.5]);

    array_property!(results_read, grad results_read_grad, vjp results_read_vjp, jvp results_read_jvp, [
        x in -1.5..1.5, slice a in vec(-1.5..1.5, 3)
    ]);
    array_property!(result_returned, vjp result_returned_vjp, jvp result_returned_jvp, [
        x in -1.5..1.5, slice a in vec(-1.5..1.5, 3)
    ]);
    array_property!(block_tail_beside_an_array_result, vjp block_tail_beside_an_array_result_vjp,
        jvp block_tail_beside_an_array_result_jvp, [x in -1.5..1.5, slice a in vec(-1.5..1.5, 3)]
        where x.abs() > 1e-3);
    array_property!(polar, vjp polar_vjp, jvp polar_jvp, [r in -1.5..1.5, t in -3.0..3.0]);
    array_property!(results_in_a_loop, grad results_in_a_loop_grad, vjp results_in_a_loop_vjp,
        jvp results_in_a_loop_jvp, [x in -1.0..1.0, slice a in vec(-1.0..1.0, 3)]);

    array_property!(det_minors, grad det_minors_grad, vjp det_minors_vjp, jvp det_minors_jvp, [
        slice a in vec(-2.0..2.0, 16), const n in 4usize..5
    ]);
    array_property!(det3, grad det3_grad, vjp det3_vjp, jvp det3_jvp, [slice a in vec(-2.0..2.0, 9)]);
    property!(tuple_calls, tuple_calls_grad, tuple_calls_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    array_property!(outer_rows, grad outer_rows_grad, vjp outer_rows_vjp, jvp outer_rows_jvp, [
        slice x in vec(-1.5..1.5, 3),
        slice y in vec(-1.5..1.5, 3)
    ]);
    property!(power, power_grad, power_jvp, [x in -2.0..2.0, const n in 0u32..6]);
    array_property!(rotation, vjp rotation_vjp, jvp rotation_jvp, [t in -3.0..3.0, k in -2.0..2.0]);
    array_property!(outer_plus, vjp outer_plus_vjp, jvp outer_plus_jvp, [
        slice a in vec(-1.5..1.5, 2),
        slice b in vec(-1.5..1.5, 3)
    ]);
    property!(rotated_trace, rotated_trace_grad, rotated_trace_jvp, [t in -3.0..3.0, k in -2.0..2.0]);

    property!(guarded, guarded_grad, guarded_jvp, [x in -2.0..2.0, y in 0.1..3.0] where x * x + y > 1e-3);
    property!(rotated, rotated_grad, rotated_jvp, [x in -2.0..2.0, t in -3.0..3.0]);
}
