//! Property tests over a corpus of differentiable functions that together use every
//! construct the macro supports: each float method and operator, bindings, shadowing,
//! mutation, blocks, `return`, consts, casts, constant parameters, calls (through a 4-deep
//! chain, a module path, runtime primitives and a hand-written derivative), `f32`, and the
//! compact form. Every function is checked by the same `property!` (tests/common/mod.rs) at
//! random points: the gradient against central finite differences, forward mode against
//! reverse mode, and the returned values against the function itself, bit for bit.
//!
//! Domains keep each function smooth where it is sampled: logarithms and roots see positive
//! inputs, `asin`/`acos` see (-0.9, 0.9), and kinks (`abs`, `max`, `clamp`, `floor`, ...) are
//! skipped by a `where` condition.

mod common;

use chainrule::prelude::*;

// ---- Float methods. ---------------------------------------------------------------------------

#[differentiable]
fn exponentials(x: f64, y: f64) -> f64 {
    x.exp() * y.exp2() - (x * y).exp_m1()
}

#[differentiable]
fn logarithms(x: f64, y: f64) -> f64 {
    x.ln() + y.ln_1p() * x.log2() - y.log10()
}

/// An unsuffixed literal argument (`3.0`): the rule for `log` calls `.ln()` on it, so the
/// macro must give it the function's float type.
#[differentiable]
fn log_base(x: f64, b: f64) -> f64 {
    x.log(b) + b.log(3.0)
}

#[differentiable]
fn roots(x: f64, y: f64) -> f64 {
    x.sqrt() * y.cbrt() + (x + y).sqrt() - (-y).cbrt()
}

/// `n` is a constant between two active parameters.
#[differentiable]
fn powers(x: f64, n: i32, y: f64) -> f64 {
    x.powi(n) + x.powf(y) + y.powi(3) * y.powf(2.0) + 2.0f64.powf(y)
}

#[differentiable]
fn reciprocal(x: f64) -> f64 {
    x.recip() + 1.0 / (x * x)
}

#[differentiable]
fn trigonometric(x: f64, y: f64) -> f64 {
    x.sin() * y.cos() + (x - y).tan()
}

#[differentiable]
fn inverse_trigonometric(x: f64, y: f64) -> f64 {
    x.asin() + y.acos() * x.atan() + (x * y).atan()
}

#[differentiable]
fn angle(y: f64, x: f64) -> f64 {
    y.atan2(x) + x.atan2(2.0) * 3.0f64.atan2(y)
}

#[differentiable]
fn hyperbolic(x: f64, y: f64) -> f64 {
    x.sinh() + y.cosh() * (x * y).tanh()
}

#[differentiable]
fn absolute(x: f64, y: f64) -> f64 {
    (x - y).abs() + x.abs() * y
}

/// `0.5`, not `0.5`: see [`log_base`].
#[differentiable]
fn extremes(x: f64, y: f64, z: f64) -> f64 {
    x.max(y) - y.min(z) + x.max(0.5) * z.min(-0.5)
}

#[differentiable]
fn hypot_fma(x: f64, y: f64, z: f64) -> f64 {
    x.hypot(y) + x.mul_add(y, z) + z.mul_add(2.0, 1.0) + 3.0f64.mul_add(x, y)
}

/// The bounds are differentiated too: the result is a bound wherever `x` is clamped.
#[differentiable]
fn clamped(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi) * x + (2.0 * x).clamp(-1.0, 1.0)
}

/// The piecewise-constant methods have derivative 0 (the `trunc * x` term keeps a slope).
#[differentiable]
fn piecewise(x: f64) -> f64 {
    x.fract() + x.signum() * x.floor() + x.ceil() - x.round() + x.trunc() * x
}

#[differentiable]
fn angles(x: f64) -> f64 {
    (x.to_degrees() / 90.0).sin() + x.to_radians().cos() * x
}

/// `-5.0`, not `-5.0`: see [`log_base`].
#[differentiable]
fn ufcs(x: f64, y: f64) -> f64 {
    f64::sin(x) * f64::exp(y) + f64::powi(x, 2) + f64::atan2(y, 2.0) + f64::max(x, -5.0)
}

