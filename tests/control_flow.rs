//! Property tests for branches, loops, arrays and slices (issue 3): a corpus of
//! differentiable functions that together use the constructs of the issue (all but `&mut`
//! output parameters, whose convention is newer than this file), each checked at
//! random points by the shared checkers of tests/common/mod.rs: reverse mode (the gradient,
//! or the vjp of a tuple or array result) against central finite differences, forward mode
//! against reverse (`⟨grad, v⟩ == jvp(v)`), the returned values against the function itself
//! bit for bit, and for the slice API that `f_vjp` adds into its shadows and that `f_grad` is
//! `f_vjp` with zeroed shadows.
//!
//! The derivative of a branch is the derivative of the branch taken, so finite differences
//! agree only away from the points where a branch switches: a `where` condition skips points
//! within `SWITCH` of one, recomputing the switching quantity when the domain cannot avoid it.
//!
//! `#[no_grad]` slices and `match` arms written as blocks are pinned by trybuild pass cases
//! (tests/ui/pass/no-grad-slice.rs, match-block-arms.rs).

// Index loops are the loops the macro differentiates (iterator chains are compile errors).
#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::prelude::*;
use proptest::array::{uniform3, uniform4};
use proptest::collection::vec;

/// Central differences with step ~1e-6 straddle a switch only within 1e-6 of it; 1e-3 leaves
/// a wide margin while skipping few points.
const SWITCH: f64 = 1e-3;

// ---- Branches. --------------------------------------------------------------------------------

/// `if` / `else if` / `else` as statements, each updating a loop-free `let mut`.
#[differentiable]
fn tiers(x: f64, y: f64) -> f64 {
    let mut r = x * y;
    if x > 1.0 {
        r = r.sin() + x;
    } else if x < -1.0 {
        r *= y;
    } else {
        r += x * x;
    }
    r * y
}

/// `if` as an expression, nested inside another one's branch, on a condition over a value
/// computed from both parameters.
#[differentiable]
fn selected(x: f64, y: f64) -> f64 {
    let p = x * y;
    let s = if p > 0.5 {
        p.ln()
    } else {
        let q = if y < 0.0 { y.exp() } else { y * y + 1.0 };
        x - q
    };
    s * x + p
}

/// `&&`, `||` and `!` over active comparisons and an integer constant.
#[differentiable]
#[allow(clippy::neg_cmp_op_on_partial_ord)] // `!` over a comparison is the construct under test.
fn logic(x: f64, y: f64, n: i32) -> f64 {
    if (x > 0.0 && y > 0.0) || n == 3 {
        x * y + x
    } else if !(x < y) {
        x - y.exp()
    } else {
        y.sin() * x
    }
}

/// `match` as an expression: literals, `|`, a range, a guard and `_`.
#[differentiable]
fn by_degree(x: f64, n: i32) -> f64 {
    let y = match n {
        0 => x.exp(),
        1 | 2 => x * x,
        3..=5 => x.powi(n),
        _ if n < 0 => 1.0 / (1.0 + x * x),
        _ => x.sin(),
    };
    y * x + 1.0
}

/// `match` as a statement whose arms assign to a `let mut`.
#[differentiable]
fn match_statement(x: f64, y: f64, k: usize) -> f64 {
    let mut acc = x;
    match k % 3 {
        0 => acc *= y,
        1 => acc = acc.tanh() + y,
        _ => acc -= y * y,
    }
    acc * x
}

// ---- Loops. -----------------------------------------------------------------------------------

/// The accumulator of issue 3: `s += w[i] * x[i]` over `0..w.len()`.
#[differentiable]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[i];
    }
    s
}

/// `a..=b`, with an integer cast of the index.
#[differentiable]
fn power_series(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for k in 1..=n {
        s += x.powi(k as i32) / (k as f64);
    }
    s
}

/// Horner's rule over `.rev()`: a recurrence, whose adjoint needs each step's `acc`.
#[differentiable]
fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

/// `.step_by(k)` with a constant stride.
#[differentiable]
fn strided(xs: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in (0..xs.len()).step_by(k) {
        s += xs[i] * xs[i].sin();
    }
    s
}

/// `while` on an integer counter, with a recurrence inside.
#[differentiable]
fn counted_while(x: f64, a: f64, n: usize) -> f64 {
    let mut y = x;
    let mut i = 0;
    while i < n {
        y = (y * a).sin() + x;
        i += 1;
    }
    y
}

