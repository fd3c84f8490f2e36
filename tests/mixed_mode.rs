//! Functions whose reverse mode differentiates one scalar parameter forwards (macros/src/
//! mixed.rs): a scalar read inside a loop, in a function that returns its results, calls no
//! differentiable function and whose loops call no libm function (arithmetic and `sqrt` only). Each runs through the shared checkers (reverse against finite
//! differences, forward against reverse, values bit for bit), in the shapes the corpus of
//! tests/control_flow.rs leaves out: a tuple result, a local array the parameter flows
//! through, a `while` loop, a branch on the parameter, `step_by` with `continue` and `break`,
//! nested loops, f32, and a function whose only active parameter is that one. A parameter that reaches the result only through `stop_gradient`,
//! where finite differences disagree by design, is checked against its closed form.
//! Horner's rule itself, `power_series` and the other scalar-in-a-loop functions of the
//! corpus are checked there.

#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::prelude::*;
use proptest::collection::vec;

/// Two results, both depending on `x` inside the loop: `f_vjp`'s gradient for `x` is the
/// seeds times both results' tangents.
#[differentiable]
fn moments(w: &[f64], x: f64) -> (f64, f64) {
    let mut first = 0.0;
    let mut second = 0.0;
    for i in 0..w.len() {
        let d = w[i] - x;
        first += d * w[i];
        second += d * d / (1.0 + d * d);
    }
    (first, second * x)
}

/// `x` flows through a local array, written in one loop and read in another: its tangent is
/// an array too.
#[differentiable]
fn buffered(w: [f64; 4], x: f64) -> f64 {
    let mut buf = [0.0; 4];
    for i in 0..4 {
        let z = w[i] * x;
        buf[i] = z / (1.0 + z * z);
    }
    let mut s = 0.0;
    for i in 0..4 {
        s += buf[i] * buf[(i + 1) % 4] + w[i];
    }
    s
}

/// A `while` loop whose body reads `x` and a slice.
#[differentiable]
fn damped(a: &[f64], x: f64) -> f64 {
    let mut y = 1.0;
    let mut k = 0;
    while k < a.len() {
        y = y * x / (1.0 + y * y) + a[k] * y;
        k += 1;
    }
    y
}

/// A branch on `x` inside the loop.
#[differentiable]
fn hinge(w: &[f64], x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        if w[i] > x {
            s += (w[i] - x) * (w[i] - x);
        } else {
            s -= x * w[i];
        }
    }
    s
}

/// `x` reaches the result only through `stop_gradient`: its gradient is zero, the slice's is `x`.
#[differentiable]
fn detached(w: &[f64], x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * stop_gradient(x * x);
    }
    s
}

/// Horner's rule in f32.
#[differentiable]
fn horner32(c: &[f32], x: f32) -> f32 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

/// The only active parameter is the one differentiated forwards: reverse mode is then all
/// forward mode.
#[differentiable]
fn powers(#[no_grad] c: &[f64], x: f64) -> f64 {
    let mut p = 1.0;
    let mut s = 0.0;
    for i in 0..c.len() {
        s += c[i] * p;
        p *= x;
    }
    s.exp()
}

/// `.rev().step_by(2)`, `continue` and `break`, each deciding on a value that depends on `x`.
#[differentiable]
fn stepped(a: &[f64], x: f64) -> f64 {
    let mut s = 0.0;
    for i in (0..a.len()).rev().step_by(2) {
        let t = a[i] * x;
        if t < 0.0 {
            continue;
        }
        s = s * x + t * t;
        if s > 4.0 {
            break;
        }
    }
    s
}

/// Nested loops, the inner one's trip count set by the outer variable, and a recurrence in
/// the outer one.
#[differentiable]
fn nested(a: &[f64], x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        for j in 0..i {
            s += a[i] * a[j] * x;
        }
        s = s * x / (1.0 + s * s);
    }
    s
}

/// Whether `stepped`'s decisions stay put under a small change of `a` or `x`.
fn stepped_clear(a: &[f64], x: f64) -> bool {
    let mut s: f64 = 0.0;
    for i in (0..a.len()).rev().step_by(2) {
        let t = a[i] * x;
        if t.abs() < 1e-3 {
            return false;
        }
        if t < 0.0 {
            continue;
        }
        s = s * x + t * t;
        if (s - 4.0).abs() < 1e-3 {
            return false;
        }
        if s > 4.0 {
            break;
        }
    }
    true
}

/// Whether no `w[i]` is within `SWITCH` of `x`, where `hinge`'s branch switches.
fn clear_of(w: &[f64], x: f64) -> bool {
    w.iter().all(|wi| (wi - x).abs() > 1e-3)
}

mod each_function {
    use super::*;
    use crate::array_property;