// ---- Operators and literals. ------------------------------------------------------------------

#[differentiable]
fn negation(x: f64, y: f64) -> f64 {
    -(x - y) * -x + -(y * y) - -x
}

#[differentiable]
fn quotients(x: f64, y: f64) -> f64 {
    (x + 1.0) / (y * y + 1.0) / x - y / x + 1.0 / (2.0 / x)
}

#[differentiable]
fn literals(x: f64) -> f64 {
    x * 1e-1 + 3.0 - 2.5e1 * x * x + 0.5 * x + 7_f64 / x
}

// ---- Bindings, mutation, blocks, return. ------------------------------------------------------

#[differentiable]
fn bindings(x: f64, y: f64) -> f64 {
    let a: f64 = x * y;
    let b = a + x;
    let c = 2.0;
    let d: f64 = c * b;
    let e = d;
    e - a
}

#[differentiable]
fn shadowing(x: f64) -> f64 {
    let x = x * 2.0;
    let x = x.sin() + x;
    let y = x;
    let x = y * x;
    x - y
}

#[differentiable]
fn mutation(x: f64, y: f64) -> f64 {
    let mut acc = x;
    acc += y;
    acc *= x;
    acc -= 1.0;
    acc /= y;
    {
        acc += x * x;
    }
    acc = acc * acc + x;
    let mut k = 2.0;
    k *= 3.0;
    acc * k
}

#[differentiable]
fn blocks(x: f64, y: f64) -> f64 {
    let a = {
        let t = x * y;
        t + x
    };
    let b = {
        let u = a.exp();
        u / (1.0 + u)
    };
    a * b + { y - x }
}

#[differentiable]
#[allow(clippy::needless_return)]
fn early_return(x: f64, y: f64) -> f64 {
    let s = x + y;
    return s * s.cos();
}

/// `a` reaches the result along four paths; their gradients add.
#[differentiable]
fn branches(x: f64) -> f64 {
    let a = x.exp();
    a * a + a.sin() * a - a
}

// ---- Constants: consts, casts, integer and #[no_grad] parameters. ----------------------------

const SCALE: f64 = 2.5;
const TWO: i32 = 2;

#[differentiable]
fn constants(x: f64) -> f64 {
    std::f64::consts::PI * x + SCALE * x.sin() - core::f64::consts::E + (TWO as f64) * x
}

#[differentiable]
fn casts(x: f64, n: usize, k: i32) -> f64 {
    let nf = n as f64;
    x * nf + (k as f64) * x.powi(TWO) + x.powi(n as i32) + (k + 1) as f64
}

#[differentiable]
fn no_grad_param(x: f64, #[no_grad] scale: f64, y: f64) -> f64 {
    scale * x * y + scale.sin() * x
}

// ---- Calls. -----------------------------------------------------------------------------------

#[differentiable]
fn chain1(x: f64) -> f64 {
    x.sin() + x
}

#[differentiable]
fn chain2(x: f64, y: f64) -> f64 {
    chain1(x * y) * y
}

#[differentiable]
fn chain3(x: f64, y: f64) -> f64 {
    chain2(x, y).exp() + chain1(y)
}

#[differentiable]
fn chain4(x: f64, y: f64, z: f64) -> f64 {
    chain3(x + z, y) * z
}

mod m {
    use chainrule::prelude::*;

    #[differentiable]
    pub fn g(x: f64, y: f64) -> f64 {
        x * y.cos()
    }
}

#[differentiable]
fn via_module(x: f64, y: f64) -> f64 {
    m::g(x, y) * 2.0 + crate::m::g(y, x)
}

#[differentiable]
fn neuron(w0: f64, x0: f64, w1: f64, x1: f64, b: f64) -> f64 {
    sigmoid(w0 * x0 + w1 * x1 + b)
}

#[differentiable]
fn activations(x: f64, a: f64) -> f64 {
    softplus(x) + relu(x) + leaky_relu(x, 0.1) + prelu(x, a) + elu(x, 1.0)
}

