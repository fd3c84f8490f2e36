//! What reverse mode keeps for loops over local arrays, checked for the gradients it gives
//! (the plan itself is asserted in the macro's own tests, `reverse/tests.rs`): reads of an
//! array nothing writes afterwards, read again from it; reads after the last write of each
//! iteration, read from one copy per iteration; adjoint elements a loop adds into at one
//! index, kept in a scalar; adjoint elements a loop adds into at constant offsets from its
//! variable, kept in registers as it slides over them (`tests/sweeps.rs` has more); in-place
//! increments `a[i] += e`, whose adjoint leaves `da[i]`;
//! indices kept as `usize` history. Each function also has shapes where the shortcut must
//! not apply (a write between an increment's read and write, an index out of range when the
//! loop does not run), checked the same way: finite differences, forward against reverse,
//! values bit for bit.

// Index loops are what these shortcuts are about.
#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::prelude::*;
use proptest::collection::vec;

/// GradBench's GMM kernel as its C++ reference writes it: `xcentered` rewritten per point
/// and component, read d²/2 times by a triangular product accumulated into `qx` (index
/// `idx` carried across the loops), then `sqnorm(&qx)`; `qdiags` written once at the top and
/// read in every iteration after.
#[differentiable]
fn sqnorm(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i];
    }
    s
}

#[differentiable]
fn gmm_kernel(means: &[f64], icf: &[f64], #[no_grad] x: &[f64], #[no_grad] d: usize) -> f64 {
    let k = means.len() / d;
    let n = x.len() / d;
    let icf_sz = d * (d + 1) / 2;
    let mut qdiags = vec![0.0; d * k];
    for c in 0..k {
        for r in 0..d {
            qdiags[c * d + r] = icf[c * icf_sz + r].exp();
        }
    }
    let mut xcentered = vec![0.0; d];
    let mut qx = vec![0.0; d];
    let mut total = 0.0;
    for i in 0..n {
        for c in 0..k {
            for r in 0..d {
                xcentered[r] = x[i * d + r] - means[c * d + r];
            }
            for r in 0..d {
                qx[r] = qdiags[c * d + r] * xcentered[r];
            }
            let mut idx = c * icf_sz + d;
            for col in 0..d {
                for row in col + 1..d {
                    qx[row] += icf[idx] * xcentered[col];
                    idx += 1;
                }
            }
            total += (-0.5 * sqnorm(&qx)).exp();
        }
    }
    total
}

/// A local array written in a branch of each iteration, read after it in a nested loop, and
/// written again after the reads (the copy must hold the values the reads saw).
#[differentiable]
fn rewritten_after(a: &[f64], #[no_grad] flip: bool) -> f64 {
    let n = a.len();
    let mut t = [0.0; 4];
    let mut s = 0.0;
    for i in 0..n {
        if flip {
            for j in 0..4 {
                t[j] = a[i] * (j as f64 + 1.0);
            }
        } else {
            t[i % 4] = a[i].sin();
        }
        for j in 0..4 {
            s += t[j] * t[j] * a[i];
        }
        t[0] = s;
    }
    s
}

/// The same without the write after the reads: one copy of `t` per iteration serves them.
#[differentiable]
fn written_in_branch(a: &[f64], #[no_grad] flip: bool) -> f64 {
    let n = a.len();
    let mut t = [0.0; 4];
    let mut s = 0.0;
    for i in 0..n {
        if flip {
            for j in 0..4 {
                t[j] = a[i] * (j as f64 + 1.0);
            }
        } else {
            t[i % 4] = a[i].sin();
        }
        for j in 0..4 {
            s += t[j] * t[j] * a[i];
        }
    }
    s
}

/// The adjoint of `u[col]` is added into at `col` in the inner loop, which does not run
/// when `col + 1 >= n`, nor at all when `col` is past `u`'s end (`m > n`): the scalar kept
/// for it must not be read there.
#[differentiable]
fn past_the_end(u: &[f64], v: &[f64], #[no_grad] m: usize) -> f64 {
    let n = u.len().min(v.len());
    let mut s = 0.0;
    for col in 0..m {
        for row in col + 1..n {
            s += u[col] * v[row] + (u[col] * 0.5).sin();
        }
    }
    s
}

/// Increments, and shapes that only look like one: a write to the same array between the
/// read and the write; the sum used again; the element added to itself; `e - a[i]`.
#[differentiable]
fn increments(x: &[f64], w: f64) -> f64 {
    let n = x.len();
    let mut a = vec![0.0; n];
    let mut out = 0.0;
    for i in 0..n {
        a[i] += x[i] * w;
        let r = a[i];
        a[n - 1 - i] = r * w;
        a[i] = r + x[i];
        let s = a[i] + w;
        a[i] = s;
        out += s * s;
        a[i] = a[i] + a[i];
        a[i] = w - a[i];
        a[i] -= x[i] * x[i];
    }
    for i in 0..n {
        out += a[i] * x[i];
    }
    out
}

