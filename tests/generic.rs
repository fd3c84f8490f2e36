//! Functions generic over their float type (`fn f<F: Float>(x: F, xs: &[F]) -> F`): a corpus
//! that uses the constructs of the other property files in generic form, each checked at
//! `f64` and at `f32` by the shared checkers of tests/common/mod.rs (finite differences,
//! forward against reverse, values bit for bit), plus calls between generic and concrete
//! functions, `&mut` outputs and recursion, and the generic code against a concrete twin bit
//! for bit (the same code, with its literals converted by `F::from_f64`).

#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::prelude::*;
use proptest::array::uniform3;
use proptest::collection::vec;

/// Horner's rule over coefficients, a constant written with `F::from_f64`.
#[differentiable]
fn horner<F: Float>(x: F, c: &[F]) -> F {
    let mut acc = F::ZERO;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc * F::from_f64(0.5)
}

/// The same function for `f64`: the generic one must compute exactly this.
#[differentiable]
fn horner_f64(x: f64, c: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc * 0.5
}

/// Branches on comparisons with constants of the type, a method of the trait, a weight
/// from a loop index.
#[differentiable]
fn soft_sum<F: Float>(xs: &[F]) -> F {
    let mut s = F::ZERO;
    for i in 0..xs.len() {
        let w = F::from_f64(i as f64 + 1.0);
        let x = xs[i];
        s += if x > F::ZERO { w * (x + (-x).exp().ln_1p()) } else { w * x.exp().ln_1p() };
    }
    s
}

/// A tuple result, the trait's constants, `powf` with a constant exponent.
#[differentiable]
fn polar<F: Float>(r: F, t: F) -> (F, F) {
    let a = t * F::FRAC_PI_4;
    (r.powf(F::from_f64(1.5)) * a.cos(), r * a.sin())
}

/// An array by value, an early return.
#[differentiable]
fn cubic<F: Float>(p: [F; 3], x: F) -> F {
    if x < F::from_f64(-1.5) {
        return p[0];
    }
    (p[2] * x + p[1]) * x * x + p[0] * x.tanh()
}

/// A generic helper called from generic code: it takes the caller's float type.
#[differentiable]
fn pair<F: Float>(a: F, b: F) -> F {
    (a - b).powi(2) + a * b.sin()
}

#[differentiable]
fn chain<F: Float>(xs: &[F]) -> F {
    let mut e = F::ZERO;
    for i in 1..xs.len() {
        e += pair(xs[i - 1], xs[i]);
    }
    e
}

/// A concrete function calling the generic helper at `f64`.
#[differentiable]
fn concrete_caller(x: f64, y: f64) -> f64 {
    pair(x, y) * 2.0 + x
}

/// Iterator reductions (`Float` is `Sum`), a `while` loop.
#[differentiable]
fn reductions<F: Float>(xs: &[F], ys: &[F]) -> F {
    let dot: F = xs.iter().zip(ys).map(|(a, b)| *a * *b).sum();
    let mut k = 0;
    let mut tail = F::ONE;
    while k < xs.len() {
        tail = tail * F::from_f64(0.5) + xs[k].sin();
        k += 1;
    }
    dot + tail
}

/// An output written through `&mut`, with no result.
#[differentiable]
fn scaled<F: Float>(xs: &[F], s: F, out: &mut [F]) {
    for i in 0..xs.len() {
        out[i] = xs[i].sqrt() * s;
    }
}

/// Recursion: x^n by squaring.
#[differentiable]
fn power<F: Float>(x: F, n: u32) -> F {
    if n == 0 {
        return F::ONE;
    }
    let half = power(x, n / 2);
    if n & 1 == 0 { half * half } else { half * half * x }
}

mod at_f64 {
    use super::*;
    use crate::{array_property, property};

    array_property!(horner, grad horner_grad, vjp horner_vjp, jvp horner_jvp, [
        x in -1.5f64..1.5,
        slice c in vec(-2.0f64..2.0, 0..6)
    ]);
    array_property!(soft_sum, grad soft_sum_grad, vjp soft_sum_vjp, jvp soft_sum_jvp, [
        slice xs in vec(-3.0f64..3.0, 0..6)
    ] where xs.iter().all(|x| x.abs() > 1e-3));
    array_property!(polar, vjp polar_vjp, jvp polar_jvp, [r in 0.5f64..2.0, t in -3.0f64..3.0]);
    array_property!(cubic, grad cubic_grad, vjp cubic_vjp, jvp cubic_jvp, [
        array p in uniform3(-2.0f64..2.0),
        x in -2.0f64..2.0
    ] where (x + 1.5).abs() > 1e-3);
    array_property!(chain, grad chain_grad, vjp chain_vjp, jvp chain_jvp, [slice xs in vec(-2.0f64..2.0, 0..6)]);
    property!(concrete_caller, concrete_caller_grad, concrete_caller_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    array_property!(reductions, grad reductions_grad, vjp reductions_vjp, jvp reductions_jvp, [
        slice xs in vec(-2.0f64..2.0, 4),
        slice ys in vec(-2.0f64..2.0, 4)
    ]);
    property!(power, power_grad, power_jvp, [x in -1.5f64..1.5, const n in 0u32..9]);
}

mod at_f32 {
    use super::*;
    use crate::{array_property, property};