#[derivative(x = 2.0 * x)]
fn square(x: f64) -> f64 {
    x * x
}

#[differentiable]
fn hand_written(x: f64, y: f64) -> f64 {
    square(x) * y + square(y - x)
}

#[differentiable(grad = renamed_backward, vjp = renamed_pullback, jvp = renamed_forward)]
fn renamed(x: f64, y: f64) -> f64 {
    chain2(y, x) + hand_written(x, 0.5)
}

// ---- f32. -------------------------------------------------------------------------------------

#[differentiable]
fn single(x: f32, y: f32) -> f32 {
    x * x.sin() + y.exp() / (1.0 + x * x)
}

#[differentiable]
fn single_powers(x: f32, n: i32) -> f32 {
    x.powi(n) + x.tanh() + x.sqrt() * std::f32::consts::PI
}

/// `single` is positive on its domain (x sin x >= 0 for |x| < π), so `ln` is smooth.
#[differentiable]
fn single_chain(x: f32, y: f32) -> f32 {
    single(x, y).ln() * y
}

// ---- The compact form. ------------------------------------------------------------------------

differentiable_fns! {
    fn compact_a(x, y) < let q = x * y; q.sin() + x >
    pub fn compact_b(x, y, z) < compact_a(x, z) * y - z.exp() >
}

// ---- The properties. --------------------------------------------------------------------------

/// Near a kink `h` wide, central differences straddle it and disagree with either side.
const KINK: f64 = 1e-3;

/// Distance from `x` to the nearest multiple of 1/2, where `floor`, `round` & co. jump.
fn off_grid(x: f64) -> f64 {
    ((2.0 * x).round() - 2.0 * x).abs() / 2.0
}

mod each_function {
    use super::{KINK, off_grid};
    use crate::property;