/// `while` on an active condition: the number of steps depends on `x`. The rate is a
/// `#[no_grad]` float read inside the loop.
#[differentiable]
fn grow(x: f64, #[no_grad] r: f64) -> f64 {
    let mut y = x;
    while y < 10.0 {
        y = y * r + 1.0;
    }
    y * x
}

/// The iterates of [`grow`], whose distance from 10 says how far `x` is from a change in
/// the number of steps.
fn grow_iterates(x: f64, r: f64) -> Vec<f64> {
    let mut ys = vec![x];
    let mut y = x;
    while y < 10.0 {
        y = y * r + 1.0;
        ys.push(y);
    }
    ys
}

/// `loop` with two `break`s: the end of the slice, and a running sum crossing a threshold.
#[differentiable]
fn until_threshold(xs: &[f64], t: f64) -> f64 {
    let mut s = 0.0;
    let mut i = 0;
    loop {
        if i == xs.len() {
            break;
        }
        s += xs[i] * t;
        if s > 2.0 {
            break;
        }
        i += 1;
    }
    s * s
}

/// `continue` past the negative elements.
#[differentiable]
fn positive_roots(xs: &[f64], w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        if xs[i] < 0.0 {
            continue;
        }
        s += xs[i].sqrt() * w;
    }
    s + w
}

/// `break` on an integer condition inside a `for`.
#[differentiable]
fn first_k(xs: &[f64], k: usize) -> f64 {
    let mut p = 1.0;
    for i in 0..xs.len() {
        if i == k {
            break;
        }
        p *= xs[i].cos() + 2.0;
    }
    p
}

/// Nested loops reading `a[j * n + i]`: the quadratic form xᵀAᵀx.
#[differentiable]
fn quadratic_form(a: &[f64], x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            s += x[i] * a[j * n + i] * x[j];
        }
    }
    s
}

/// The recurrence of the benchmark, whose adjoint needs each step's `y`.
#[differentiable]
fn recurrence(a: &[f64], b: &[f64], y0: f64) -> f64 {
    let mut y = y0;
    for i in 0..a.len() {
        y = (y * a[i] + b[i]).tanh();
    }
    y
}

/// A product: `p *= e` needs the partial products in reverse.
#[differentiable]
fn product(xs: &[f64]) -> f64 {
    let mut p = 1.0;
    for i in 0..xs.len() {
        p *= xs[i];
    }
    p
}

/// A `break` out of the inner loop only: a triangular sum.
#[differentiable]
fn triangular(a: &[f64], x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            if j > i {
                break;
            }
            s += a[i * n + j] * x[i] * x[j].cos();
        }
    }
    s
}

/// A recurrence whose update depends on a branch on the index: the reverse sweep must replay
/// the branch taken at each step.
#[differentiable]
fn alternating(a: &[f64], x: f64) -> f64 {
    let mut y = x;
    for i in 0..a.len() {
        if i % 2 == 0 {
            y = (y * a[i] + x).sin();
        } else {
            y = y * y * a[i] - x;
        }
    }
    y
}

/// A recurrence run `reps` times over the slice: history across nested loops.
#[differentiable]
fn repeated_recurrence(a: &[f64], x: f64, reps: usize) -> f64 {
    let mut y = x;
    for _ in 0..reps {
        for i in 0..a.len() {
            y = (y * a[i] + x).sin();
        }
    }
    y
}

/// A recurrence that stops early when `y` crosses 0.5: the reverse sweep must start from the
/// step where the loop broke.
#[differentiable]
fn early_exit(xs: &[f64], a: f64) -> f64 {
    let mut y = 0.0;
    for i in 0..xs.len() {
        y = (y * a + xs[i]).tanh();
        if y > 0.5 {
            break;
        }
    }
    y * a
}

/// The iterates of [`early_exit`], whose distance from 0.5 says how far the point is from
/// stopping at another step.
fn early_exit_iterates(xs: &[f64], a: f64) -> Vec<f64> {
    let mut ys = Vec::new();
    let mut y = 0.0;
    for &x in xs {
        y = (y * a + x).tanh();
        ys.push(y);
        if y > 0.5 {
            break;
        }
    }
    ys
}

/// Elements of a local array overwritten in a loop (a ring of two): the adjoint needs each
/// overwritten value back.
#[differentiable]
fn ring(xs: &[f64]) -> f64 {
    let mut r = [1.0; 2];
    for i in 0..xs.len() {
        r[i % 2] = (r[i % 2] * xs[i] + r[(i + 1) % 2]).sin();
    }
    r[0] * r[1]
}