    array_property!(moments, vjp moments_vjp, jvp moments_jvp, [
        slice w in vec(-2.0..2.0, 0..6),
        x in -1.5..1.5
    ]);
    array_property!(buffered, grad buffered_grad, vjp buffered_vjp, jvp buffered_jvp, [
        array w in proptest::array::uniform4(-2.0..2.0),
        x in -1.5..1.5
    ]);
    array_property!(damped, grad damped_grad, vjp damped_vjp, jvp damped_jvp, [
        slice a in vec(-1.0..1.0, 0..6),
        x in -1.5..1.5
    ]);
    array_property!(hinge, grad hinge_grad, vjp hinge_vjp, jvp hinge_jvp, [
        slice w in vec(-2.0..2.0, 0..6),
        x in -1.5..1.5
    ] where clear_of(&w, x));
    array_property!(stepped, grad stepped_grad, vjp stepped_vjp, jvp stepped_jvp, [
        slice a in vec(-2.0..2.0, 0..8),
        x in -1.5..1.5
    ] where stepped_clear(&a, x));
    array_property!(nested, grad nested_grad, vjp nested_vjp, jvp nested_jvp, [
        slice a in vec(-1.0..1.0, 0..6),
        x in -1.5..1.5
    ]);
    array_property!(horner32, grad horner32_grad, vjp horner32_vjp, jvp horner32_jvp, [
        slice c in vec(-2.0f32..2.0, 0..6),
        x in -1.2f32..1.2
    ]);
    array_property!(powers, grad powers_grad, vjp powers_vjp, jvp powers_jvp, [
        const slice c in vec(-1.0..1.0, 0..6),
        x in -1.2..1.2
    ]);
}

/// The gradients that the checkers can only compare with each other, against closed forms.
#[test]
fn gradients_match_their_closed_forms() {
    // d/dx of Σ w[i] · stop_gradient(x²) is 0; d/dw[i] is x².
    let w = [0.5, -1.0, 2.0];
    let (value, (dw, dx)) = detached_grad(&w, 1.5);
    assert_eq!(value, 1.5 * 2.25);
    assert_eq!(dx, 0.0);
    assert_eq!(dw, vec![2.25; 3]);
    assert_eq!(detached_jvp(&w, &[0.0; 3], 1.5, 1.0), (value, 0.0));

    // Horner's p(x) = Σ cᵢ xⁱ: ∂p/∂cᵢ = xⁱ and p'(x) = Σ i cᵢ xⁱ⁻¹, with a seed.
    let c = [1.0f32, -2.0, 0.5, 3.0];
    let x = 0.75f32;
    let mut dc = [0.0f32; 4];
    let (p, dx) = horner32_vjp(&c, &mut dc, x, 2.0);
    let expected: f32 = (1..4).map(|i| i as f32 * c[i] * x.powi(i as i32 - 1)).sum();
    assert!((p - (1.0 - 2.0 * x + 0.5 * x * x + 3.0 * x * x * x)).abs() < 1e-6);
    assert!((dx - 2.0 * expected).abs() < 1e-5, "{dx} vs {}", 2.0 * expected);
    for (i, d) in dc.iter().enumerate() {
        assert!((d - 2.0 * x.powi(i as i32)).abs() < 1e-6, "∂p/∂c{i} = {d}");
    }

    // The two seeds of a tuple result both reach x: d/dx (first, second·x) · (s0, s1).
    let w = [0.3, -0.7];
    let x = 0.4;
    let mut dw = [0.0; 2];
    let ((first, second_x), dx) = moments_vjp(&w, &mut dw, x, (1.0, 0.0));
    let expected_first: f64 = -w.iter().sum::<f64>();
    assert!((dx - expected_first).abs() < 1e-15, "{dx} vs {expected_first}");
    let q = |d: f64| d * d / (1.0 + d * d);
    let second: f64 = w.iter().map(|wi| q(wi - x)).sum();
    assert!(
        (second_x - second * x).abs() < 1e-15 && (first - w.iter().map(|wi| (wi - x) * wi).sum::<f64>()).abs() < 1e-15
    );
    let (_, dx) = moments_vjp(&w, &mut dw, x, (0.0, 1.0));
    // d/dx (x · Σ q(wᵢ - x)) = Σ q + x · Σ -q'(wᵢ - x), with q'(d) = 2d / (1 + d²)².
    let q_prime = |d: f64| 2.0 * d / ((1.0 + d * d) * (1.0 + d * d));
    let expected_second: f64 = second + x * w.iter().map(|wi| -q_prime(wi - x)).sum::<f64>();
    assert!((dx - expected_second).abs() < 1e-14, "{dx} vs {expected_second}");
}
