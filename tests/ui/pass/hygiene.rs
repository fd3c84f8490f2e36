// Generated code relies on no name the user can shadow: prelude types and traits, `core`,
// `chainrule`, `vec!` and the protocol's and runtime helpers' function names are all
// redefined here, and the user's own names clash with every name the macro would like to
// generate (`dx` for the tangent of `x`, `seed`, `value`, `pullback`, `output`, `dq` for
// `q`, the temporary `__t1` and its derivative `__dt1`; in loops, the loop variable `__i`,
// the trip count `__iterations`, a history stack `__t2_stack`, the matched value
// `__matched`, the array result `__result`, and `dw` for the shadow of the slice `w`).
#![allow(dead_code, non_camel_case_types, unused_macros, clippy::all)]

use ::chainrule::prelude::*;

struct Option;
struct Some;
struct Result;
struct Default;
struct Box;
struct Vec;
trait FnOnce {}
trait Fn {}
trait Into {}
trait From {}
type f64x = f64;
mod core {}
mod std {}
mod chainrule {}
fn tangent() {}
fn pullback() {}
fn unimplemented() {}
fn shadow() {}
fn accumulate() {}
fn cotangent() {}
fn pop() {}
struct Stack;
macro_rules! vec {
    ($($t:tt)*) => {
        ()
    };
}

#[differentiable]
fn f(x: f64, dx: f64, seed: f64, value: f64, pullback: f64) -> f64 {
    let __t1 = x * dx;
    let q = __t1 + seed;
    let __dt1 = q * value;
    let dq = __dt1 * pullback;
    let __t2 = dq - x;
    __t2 + x + x.sin()
}

#[derivative(x = 2.0 * x * seed, seed = x * x, output = value)]
fn g(x: f64, seed: f64) -> f64 {
    x * x * seed
}

#[differentiable]
fn h(x: f64, value: f64) -> f64 {
    g(x, value) + f(x, 1.0, 0.0, 1.0, 1.0)
}

/// Horner's rule over `w` (a recurrence, so reverse mode keeps a history stack), plus a
/// `match`, a `while` loop and a loop variable named like the generated ones.
#[differentiable]
fn k(w: &[f64], dw: &[f64], x: f64, n: usize) -> f64 {
    let mut __t2 = 0.0;
    for __i in 0..w.len() {
        __t2 = (__t2 * x + w[__i]).sin();
    }
    let mut __iterations = 0.0;
    for __iterations_2 in 0..dw.len() {
        __iterations += dw[__iterations_2] * x;
    }
    let mut __t2_stack = 1.0;
    let mut i = 0;
    while i < n {
        __t2_stack *= x;
        i += 1;
    }
    let __matched = match n {
        0 => 1.0,
        _ => 2.0,
    };
    __matched * (__t2 + __iterations + __t2_stack)
}

/// A scalar read in a loop is differentiated forwards: the names of its tangents (`ds_dx`
/// for `s`, `din_din` for the raw `r#in` itself) and of its gradient (`din`) are all taken.
#[differentiable]
fn m(w: &[f64], r#in: f64) -> f64 {
    let din_din = 2.0;
    let mut ds_din = 0.0;
    for i in 0..w.len() {
        ds_din += w[i] * r#in * din_din;
    }
    let din = ds_din * r#in;
    din
}

#[differentiable]
fn r(x: f64) -> [f64; 2] {
    let __result = x * 2.0;
    [__result, x * __result]
}

fn main() {
    // m = 2·in²·Σw: ∂m/∂in = 4·in·Σw, ∂m/∂wᵢ = 2·in².
    let (v, (d_w, d_in)) = m_grad(&[1.0, -3.0, 0.5], 1.5);
    assert_eq!(v, 2.0 * 2.25 * -1.5);
    assert_eq!(d_in, 4.0 * 1.5 * -1.5);
    assert_eq!(d_w, [4.5; 3]);
    // f = x·dx·value·pullback + seed·value·pullback + sin x (the `- x` and `+ x` cancel).
    let (v, (d_x, d_dx, d_seed, d_value, d_pullback)) = f_grad(1.0, 2.0, 3.0, 4.0, 5.0);
    let expected: f64x = 40.0 + 60.0 + 1f64.sin();
    assert!((v - expected).abs() < 1e-12);
    assert!((d_x - (40.0 + 1f64.cos())).abs() < 1e-12);
    assert!((d_dx - 20.0).abs() < 1e-12);
    assert_eq!(d_seed, 20.0);
    assert_eq!(d_value, 25.0);
    assert_eq!(d_pullback, 20.0);
    let (_, along_seed) = f_jvp(1.0, 0.0, 2.0, 0.0, 3.0, 1.0, 4.0, 0.0, 5.0, 0.0);
    assert_eq!(along_seed, 20.0);

    assert_eq!(g_grad(3.0, 2.0), (18.0, (12.0, 9.0)));
    assert_eq!(g_vjp(3.0, 2.0, 0.5), (18.0, (6.0, 4.5)));
    // h = x²·value + f(x, 1, 0, 1, 1) = x²·value + x + sin x.
    let (v, (d_x, d_value)) = h_grad(2.0, 3.0);
    assert!((v - (12.0 + 2.0 + 2f64.sin())).abs() < 1e-12);
    assert!((d_x - (12.0 + 1.0 + 2f64.cos())).abs() < 1e-12);
    assert_eq!(d_value, 4.0);

    // k with w = (1, 2), dw = (3, 4), n = 2 at x: 2·(sin(sin(1)·x + 2) + 7x + x²).
    let x = 0.5f64;
    let inner = 1f64.sin();
    let outer = (inner * x + 2.0).sin();
    let (v, (d_w, d_dw, d_x)) = k_grad(&[1.0, 2.0], &[3.0, 4.0], x, 2);
    assert!((v - 2.0 * (outer + 7.0 * x + x * x)).abs() < 1e-15);
    let c = (inner * x + 2.0).cos();
    assert!((d_w[0] - 2.0 * c * x * 1f64.cos()).abs() < 1e-15);
    assert!((d_w[1] - 2.0 * c).abs() < 1e-15);
    assert_eq!(d_dw, ::std::vec![2.0 * x, 2.0 * x]);
    assert!((d_x - 2.0 * (c * inner + 7.0 + 2.0 * x)).abs() < 1e-14);
    // r = (2x, 2x²).
    assert_eq!(r_vjp(3.0, [1.0, 1.0]), ([6.0, 18.0], 2.0 + 12.0));
}