// ---- Array parameters, local arrays, computed indices. ----------------------------------------

/// `[F; 3]` by value, with a constant-length loop.
#[differentiable]
fn norm3(v: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += v[i] * v[i];
    }
    s.sqrt()
}

/// `&[F; N]` parameters, read with `n - 1 - i`.
#[differentiable]
fn reversed_dot(x: &[f64; 4], y: &[f64; 4]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        s += x[i] * y[n - 1 - i];
    }
    s
}

/// `&Vec<F>`, the type users hold their data in.
#[differentiable]
#[allow(clippy::ptr_arg)] // `&Vec<f64>` is the construct under test.
fn mean_square(xs: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        s += xs[i] * xs[i];
    }
    s / xs.len() as f64
}

/// A local `[0.0; N]`, element writes reading the previous element (`i - 1`), and
/// `+= -= *= /=` on elements.
#[differentiable]
fn prefix_sums(x: [f64; 4]) -> f64 {
    let mut p = [0.0; 4];
    p[0] = x[0];
    for i in 1..4 {
        p[i] = p[i - 1] + x[i];
    }
    p[1] *= x[2];
    p[2] -= x[0] * x[3];
    p[3] /= 1.0 + x[1] * x[1];
    p[0] + p[1] * p[2] + p[3]
}

