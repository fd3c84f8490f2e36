// Generated code relies on no name the user can shadow: prelude types and traits, `core`,
// `chainrule` and the protocol's function names are all redefined here, and the user's own
// names clash with every name the macro would like to generate (`dx` for the tangent of
// `x`, `seed`, `value`, `pullback`, `output`, `dq` for `q`, the temporary `__t1` and its
// derivative `__dt1`).
#![allow(dead_code, non_camel_case_types, clippy::all)]

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

fn main() {
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
}
