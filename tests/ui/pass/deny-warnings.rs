// A private differentiable function used only through its companions raises no warning:
// not dead code for `f`, its protocol or its unused companions, no lint from generated code,
// including the loops, branches, stacks and shadow buffers of a function over slices.
#![deny(warnings)]
#![deny(clippy::all)]

use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64, n: i32) -> f64 {
    let q = x * y;
    q.powi(n) + x
}

// Only `g_grad` is ever called: `g`, `g_vjp` and `g_jvp` are reached through nothing else.
#[differentiable]
fn g(x: f64) -> f64 {
    x.sin()
}

#[differentiable]
fn uses_f(x: f64) -> f64 {
    f(x, 2.0, 2) * 0.5
}

// Loops (accumulator and recurrence), `if`, `match`, `while`, `continue`, a local array and
// a local vector: only `h_grad` is called.
#[differentiable]
fn h(w: &[f64], x: [f64; 2], k: usize) -> f64 {
    let mut acc = [0.0; 2];
    let mut y = 1.0;
    for i in 0..w.len() {
        if i == k {
            continue;
        }
        acc[i % 2] += w[i] * x[i % 2];
        y = (y * w[i]).sin();
    }
    let mut v = vec![0.0; k];
    let mut t = y;
    let mut j = 0;
    while j < k {
        v[j] = y;
        t += v[j];
        j += 1;
    }
    let scale = match k {
        0 => 1.0,
        _ => 2.0,
    };
    scale * (acc[0] + acc[1] + t)
}

// Mixed mode (`x` read in the loop is differentiated forwards): only `p_grad` is called.
#[differentiable]
fn p(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in (0..c.len()).rev() {
        acc = acc * x + c[i];
    }
    acc
}

fn main() {
    // 1 + 2x + 3x² at x = 2: 17, gradient (1, x, x²) and p'(x) = 2 + 6x.
    assert_eq!(p_grad(&[1.0, 2.0, 3.0], 2.0), (17.0, (vec![1.0, 2.0, 4.0], 14.0)));
    assert_eq!(f_grad(1.0, 3.0, 2), (10.0, (19.0, 6.0)));
    assert_eq!(g_grad(0.0), (0.0, 1.0));
    assert_eq!(uses_f_jvp(1.0, 1.0), (2.5, 4.5));
    // w = (3, 0.5), x = (2, 4). k = 0 skips w[0]: w[1]·x[1] + sin(w[1]).
    let (value, (dw, dx)) = h_grad(&[3.0, 0.5], [2.0, 4.0], 0);
    assert_eq!(value, 2.0 + 0.5f64.sin());
    assert_eq!(dw, vec![0.0, 4.0 + 0.5f64.cos()]);
    assert_eq!(dx, [0.0, 0.5]);
    // k = 1 skips w[1] and doubles: 2·(w[0]·x[0] + 2 sin(w[0])).
    let (value, (dw, dx)) = h_grad(&[3.0, 0.5], [2.0, 4.0], 1);
    assert_eq!(value, 2.0 * (6.0 + 2.0 * 3f64.sin()));
    assert_eq!(dw, vec![2.0 * (2.0 + 2.0 * 3f64.cos()), 0.0]);
    assert_eq!(dx, [6.0, 0.0]);
}