/// An index kept per iteration (`idx` carried by the loop) that a read and an adjoint write
/// both use, and a local integer array of indices.
#[differentiable]
fn gathered(a: &[f64], #[no_grad] stride: usize) -> f64 {
    let n = a.len();
    let mut order = [0usize; 8];
    for i in 0..8 {
        order[i] = (i * stride) % n;
    }
    let mut idx = 0;
    let mut s = 0.0;
    for i in 0..8 {
        idx = (idx + stride) % n;
        s = (s + a[idx] * a[order[i]]).sin();
    }
    s
}

/// A sum weighted by `w`, for the callers below to lend a local array to.
#[differentiable]
fn weighted_sum(w: &[f64], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[i].sin();
    }
    s
}

/// A local array written once before the loop and lent to a call in every iteration: the
/// call's pullback reads the array itself (no copy is taken, since nothing writes it once
/// the calls run).
#[differentiable]
fn lent_unchanged(a: &[f64], x: &[f64]) -> f64 {
    let mut w = vec![0.0; a.len()];
    for i in 0..a.len() {
        w[i] = a[i].exp();
    }
    let mut s = 0.0;
    for r in 0..3 {
        s += (r as f64 + 1.0) * weighted_sum(&w, x);
    }
    s
}

/// The same array written after each call: the pullback must see the values each call
/// read, so here a copy per call is kept.
#[differentiable]
fn lent_then_rewritten(a: &[f64], x: &[f64]) -> f64 {
    let mut w = vec![0.0; a.len()];
    for i in 0..a.len() {
        w[i] = a[i].exp();
    }
    let mut s = 0.0;
    for _ in 0..3 {
        s += weighted_sum(&w, x);
        for i in 0..w.len() {
            w[i] = w[i] * a[i] + s;
        }
    }
    s
}

/// `out[i] = x[i] * y[i]`: writes its output and never reads it (`OVERWRITES`).
#[differentiable]
fn product_into(x: &[f64], y: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = x[i] * y[i];
    }
}

/// `out[i] = out[i] * x[i] + 1`: reads what its output held.
#[differentiable]
fn scale_into(x: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = out[i] * x[i] + 1.0;
    }
}

/// Local `Vec`s lent to be written in a loop, beside a local array lent to be read (which
/// makes each call *deferred*: its pullback re-runs it in the adjoint sweep on copies), to
/// a callee that overwrites its output (no copy is kept for it) and to one that reads it
/// first (a copy per call is kept).
#[differentiable]
fn lent_to_write(a: &[f64], x: &[f64]) -> f64 {
    let mut w = vec![0.0; a.len()];
    let mut v = vec![0.0; a.len()];
    for i in 0..a.len() {
        v[i] = a[i].sin();
    }
    let mut s = 0.0;
    for _ in 0..3 {
        product_into(&v, x, &mut w);
        scale_into(&w, &mut v);
        for i in 0..w.len() {
            s += w[i] * v[i];
        }
        v[0] += s.sin();
    }
    s
}

/// Squared distance, lent data as `a` or as `b` by the callers below.
#[differentiable]
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for r in 0..a.len() {
        let t = a[r] - b[r];
        s += t * t;
    }
    s
}

/// A loop adding into one element of each array's adjoint at an index it does not change
/// (kept in a scalar, see `promote`), and into every element.
#[differentiable]
fn anchored(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..b.len() {
        s += a[0] * b[i] + (a[i % a.len()] * b[0]).sin();
    }
    s
}

/// Passes its arrays on to other calls: an adjoint its caller does not want goes on to
/// them as the discard buffer it came as.
#[differentiable]
fn passes_on(a: &[f64], b: &[f64], w: f64) -> f64 {
    w * dist2(a, b) + anchored(a, b)
}

/// Calls that read only borrowed slices, made again in the adjoint sweep (`rerun`): data
/// lent as the first argument and as the second (the callee is told which adjoints are
/// wanted), in a branch, with a scalar argument the loop changes after each call.
#[differentiable]
fn made_again(centres: &[f64], #[no_grad] points: &[f64], w: f64) -> f64 {
    let d = 2;
    let mut s = w;
    for i in 0..points.len() / d {
        let p = &points[i * d..(i + 1) * d];
        let mut best = dist2(p, &centres[0..d]);
        if i % 2 == 0 {
            best = best.min(passes_on(p, &centres[d..2 * d], s));
        }
        best += 0.1 * anchored(&centres[0..d], p) + dist2(&centres[d..], &centres[..d]);
        s = s * 0.5 + best;
    }
    s
}