    property!(exponentials, exponentials_grad, exponentials_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    property!(logarithms, logarithms_grad, logarithms_jvp, [x in 0.1..5.0, y in 0.1..5.0]);
    property!(log_base, log_base_grad, log_base_jvp, [x in 0.1..10.0, b in 1.5..10.0]);
    property!(roots, roots_grad, roots_jvp, [x in 0.1..5.0, y in 0.2..5.0]);
    property!(powers, powers_grad, powers_jvp, [x in 0.1..3.0, const n in -3..5, y in -2.0..2.0]);
    property!(reciprocal, reciprocal_grad, reciprocal_jvp, [x in 0.5..3.0]);
    property!(trigonometric, trigonometric_grad, trigonometric_jvp, [x in -0.7..0.7, y in -0.7..0.7]);
    property!(inverse_trigonometric, inverse_trigonometric_grad, inverse_trigonometric_jvp, [
        x in -0.9..0.9,
        y in -0.9..0.9
    ]);
    // y > 0 keeps clear of atan2's branch cut along the negative x axis.
    property!(angle, angle_grad, angle_jvp, [y in 0.2..3.0, x in -3.0..3.0]);
    property!(hyperbolic, hyperbolic_grad, hyperbolic_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    property!(absolute, absolute_grad, absolute_jvp, [x in -2.0..2.0, y in -2.0..2.0]
        where (x - y).abs() > KINK && x.abs() > KINK);
    property!(extremes, extremes_grad, extremes_jvp, [x in -2.0..2.0, y in -2.0..2.0, z in -2.0..2.0]
        where (x - y).abs() > KINK && (y - z).abs() > KINK && (x - 0.5).abs() > KINK && (z + 0.5).abs() > KINK);
    // x > 0 keeps clear of hypot's cone point at the origin.
    property!(hypot_fma, hypot_fma_grad, hypot_fma_jvp, [x in 0.5..3.0, y in -3.0..3.0, z in -3.0..3.0]);
    property!(clamped, clamped_grad, clamped_jvp, [x in -3.0..3.0, lo in -2.0..-0.5, hi in 0.5..2.0]
        where (x - lo).abs() > KINK && (x - hi).abs() > KINK && ((2.0 * x).abs() - 1.0).abs() > KINK);
    property!(piecewise, piecewise_grad, piecewise_jvp, [x in -4.0..4.0] where off_grid(x) > KINK);
    property!(angles, angles_grad, angles_jvp, [x in -3.0..3.0]);
    property!(ufcs, ufcs_grad, ufcs_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    property!(negation, negation_grad, negation_jvp, [x in -3.0..3.0, y in -3.0..3.0]);
    property!(quotients, quotients_grad, quotients_jvp, [x in 0.5..3.0, y in -3.0..3.0]);
    property!(literals, literals_grad, literals_jvp, [x in 0.5..3.0]);
    property!(bindings, bindings_grad, bindings_jvp, [x in -3.0..3.0, y in -3.0..3.0]);
    property!(shadowing, shadowing_grad, shadowing_jvp, [x in -2.0..2.0]);
    property!(mutation, mutation_grad, mutation_jvp, [x in -2.0..2.0, y in 0.5..2.0]);
    property!(blocks, blocks_grad, blocks_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    property!(early_return, early_return_grad, early_return_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    property!(branches, branches_grad, branches_jvp, [x in -2.0..2.0]);
    property!(constants, constants_grad, constants_jvp, [x in -3.0..3.0]);
    property!(casts, casts_grad, casts_jvp, [x in -2.0..2.0, const n in 0usize..5, const k in -3i32..4]);
    property!(no_grad_param, no_grad_param_grad, no_grad_param_jvp, [
        x in -2.0..2.0,
        const scale in -2.0f64..2.0,
        y in -2.0..2.0
    ]);
    property!(chain1, chain1_grad, chain1_jvp, [x in -2.0..2.0]);
    property!(chain2, chain2_grad, chain2_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    property!(chain3, chain3_grad, chain3_jvp, [x in -1.0..1.0, y in -1.0..1.0]);
    property!(chain4, chain4_grad, chain4_jvp, [x in -1.0..1.0, y in -1.0..1.0, z in -1.0..1.0]);
    property!(via_module, via_module_grad, via_module_jvp, [x in -3.0..3.0, y in -3.0..3.0]);
    property!(neuron, neuron_grad, neuron_jvp, [
        w0 in -2.0..2.0,
        x0 in -2.0..2.0,
        w1 in -2.0..2.0,
        x1 in -2.0..2.0,
        b in -2.0..2.0
    ]);
    // relu, leaky_relu, prelu and elu all bend at 0.
    property!(activations, activations_grad, activations_jvp, [x in -3.0..3.0, a in 0.0..0.5]
        where x.abs() > KINK);
    property!(hand_written, hand_written_grad, hand_written_jvp, [x in -3.0..3.0, y in -3.0..3.0]);
    property!(renamed, renamed_backward, renamed_forward, [x in -2.0..2.0, y in -2.0..2.0]);
    property!(single, single_grad, single_jvp, [x in -2.0f32..2.0, y in -2.0f32..2.0]);
    property!(single_powers, single_powers_grad, single_powers_jvp, [x in 0.5f32..2.0, const n in 0i32..4]);
    property!(single_chain, single_chain_grad, single_chain_jvp, [x in -2.0f32..2.0, y in -2.0f32..2.0]);
    property!(compact_a, compact_a_grad, compact_a_jvp, [x in -2.0..2.0, y in -2.0..2.0]);
    property!(compact_b, compact_b_grad, compact_b_jvp, [x in -2.0..2.0, y in -2.0..2.0, z in -2.0..2.0]);
}

/// The vjp is the gradient scaled by the seed; checked once here for the renamed companion,
/// whose name the shared checker does not use.
#[test]
fn renamed_pullback_is_seed_times_gradient() {
    let (value, (dx, dy)) = renamed_backward(0.3, -1.2);
    let (seeded_value, (sx, sy)) = renamed_pullback(0.3, -1.2, -2.5);
    assert_eq!(value.to_bits(), seeded_value.to_bits());
    assert!((sx - -2.5 * dx).abs() <= 1e-15 * dx.abs().max(1.0));
    assert!((sy - -2.5 * dy).abs() <= 1e-15 * dy.abs().max(1.0));
}