/// A local `vec![0.0; n]` written with `a[i] = e` and `a[i] += e` (reading `i + 1`), then
/// read back in reverse order.
#[differentiable]
fn smoothed(xs: &[f64]) -> f64 {
    let n = xs.len();
    let mut v = vec![0.0; n];
    for i in 0..n {
        v[i] = 2.0 * xs[i];
        if i + 1 < n {
            v[i] += xs[i + 1];
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        s += v[n - 1 - i] * (i as f64 + 1.0) * v[i];
    }
    s
}

/// A local array literal of active values, and integer arithmetic on its indices.
#[differentiable]
fn literal_array(x: f64, y: f64, z: f64, shift: usize) -> f64 {
    let a = [x, y * x, z.exp()];
    let mut s = 0.0;
    for i in 0..3 {
        let j = (i * 2 + shift) % 3;
        s += a[i] * a[j];
    }
    s
}

/// `i + 1` and `j * n + i` together: smoothed total variation over the rows of a matrix.
#[differentiable]
fn row_variation(m: &[f64], n: usize) -> f64 {
    let rows = m.len() / n;
    let mut s = 0.0;
    for j in 0..rows {
        for i in 0..n - 1 {
            let d = m[j * n + i + 1] - m[j * n + i];
            s += (d * d + 0.01).sqrt();
        }
    }
    s
}

// ---- Calls, runtime primitives, #[no_grad]. ---------------------------------------------------

/// A neuron calling [`dot`] on its slice parameters.
#[differentiable]
fn neuron(w: &[f64], x: &[f64], b: f64) -> f64 {
    sigmoid(dot(w, x) + b)
}

/// A dense layer `out[j] = σ(Σᵢ w[j n + i] x[i] + b[j])` dotted with weights `c`. (With
/// `#[no_grad] c` it does not compile yet: see `macro_bugs::no_grad_slices`.)
#[differentiable]
fn dense(w: &[f64], x: &[f64], b: &[f64], c: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for j in 0..b.len() {
        let mut z = b[j];
        for i in 0..n {
            z += w[j * n + i] * x[i];
        }
        s += c[j] * sigmoid(z);
    }
    s
}

/// The same layer into a local `vec!`, then summed: the history of `out` is read back.
#[differentiable]
fn dense_summed(w: &[f64], x: &[f64], b: &[f64]) -> f64 {
    let n = x.len();
    let m = b.len();
    let mut out = vec![0.0; m];
    for j in 0..m {
        let mut z = b[j];
        for i in 0..n {
            z += w[j * n + i] * x[i];
        }
        out[j] = sigmoid(z);
    }
    let mut s = 0.0;
    for j in 0..m {
        s += out[j] * out[j];
    }
    s
}

/// Softmax followed by cross-entropy against a constant target, with the usual shift by
/// the maximum (found by a branch; its derivative cancels).
#[differentiable]
fn softmax_cross_entropy(z: &[f64], target: usize) -> f64 {
    let mut m = z[0];
    for i in 1..z.len() {
        if z[i] > m {
            m = z[i];
        }
    }
    let mut total = 0.0;
    for i in 0..z.len() {
        total += (z[i] - m).exp();
    }
    total.ln() - (z[target] - m)
}

/// Least squares of a polynomial: calls to [`horner`] on a slice parameter, inside a loop.
#[differentiable]
fn polynomial_fit(c: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for k in 0..xs.len() {
        let r = horner(c, xs[k]) - ys[k];
        loss += r * r;
    }
    loss / 2.0
}

/// In `f32`, with a `while` over the slice.
#[differentiable]
fn single_loop(xs: &[f32], a: f32) -> f32 {
    let mut y = a;
    let mut i = 0;
    while i < xs.len() {
        y = y * 0.5 + xs[i] * a.sin();
        i += 1;
    }
    y
}

// ---- Tuple and array results. -----------------------------------------------------------------

#[differentiable]
fn polar(r: f64, t: f64) -> (f64, f64) {
    (r * t.cos(), r * t.sin())
}

/// Mean, variance and maximum of a slice, a tuple computed by loops.
#[differentiable]
fn statistics(xs: &[f64]) -> (f64, f64, f64) {
    let n = xs.len() as f64;
    let mut mean = 0.0;
    let mut top = xs[0];
    for i in 0..xs.len() {
        mean += xs[i];
        if xs[i] > top {
            top = xs[i];
        }
    }
    mean /= n;
    let mut var = 0.0;
    for i in 0..xs.len() {
        var += (xs[i] - mean) * (xs[i] - mean);
    }
    (mean, var / n, top)
}

/// A running sum returned as the local array it was written into.
#[differentiable]
fn cumulative(x: [f64; 4], scale: f64) -> [f64; 4] {
    let mut out = [0.0; 4];
    let mut s = 0.0;
    for i in 0..4 {
        s += x[i] * scale;
        out[i] = s.sin();
    }
    out
}

/// An array literal result from a slice and a scalar.
#[differentiable]
fn rotated(v: &[f64], t: f64) -> [f64; 2] {
    let c = t.cos();
    let s = t.sin();
    [c * v[0] - s * v[1], s * v[0] + c * v[1]]
}

/// Two dense outputs as a tuple, each a call to [`neuron`].
#[differentiable]
fn two_neurons(w: &[f64], u: &[f64], x: &[f64]) -> (f64, f64) {
    let a = neuron(w, x, 0.5);
    let b = neuron(u, x, -0.5);
    (a * b, a + b)
}

/// A by-value array, a slice and a scalar together, into an array result: `f_vjp` returns
/// the array's and the scalar's gradients and adds the slice's into its shadow.
#[differentiable]
fn affine(m: [f64; 4], v: &[f64], t: f64) -> [f64; 2] {
    let mut out = [0.0; 2];
    for i in 0..2 {
        for j in 0..2 {
            out[i] += m[i * 2 + j] * v[j];
        }
        out[i] = (out[i] * t).tanh();
    }
    out
}

/// `f32` arrays by value into a tuple.
#[differentiable]
fn single_pair(a: [f32; 3], b: f32) -> (f32, f32) {
    let mut s = 0.0;
    let mut p = 1.0;
    for i in 0..3 {
        s += a[i] * b;
        p *= a[i] + 2.0;
    }
    (s.sin(), p)
}

// ---- The properties. --------------------------------------------------------------------------

/// Whether no partial sum of `xs[i] * t` is near 2, where [`until_threshold`] stops earlier
/// or later.
fn clear_of_threshold(xs: &[f64], t: f64) -> bool {
    let mut s = 0.0;
    for &x in xs {
        s += x * t;
        if (s - 2.0).abs() < SWITCH {
            return false;
        }
        if s > 2.0 {
            break;
        }
    }
    true
}

/// Whether the largest of `xs` is clear of the second largest: a tie switches `if z[i] > m`.
fn distinct_maximum(xs: &[f64]) -> bool {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.len() < 2 || sorted[sorted.len() - 1] - sorted[sorted.len() - 2] > SWITCH
}

mod each_function {
    use super::*;
    use crate::{array_property, property};

    property!(tiers, tiers_grad, tiers_jvp, [x in -3.0..3.0, y in -2.0..2.0]
        where (x.abs() - 1.0).abs() > SWITCH);
    property!(selected, selected_grad, selected_jvp, [x in -2.0..2.0, y in -2.0..2.0]
        where (x * y - 0.5).abs() > SWITCH && y.abs() > SWITCH);
    property!(logic, logic_grad, logic_jvp, [x in -2.0..2.0, y in -2.0..2.0, const n in 2..5]
        where x.abs() > SWITCH && y.abs() > SWITCH && (x - y).abs() > SWITCH);
    property!(by_degree, by_degree_grad, by_degree_jvp, [x in 0.1..2.0, const n in -2..8]);
    property!(match_statement, match_statement_grad, match_statement_jvp, [
        x in -2.0..2.0,
        y in -2.0..2.0,
        const k in 0usize..6
    ]);
    array_property!(dot, grad dot_grad, vjp dot_vjp, jvp dot_jvp, [
        slice w in vec(-2.0..2.0, 5),
        slice x in vec(-2.0..2.0, 5)
    ]);
    property!(power_series, power_series_grad, power_series_jvp, [x in -1.5..1.5, const n in 0usize..7]);
    array_property!(horner, grad horner_grad, vjp horner_vjp, jvp horner_jvp, [
        slice c in vec(-2.0..2.0, 0..8),
        x in -1.5..1.5
    ]);
    array_property!(strided, grad strided_grad, vjp strided_vjp, jvp strided_jvp, [
        slice xs in vec(-2.0..2.0, 1..9),
        const k in 1usize..4
    ]);
    property!(counted_while, counted_while_grad, counted_while_jvp, [
        x in -1.0..1.0,
        a in -1.5..1.5,
        const n in 0usize..6
    ]);
    property!(grow, grow_grad, grow_jvp, [x in 0.1..5.0, const r in 1.2f64..3.0]
        where grow_iterates(x, r).iter().all(|y| (y - 10.0).abs() > SWITCH * 10.0));
    array_property!(until_threshold, grad until_threshold_grad, vjp until_threshold_vjp, jvp until_threshold_jvp, [
        slice xs in vec(-1.0..2.0, 1..6),
        t in 0.2..1.5
    ] where clear_of_threshold(&xs, t));
    array_property!(positive_roots, grad positive_roots_grad, vjp positive_roots_vjp, jvp positive_roots_jvp, [
        slice xs in vec(-2.0..2.0, 1..6),
        w in -2.0..2.0
    ] where xs.iter().all(|x| x.abs() > 0.05));
    array_property!(first_k, grad first_k_grad, vjp first_k_vjp, jvp first_k_jvp, [
        slice xs in vec(-3.0..3.0, 1..6),
        const k in 0usize..7
    ]);
    array_property!(quadratic_form, grad quadratic_form_grad, vjp quadratic_form_vjp, jvp quadratic_form_jvp, [
        slice a in vec(-1.0..1.0, 9),
        slice x in vec(-1.0..1.0, 3)
    ]);
    array_property!(recurrence, grad recurrence_grad, vjp recurrence_vjp, jvp recurrence_jvp, [
        slice a in vec(-1.5..1.5, 6),
        slice b in vec(-1.0..1.0, 6),
        y0 in -1.0..1.0
    ]);
    array_property!(triangular, grad triangular_grad, vjp triangular_vjp, jvp triangular_jvp, [
        slice a in vec(-1.0..1.0, 16),
        slice x in vec(-2.0..2.0, 4)
    ]);
    array_property!(alternating, grad alternating_grad, vjp alternating_vjp, jvp alternating_jvp, [
        slice a in vec(-1.0..1.0, 0..7),
        x in -1.0..1.0
    ]);
    array_property!(repeated_recurrence, grad repeated_recurrence_grad, vjp repeated_recurrence_vjp,
        jvp repeated_recurrence_jvp, [
        slice a in vec(-1.5..1.5, 1..5),
        x in -1.0..1.0,
        const reps in 0usize..4
    ]);
    array_property!(early_exit, grad early_exit_grad, vjp early_exit_vjp, jvp early_exit_jvp, [
        slice xs in vec(-1.0..1.0, 1..7),
        a in -1.5..1.5
    ] where early_exit_iterates(&xs, a).iter().all(|y| (y - 0.5).abs() > SWITCH));
    array_property!(ring, grad ring_grad, vjp ring_vjp, jvp ring_jvp, [slice xs in vec(-1.5..1.5, 0..8)]);
    array_property!(product, grad product_grad, vjp product_vjp, jvp product_jvp, [slice xs in vec(-1.5..1.5, 1..7)]);
    array_property!(norm3, grad norm3_grad, vjp norm3_vjp, jvp norm3_jvp, [array v in uniform3(0.1..2.0)]);
    array_property!(reversed_dot, grad reversed_dot_grad, vjp reversed_dot_vjp, jvp reversed_dot_jvp, [
        slice x in uniform4(-2.0..2.0),
        slice y in uniform4(-2.0..2.0)
    ]);
    array_property!(mean_square, grad mean_square_grad, vjp mean_square_vjp, jvp mean_square_jvp, [
        slice xs in vec(-2.0..2.0, 1..7)
    ]);
    array_property!(prefix_sums, grad prefix_sums_grad, vjp prefix_sums_vjp, jvp prefix_sums_jvp, [
        array x in uniform4(-1.5..1.5)
    ]);
    array_property!(smoothed, grad smoothed_grad, vjp smoothed_vjp, jvp smoothed_jvp, [
        slice xs in vec(-2.0..2.0, 1..7)
    ]);
    property!(literal_array, literal_array_grad, literal_array_jvp, [
        x in -1.5..1.5,
        y in -1.5..1.5,
        z in -1.5..1.5,
        const shift in 0usize..3
    ]);
    array_property!(row_variation, grad row_variation_grad, vjp row_variation_vjp, jvp row_variation_jvp, [
        slice m in vec(-1.0..1.0, 12),
        const n in proptest::sample::select(vec![2usize, 3, 4, 6])
    ]);
    array_property!(neuron, grad neuron_grad, vjp neuron_vjp, jvp neuron_jvp, [
        slice w in vec(-2.0..2.0, 4),
        slice x in vec(-2.0..2.0, 4),
        b in -1.0..1.0
    ]);
    array_property!(dense, grad dense_grad, vjp dense_vjp, jvp dense_jvp, [
        slice w in vec(-1.0..1.0, 12),
        slice x in vec(-2.0..2.0, 4),
        slice b in vec(-1.0..1.0, 3),
        slice c in vec(-2.0..2.0, 3)
    ]);
    array_property!(dense_summed, grad dense_summed_grad, vjp dense_summed_vjp, jvp dense_summed_jvp, [
        slice w in vec(-1.0..1.0, 6),
        slice x in vec(-2.0..2.0, 3),
        slice b in vec(-1.0..1.0, 2)
    ]);
    array_property!(softmax_cross_entropy, grad softmax_cross_entropy_grad, vjp softmax_cross_entropy_vjp,
        jvp softmax_cross_entropy_jvp, [
        slice z in vec(-3.0..3.0, 5),
        const target in 0usize..5
    ] where distinct_maximum(&z));
    array_property!(polynomial_fit, grad polynomial_fit_grad, vjp polynomial_fit_vjp, jvp polynomial_fit_jvp, [
        slice c in vec(-1.0..1.0, 4),
        slice xs in vec(-1.5..1.5, 5),
        slice ys in vec(-1.0..1.0, 5)
    ]);
    array_property!(single_loop, grad single_loop_grad, vjp single_loop_vjp, jvp single_loop_jvp, [
        slice xs in vec(-1.0f32..1.0, 1..6),
        a in -1.5f32..1.5
    ]);
    array_property!(polar, vjp polar_vjp, jvp polar_jvp, [r in 0.1..2.0, t in -3.0..3.0]);
    array_property!(statistics, vjp statistics_vjp, jvp statistics_jvp, [slice xs in vec(-2.0..2.0, 1..7)]
        where distinct_maximum(&xs));
    array_property!(cumulative, vjp cumulative_vjp, jvp cumulative_jvp, [
        array x in uniform4(-1.5..1.5),
        scale in -1.0..1.0
    ]);
    array_property!(rotated, vjp rotated_vjp, jvp rotated_jvp, [slice v in vec(-2.0..2.0, 2), t in -3.0..3.0]);
    array_property!(affine, vjp affine_vjp, jvp affine_jvp, [
        array m in uniform4(-1.0..1.0),
        slice v in vec(-2.0..2.0, 2),
        t in -1.5..1.5
    ]);
    array_property!(single_pair, vjp single_pair_vjp, jvp single_pair_jvp, [
        array a in uniform3(-1.0f32..1.0),
        b in -1.5f32..1.5
    ]);
    array_property!(two_neurons, vjp two_neurons_vjp, jvp two_neurons_jvp, [
        slice w in vec(-1.0..1.0, 3),
        slice u in vec(-1.0..1.0, 3),
        slice x in vec(-2.0..2.0, 3)
    ]);
}