    array_property!(horner, grad horner_grad, vjp horner_vjp, jvp horner_jvp, [
        x in -1.5f32..1.5,
        slice c in vec(-2.0f32..2.0, 0..6)
    ]);
    array_property!(soft_sum, grad soft_sum_grad, vjp soft_sum_vjp, jvp soft_sum_jvp, [
        slice xs in vec(-3.0f32..3.0, 0..6)
    ] where xs.iter().all(|x| x.abs() > 1e-2));
    array_property!(polar, vjp polar_vjp, jvp polar_jvp, [r in 0.5f32..2.0, t in -3.0f32..3.0]);
    array_property!(cubic, grad cubic_grad, vjp cubic_vjp, jvp cubic_jvp, [
        array p in uniform3(-2.0f32..2.0),
        x in -2.0f32..2.0
    ] where (x + 1.5).abs() > 1e-2);
    array_property!(chain, grad chain_grad, vjp chain_vjp, jvp chain_jvp, [slice xs in vec(-2.0f32..2.0, 0..6)]);
    array_property!(reductions, grad reductions_grad, vjp reductions_vjp, jvp reductions_jvp, [
        slice xs in vec(-2.0f32..2.0, 4),
        slice ys in vec(-2.0f32..2.0, 4)
    ]);
    property!(power, power_grad, power_jvp, [x in -1.5f32..1.5, const n in 0u32..9]);
}

proptest::proptest! {
    #![proptest_config(common::config())]

    /// At `f64` the generic function is its concrete twin, to the bit, in both modes.
    #[test]
    fn generic_is_its_concrete_twin(x in -1.5f64..1.5, c in vec(-2.0f64..2.0, 0..6), dx in -1.0f64..1.0) {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let (value, (gx, gc)) = horner_grad(x, &c);
        let (twin, (tx, tc)) = horner_f64_grad(x, &c);
        proptest::prop_assert_eq!((value.to_bits(), gx.to_bits(), bits(&gc)), (twin.to_bits(), tx.to_bits(), bits(&tc)));
        let dc = vec![0.25; c.len()];
        proptest::prop_assert_eq!(
            horner_jvp(x, dx, &c, &dc).1.to_bits(),
            horner_f64_jvp(x, dx, &c, &dc).1.to_bits()
        );
    }

    /// `&mut` outputs: the vjp of `out[i] = √xs[i] · s` is `seed[i] · s / (2√xs[i])` into
    /// `xs` and `Σ seed[i] √xs[i]` for `s`, at both types; the seed's shadow is consumed.
    #[test]
    fn outputs_through_mut(xs in vec(0.5f64..2.0, 1..6), s in -2.0f64..2.0, seed in vec(-1.0f64..1.0, 6)) {
        let n = xs.len();
        let mut out = vec![0.0; n];
        scaled(&xs, s, &mut out);
        let (mut dxs, mut dout) = (vec![0.0; n], seed[..n].to_vec());
        let ((), ds) = scaled_vjp(&xs, &mut dxs, s, &mut out, &mut dout);
        let expected_ds: f64 = (0..n).map(|i| seed[i] * xs[i].sqrt()).sum();
        proptest::prop_assert!((ds - expected_ds).abs() < 1e-12);
        for i in 0..n {
            proptest::prop_assert!((dxs[i] - seed[i] * s / (2.0 * xs[i].sqrt())).abs() < 1e-12);
            proptest::prop_assert_eq!(dout[i], 0.0);
        }
        let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
        let (mut out32, mut dxs32, mut dout32) = (vec![0.0f32; n], vec![0.0f32; n], vec![0.0f32; n]);
        dout32.iter_mut().zip(&seed).for_each(|(d, s)| *d = *s as f32);
        let ((), ds32) = scaled_vjp(&xs32, &mut dxs32, s as f32, &mut out32, &mut dout32);
        proptest::prop_assert!((f64::from(ds32) - expected_ds).abs() < 1e-4 * (1.0 + expected_ds.abs()));
        let (mut t, ones) = (vec![0.0f32; n], vec![1.0f32; n]);
        scaled_jvp(&xs32, &ones, s as f32, 0.0, &mut out32, &mut t);
        for i in 0..n {
            let expected = s / (2.0 * xs[i].sqrt());
            proptest::prop_assert!((f64::from(t[i]) - expected).abs() < 1e-4 * (1.0 + expected.abs()));
        }
    }
}