/// The same calls in a loop that can `break`, reading the slices from their ends.
#[differentiable]
fn made_again_until(centres: &[f64], #[no_grad] points: &[f64], #[no_grad] limit: f64) -> f64 {
    let mut s = 0.0;
    let mut i = 0;
    while i + 2 <= points.len() {
        s += anchored(&points[i..], &centres[..2]) * dist2(&centres[2..], &points[points.len() - 2..]);
        if s > limit {
            break;
        }
        i += 2;
    }
    s
}

/// Offsets 0, 1 and 2 of a slice parameter and of a local array, in a loop from 1 that does
/// not run at all for three elements: the adjoint elements slide through registers.
#[differentiable]
fn stencil(x: &[f64], w: f64) -> f64 {
    let n = x.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (x[i] * w).sin();
    }
    let mut s = 0.0;
    if n >= 3 {
        for i in 1..n - 2 {
            s += (y[i] - 2.0 * y[i + 1] + y[i + 2]).powi(2) * x[i + 2] + x[i] * x[i + 1];
        }
    }
    s
}

mod properties {
    use super::*;

    array_property!(made_again, grad made_again_grad, vjp made_again_vjp, jvp made_again_jvp, [
        slice centres in vec(-1.0..1.0, 4),
        const slice points in vec(-1.5..1.5, 2..9),
        w in -1.0..1.0
    ]);
    array_property!(made_again_until, grad made_again_until_grad, vjp made_again_until_vjp,
        jvp made_again_until_jvp, [
        slice centres in vec(-1.0..1.0, 4),
        const slice points in vec(-1.5..1.5, 2..9),
        const limit in 0.0..4.0
    ]);
    array_property!(stencil, grad stencil_grad, vjp stencil_vjp, jvp stencil_jvp, [
        slice x in vec(-1.0..1.0, 1..9),
        w in -1.0..1.0
    ]);
    array_property!(lent_to_write, grad lent_to_write_grad, vjp lent_to_write_vjp, jvp lent_to_write_jvp, [
        slice a in vec(-1.0..1.0, 3),
        slice x in vec(-1.0..1.0, 3)
    ]);

    array_property!(lent_unchanged, grad lent_unchanged_grad, vjp lent_unchanged_vjp, jvp lent_unchanged_jvp, [
        slice a in vec(-1.0..1.0, 4),
        slice x in vec(-1.0..1.0, 4)
    ]);
    array_property!(lent_then_rewritten, grad lent_then_rewritten_grad, vjp lent_then_rewritten_vjp,
        jvp lent_then_rewritten_jvp, [
        slice a in vec(-1.0..1.0, 4),
        slice x in vec(-1.0..1.0, 4)
    ]);

    array_property!(gmm_kernel, grad gmm_kernel_grad, vjp gmm_kernel_vjp, jvp gmm_kernel_jvp, [
        slice means in vec(-1.0..1.0, 6),
        slice icf in vec(-0.5..0.5, 12),
        const slice x in vec(-1.5..1.5, 6),
        const d in 3usize..4
    ]);
    array_property!(rewritten_after, grad rewritten_after_grad, vjp rewritten_after_vjp, jvp rewritten_after_jvp, [
        slice a in vec(-1.0..1.0, 1..7),
        const flip in proptest::bool::ANY
    ]);
    array_property!(written_in_branch, grad written_in_branch_grad, vjp written_in_branch_vjp,
        jvp written_in_branch_jvp, [
        slice a in vec(-1.0..1.0, 1..7),
        const flip in proptest::bool::ANY
    ]);
    array_property!(past_the_end, grad past_the_end_grad, vjp past_the_end_vjp, jvp past_the_end_jvp, [
        slice u in vec(-1.0..1.0, 1..6),
        slice v in vec(-1.0..1.0, 1..6),
        const m in 0usize..8
    ]);
    array_property!(increments, grad increments_grad, vjp increments_vjp, jvp increments_jvp, [
        slice x in vec(-1.0..1.0, 1..6),
        w in -1.0..1.0
    ]);
    array_property!(gathered, grad gathered_grad, vjp gathered_vjp, jvp gathered_jvp, [
        slice a in vec(-1.0..1.0, 1..6),
        const stride in 1usize..5
    ]);
}

/// `past_the_end` at `m` past the slices' end: the value and gradient worked by hand.
#[test]
fn past_the_end_by_hand() {
    // n = 2, m = 5: only col = 0 runs the inner loop (row = 1).
    let (value, (du, dv)) = past_the_end_grad(&[0.5, 2.0], &[3.0, 4.0], 5);
    let expected = 0.5 * 4.0 + (0.25f64).sin();
    assert!((value - expected).abs() < 1e-15, "{value} vs {expected}");
    let du0 = 4.0 + 0.5 * (0.25f64).cos();
    assert!((du[0] - du0).abs() < 1e-15 && du[1] == 0.0, "{du:?}");
    assert!(dv[0] == 0.0 && (dv[1] - 0.5).abs() < 1e-15, "{dv:?}");
}
