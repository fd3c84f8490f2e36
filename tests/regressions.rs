//! Constructs the random programs found wrong once, pinned with values worked by hand. The
//! nested `if`s are the point: clippy would collapse them.
#![allow(clippy::collapsible_if)]

use chainrule::prelude::*;

/// A `break` inside an `if` nested in another `if`: the adjoint loop must not replay the
/// statements the breaking iteration skipped (it once did: a silently wrong gradient).
#[differentiable]
fn nested_break_accumulator(a: f64, b: f64) -> f64 {
    let mut m = a;
    for k in 0..5 {
        if b > 0.0 {
            if k > 1 {
                break;
            }
        }
        m += b * a;
    }
    m
}

/// The same with a recurrence (it once underflowed the adjoint stack).
#[differentiable]
fn nested_break_recurrence(a: f64, b: f64) -> f64 {
    let mut m = a;
    for k in 0..5 {
        if b > 0.0 {
            if k > 1 {
                break;
            }
        }
        m *= b;
    }
    m
}

/// A `break` nested in a branch of a `loop` whose later statements also `break`.
#[differentiable]
fn two_breaks(t: f64, xs: &[f64]) -> f64 {
    let mut m = 0.0;
    let mut k = 0;
    loop {
        if xs[k] > 0.0 {
            if t * xs[k] > 1.0 {
                break;
            }
        } else {
            m -= xs[k];
        }
        m += t;
        k += 1;
        if k == 3 {
            break;
        }
    }
    m
}

/// A statement `match` ending a loop body without `;`.
#[differentiable]
fn match_ends_body(a: f64, b: f64) -> f64 {
    let mut m = a;
    for i in 0..3 {
        match i {
            0 => m -= b,
            _ => m *= b,
        }
    }
    m
}

/// `break` in a loop over an inclusive range, forwards and backwards.
#[differentiable]
fn inclusive_break(a: f64) -> f64 {
    let mut s = a;
    for i in (0..=4).rev() {
        if i < 2 {
            break;
        }
        s = s * a + 1.0;
    }
    s
}

/// A block statement ending a loop body.
#[differentiable]
fn block_ends_body(a: f64) -> f64 {
    let mut s = a;
    for _ in 0..2 {
        {
            s *= a;
        }
    }
    s
}

#[test]
fn nested_breaks() {
    // k = 0, 1 add b·a, then k = 2 breaks: m = a + 2ab.
    assert_eq!(nested_break_accumulator_grad(1.0, 3.0), (7.0, (7.0, 2.0)));
    assert_eq!(nested_break_accumulator_jvp(1.0, 1.0, 3.0, 0.0), (7.0, 7.0));
    // m = a b²: (9, (b², 2ab)).
    assert_eq!(nested_break_recurrence_grad(1.0, 3.0), (9.0, (9.0, 6.0)));
}

#[test]
fn break_in_a_branch_then_another_break() {
    // xs = [-1, -2, 0.5]: k = 0, 1 take the else branch (m += 1, 2), k = 2 has t·0.5 ≤ 1,
    // so three iterations add t: m = 3 + 3t, ∂m/∂xs = (-1, -1, 0).
    let (m, (dt, dxs)) = two_breaks_grad(0.5, &[-1.0, -2.0, 0.5]);
    assert_eq!((m, dt, dxs), (4.5, 3.0, vec![-1.0, -1.0, 0.0]));
    // With t = 3, k = 2 breaks before adding t: m = 3 + 2t.
    assert_eq!(two_breaks_grad(3.0, &[-1.0, -2.0, 0.5]).1.0, 2.0);
}

#[test]
fn other_shapes() {
    // (a − b) b²
    assert_eq!(match_ends_body_grad(2.0, 3.0), (-9.0, (9.0, -15.0)));
    // i = 4, 3, 2: a⁴ + a² + a + 1, derivative 4a³ + 2a + 1.
    assert_eq!(inclusive_break_grad(2.0), (23.0, 37.0));
    assert_eq!(block_ends_body_grad(2.0), (8.0, 12.0));
}
