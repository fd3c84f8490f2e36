//! The generated derivatives never allocate: reverse mode keeps its residuals in a closure
//! on the stack, not on a tape. A counting global allocator watches `f_grad`, `f_vjp` and
//! `f_jvp` of the lecture's function, the sigmoid neuron (a runtime primitive), a function
//! calling another differentiable function, and a function with a `#[derivative]` rule.

use chainrule::prelude::*;
#[path = "common/counting.rs"]
mod counting;

use counting::{Counting, allocations};
use std::hint::black_box;

#[global_allocator]
static GLOBAL: Counting = Counting;

#[differentiable]
fn lecture(x: f64, y: f64, z: f64) -> f64 {
    let q = x + y;
    q * z
}

#[differentiable]
fn neuron(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    sigmoid(w0 * x0 + w1 * x1 + w2)
}

#[differentiable]
fn inner(x: f64, y: f64) -> f64 {
    (x * y).sin() + x.exp()
}

/// Calls `inner` twice, so its pullback is captured twice in `outer`'s closure.
#[differentiable]
fn outer(x: f64, y: f64) -> f64 {
    let a = inner(x, y);
    let b = inner(a, x);
    a * b
}

/// softsign x / (1 + |x|), with its derivative 1 / (1 + |x|)² given by hand.
#[derivative(x = 1.0 / ((1.0 + x.abs()) * (1.0 + x.abs())))]
fn softsign(x: f64) -> f64 {
    x / (1.0 + x.abs())
}

#[differentiable]
fn uses_softsign(x: f64, y: f64) -> f64 {
    softsign(x * y) + y
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

/// Allocates on purpose inside an opaque `#[derivative]` body: the control that shows an
/// allocation made through generated code is seen. `black_box` keeps an optimised build
/// from removing the box.
#[derivative(x = 2.0)]
fn boxed_double(x: f64) -> f64 {
    *black_box(Box::new(2.0 * x))
}

#[differentiable]
fn calls_boxed_double(x: f64, y: f64) -> f64 {
    boxed_double(x) * y
}

#[test]
fn the_counter_counts() {
    let (n, v) = allocations(|| black_box(vec![1.0f64; 4]));
    assert_eq!(n, 1, "a Vec allocation must be counted, or the zeros below prove nothing");
    assert_eq!(v.len(), 4);
    let (n, b) = allocations(|| black_box(Box::new(black_box(2.0f64))));
    assert_eq!((n, *b), (1, 2.0));
    // Through generated code: the primal runs once in each mode, so one allocation each.
    let (x, y) = black_box((1.5, 3.0));
    assert_eq!(allocations(|| calls_boxed_double_grad(x, y)), (1, (9.0, (6.0, 3.0))));
    assert_eq!(allocations(|| calls_boxed_double_vjp(x, y, 2.0)), (1, (9.0, (12.0, 6.0))));
    assert_eq!(allocations(|| calls_boxed_double_jvp(x, 1.0, y, 0.0)), (1, (9.0, 6.0)));
}

#[test]
fn lecture_derivatives_do_not_allocate() {
    let (x, y, z) = black_box((-2.0, 5.0, -4.0));
    assert_eq!(allocations(|| lecture_grad(x, y, z)), (0, (-12.0, (-4.0, -4.0, 3.0))));
    assert_eq!(allocations(|| lecture_vjp(x, y, z, 2.0)), (0, (-12.0, (-8.0, -8.0, 6.0))));
    assert_eq!(allocations(|| lecture_jvp(x, 1.0, y, 0.0, z, 0.0)), (0, (-12.0, -4.0)));
}

#[test]
fn neuron_derivatives_do_not_allocate() {
    // The lecture's values: σ(1) ≈ 0.73 and σ'(1) ≈ 0.20 flow back to each weight and input.
    let (w0, x0, w1, x1, w2) = black_box((2.0, -1.0, -3.0, -2.0, -3.0));
    let s = 1.0 / (1.0 + (-1.0f64).exp());
    let ds = s * (1.0 - s);

    let (n, (v, (dw0, dx0, dw1, dx1, dw2))) = allocations(|| neuron_grad(w0, x0, w1, x1, w2));
    assert_eq!(n, 0);
    assert!(close(v, s) && close(dw2, ds));
    assert!(close(dw0, -ds) && close(dx0, 2.0 * ds) && close(dw1, -2.0 * ds) && close(dx1, -3.0 * ds));

    let (n, (v, (dw0, ..))) = allocations(|| neuron_vjp(w0, x0, w1, x1, w2, 0.5));
    assert_eq!(n, 0);
    assert!(close(v, s) && close(dw0, -0.5 * ds));

    let (n, (v, t)) = allocations(|| neuron_jvp(w0, 0.0, x0, 1.0, w1, 0.0, x1, 0.0, w2, 0.0));
    assert_eq!(n, 0);
    assert!(close(v, s) && close(t, 2.0 * ds));
}

#[test]
fn nested_call_derivatives_do_not_allocate() {
    let (x, y) = black_box((0.3, -0.8));
    let inner_by_hand = |x: f64, y: f64| {
        let v = (x * y).sin() + x.exp();
        (v, (y * (x * y).cos() + x.exp(), x * (x * y).cos()))
    };
    let (a, (da_dx, da_dy)) = inner_by_hand(x, y);
    let (b, (db_da, db_dx)) = inner_by_hand(a, x);
    let value = a * b;
    let dx = b * da_dx + a * (db_da * da_dx + db_dx);
    let dy = b * da_dy + a * db_da * da_dy;

    let (n, (v, (gx, gy))) = allocations(|| outer_grad(x, y));
    assert_eq!(n, 0);
    assert!(close(v, value) && close(gx, dx) && close(gy, dy), "{v} {gx} {gy} vs {value} {dx} {dy}");

    let (n, (v, (gx, gy))) = allocations(|| outer_vjp(x, y, -3.0));
    assert_eq!(n, 0);
    assert!(close(v, value) && close(gx, -3.0 * dx) && close(gy, -3.0 * dy));

    let (n, (v, t)) = allocations(|| outer_jvp(x, 0.0, y, 1.0));
    assert_eq!(n, 0);
    assert!(close(v, value) && close(t, dy));
}

#[test]
fn custom_derivative_does_not_allocate() {
    let (x, y) = black_box((1.5, -2.0));
    // softsign'(u) = 1 / (1 + |u|)² at u = xy = −3: 1/16.
    let value = -3.0 / 4.0 + y;
    let (dx, dy) = (y / 16.0, x / 16.0 + 1.0);

    let (n, (v, (gx, gy))) = allocations(|| uses_softsign_grad(x, y));
    assert_eq!(n, 0);
    assert!(close(v, value) && close(gx, dx) && close(gy, dy));

    let (n, (v, (gx, gy))) = allocations(|| uses_softsign_vjp(x, y, 4.0));
    assert_eq!(n, 0);
    assert!(close(v, value) && close(gx, 4.0 * dx) && close(gy, 4.0 * dy));

    let (n, (v, t)) = allocations(|| uses_softsign_jvp(x, 1.0, y, 0.0));
    assert_eq!(n, 0);
    assert!(close(v, value) && close(t, dx));

    // The rule's own companions too.
    let (n, (v, d)) = allocations(|| softsign_grad(-3.0));
    assert_eq!(n, 0);
    assert!(close(v, -0.75) && close(d, 1.0 / 16.0));
    assert_eq!(allocations(|| softsign_jvp(-3.0, 2.0)).0, 0);
    assert_eq!(allocations(|| softsign_vjp(-3.0, 2.0)).0, 0);
}
