//! The shapes of code that once gave a silently wrong derivative (issue 9), each pinned by
//! values worked by hand and by the shared property checks (finite differences, forward
//! against reverse). The refusals of that issue are `tests/ui/fail` cases.

// Index loops are the loops the macro differentiates.
#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

/// Central difference of a scalar function of one variable.
fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6 * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

// ---- 1. A `()`-returning call writing a local array through `&mut`. ---------------------------

#[differentiable]
fn sq_out(x: f64, w: f64, out: &mut [f64]) {
    out[0] = x * w;
    out[1] = x * x * w;
}

/// The call's result is `()`: only the array it writes carries the derivative back.
#[differentiable]
fn through_out(w: f64) -> f64 {
    let x = w * 2.0;
    let mut g = [0.0; 2];
    sq_out(x, w, &mut g);
    g[0] + g[1]
}

/// The same call in a loop, its outputs feeding the next iteration's input.
#[differentiable]
fn through_out_loop(w: f64) -> f64 {
    let mut x = w * 2.0;
    let mut g = [0.0; 2];
    for _ in 0..3 {
        sq_out(x, w, &mut g);
        x = x + 0.1 * g[0] + 0.01 * g[1];
    }
    x
}

/// In a loop that can `break` (the call's pullbacks are pushed as the loop runs).
#[differentiable]
fn through_out_break(w: f64, #[no_grad] n: usize) -> f64 {
    let mut x = w;
    let mut g = [0.0; 2];
    for i in 0..10 {
        if i == n {
            break;
        }
        sq_out(x, w, &mut g);
        x = 0.5 * x + 0.1 * g[1];
    }
    x + g[0]
}

#[test]
fn a_call_run_for_its_output_array_is_differentiated_in_reverse_mode() {
    // f(w) = 2w² + 4w³: f'(0.7) = 4w + 12w² = 8.68.
    let (value, dw) = through_out_grad(0.7);
    assert!(close(value, 2.0 * 0.49 + 4.0 * 0.343));
    assert!(close(dw, 8.68), "{dw}");
    assert_eq!(through_out_jvp(0.7, 1.0), (value, dw));
    for w in [-1.3, 0.2, 0.7, 1.9] {
        let (_, g) = through_out_loop_grad(w);
        let (_, t) = through_out_loop_jvp(w, 1.0);
        assert!((g - fd(through_out_loop, w)).abs() < 1e-6 * (1.0 + g.abs()), "loop at {w}: {g}");
        assert!(close(g, t), "loop at {w}: reverse {g}, forward {t}");
        for n in [0, 1, 4, 10] {
            let f = |w| through_out_break(w, n);
            let (_, g) = through_out_break_grad(w, n);
            let (_, t) = through_out_break_jvp(w, 1.0, n);
            assert!((g - fd(f, w)).abs() < 1e-6 * (1.0 + g.abs()), "break at {w}, {n}: {g}");
            assert!(close(g, t), "break at {w}, {n}: reverse {g}, forward {t}");
        }
    }
}

// ---- 2. A `&mut` output parameter passed on to a callee. --------------------------------------

#[differentiable]
fn pass_on(w: f64, g: &mut [f64]) -> f64 {
    sq_out(w, w, g);
    g[0] + g[1]
}

#[test]
fn an_output_parameter_passed_on_carries_its_adjoint_both_ways() {
    // pass_on(w) = w² + w³ and writes g = (w², w³). With the seed s on the result and the
    // adjoint (a, b) arriving on g, the gradient is s(2w + 3w²) + 2aw + 3bw².
    let (w, s, a, b) = (0.7, 1.5, 1.0, -2.0);
    let mut g = [0.0; 2];
    let mut dg = [a, b];
    let (value, dw) = pass_on_vjp(w, &mut g, &mut dg, s);
    assert!(close(value, w * w + w * w * w));
    assert_eq!(g, [w * w, w * w * w]);
    assert!(close(dw, s * (2.0 * w + 3.0 * w * w) + 2.0 * a * w + 3.0 * b * w * w), "{dw}");
    assert_eq!(dg, [0.0, 0.0], "the output's adjoint is consumed");
    let mut tg = [0.0; 2];
    let (_, t) = pass_on_jvp(w, 1.0, &mut g, &mut tg);
    assert!(close(t, 2.0 * w + 3.0 * w * w));
    assert!(close(tg[0], 2.0 * w) && close(tg[1], 3.0 * w * w), "{tg:?}");
}

/// The same, with the reborrow written out (`&mut *g`).
#[differentiable]
fn pass_on_reborrowed(w: f64, g: &mut [f64]) -> f64 {
    sq_out(w, w, &mut *g);
    g[0] + g[1]
}

#[test]
fn an_explicit_reborrow_passes_an_output_on_the_same_way() {
    let (w, s) = (0.7, 1.5);
    let (mut g1, mut g2) = ([0.0; 2], [0.0; 2]);
    let (mut dg1, mut dg2) = ([1.0, -2.0], [1.0, -2.0]);
    let (v1, dw1) = pass_on_vjp(w, &mut g1, &mut dg1, s);
    let (v2, dw2) = pass_on_reborrowed_vjp(w, &mut g2, &mut dg2, s);
    assert_eq!((v1, dw1, g1, dg1), (v2, dw2, g2, dg2));
    let (mut t1, mut t2) = ([0.0; 2], [0.0; 2]);
    assert_eq!(pass_on_jvp(w, 1.0, &mut g1, &mut t1), pass_on_reborrowed_jvp(w, 1.0, &mut g2, &mut t2));
    assert_eq!(t1, t2);
}

/// A `&mut` parameter lent to a callee that only reads it: `&y[..]` (bare `y` passes it on
/// to be written, refused with our message: tests/ui/fail/trust/bare-out-to-reader).
#[differentiable]
fn rate(x: f64, y: &[f64], out: &mut [f64]) {
    for i in 0..y.len() {
        out[i] = -x * y[i] * y[i];
    }
}

#[differentiable]
fn euler(x: f64, y: &mut [f64]) -> f64 {
    let mut k = vec![0.0; y.len()];
    for _ in 0..3 {
        rate(x, &y[..], &mut k);
        for i in 0..y.len() {
            y[i] += 0.1 * k[i];
        }
    }
    y[0] + 2.0 * y[1]
}

#[test]
fn an_output_parameter_lent_for_reading_is_differentiated() {
    let run = |x: f64| {
        let mut y = [1.0, 0.5];
        euler(x, &mut y)
    };
    let (x, mut y, mut dy) = (0.8, [1.0, 0.5], [0.0; 2]);
    let (value, dx) = euler_vjp(x, &mut y, &mut dy, 1.0);
    assert!(close(value, run(x)));
    assert!((dx - fd(run, x)).abs() < 1e-6, "{dx} vs {}", fd(run, x));
    let (mut y, mut ty) = ([1.0, 0.5], [0.0; 2]);
    let (_, tangent) = euler_jvp(x, 1.0, &mut y, &mut ty);
    assert!(close(tangent, dx), "forward {tangent} vs reverse {dx}");
}

/// A constant local array declared in a loop body and passed by value, beside an array
/// written out: the adjoint, which runs the body back, measured the constant array by name
/// there, out of its scope (a rustc error in generated code).
#[differentiable]
fn dist_pair(u: [f64; 2], v: [f64; 2]) -> f64 {
    ((u[0] - v[0]) * (u[0] - v[0]) + (u[1] - v[1]) * (u[1] - v[1])).sqrt()
}

#[differentiable]
fn distances(w: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        let c = [1.0, i as f64];
        s += dist_pair(c, [w, 2.0 * w]);
    }
    s
}

#[test]
fn a_constant_array_of_a_loop_body_passed_by_value_is_differentiated() {
    let w = 0.5;
    let (value, dw) = distances_grad(w);
    let by_hand = |w: f64| (0..3).map(|i| ((1.0 - w) * (1.0 - w) + (i as f64 - 2.0 * w).powi(2)).sqrt()).sum::<f64>();
    assert!(close(value, by_hand(w)));
    assert!((dw - fd(by_hand, w)).abs() < 1e-6, "{dw} vs {}", fd(by_hand, w));
    assert!(close(distances_jvp(w, 1.0).1, dw));
}

// ---- 3. `mut` parameters, constant and active, updated in loops. ------------------------------

#[differentiable]
fn mut_counter(x: f64, mut k: usize) -> f64 {
    let mut s = 0.0;
    for _ in 0..3 {
        s += x * k as f64;
        k += 1;
    }
    s
}

#[differentiable]
fn mut_halvings(x: f64, mut n: u32) -> f64 {
    let mut y = x;
    while n > 0 {
        y *= 0.5;
        n -= 1;
    }
    y
}

#[differentiable]
fn mut_active(mut x: f64, w: f64) -> f64 {
    for _ in 0..3 {
        x = x * w + 1.0;
    }
    x
}

/// A `mut` parameter reassigned in straight-line code and in a branch.
#[differentiable]
fn mut_branches(mut x: f64, y: f64) -> f64 {
    x *= y;
    if y > 0.0 {
        x += y.sin();
    } else {
        x *= x;
    }
    x * x
}

#[test]
fn mut_parameters_are_updated_like_let_mut_locals() {
    assert_eq!(mut_counter(2.0, 1), 12.0);
    assert_eq!(mut_counter_grad(2.0, 1), (12.0, 6.0));
    assert_eq!(mut_counter_jvp(2.0, 1.0, 1), (12.0, 6.0));
    assert_eq!(mut_halvings_grad(2.0, 3), (0.25, 0.125));
    assert_eq!(mut_halvings_jvp(2.0, 1.0, 3), (0.25, 0.125));
    // x w³ + w² + w + 1 at (2, 3): 67, ∂x = w³ = 27, ∂w = 3x w² + 2w + 1 = 61.
    assert_eq!(mut_active_grad(2.0, 3.0), (67.0, (27.0, 61.0)));
    assert_eq!(mut_active_jvp(2.0, 1.0, 3.0, 0.0), (67.0, 27.0));
}

// ---- 4. `cfg!` is honoured in every generated function. ---------------------------------------

#[differentiable]
fn configured(x: f64) -> f64 {
    let mut y = x * x;
    if cfg!(any()) {
        y *= 100.0;
    }
    if cfg!(all()) {
        y += x;
    }
    y
}

#[test]
fn cfg_branches_are_the_same_in_the_derivatives() {
    assert_eq!(configured(3.0), 12.0);
    assert_eq!(configured_grad(3.0), (12.0, 7.0));
    assert_eq!(configured_jvp(3.0, 1.0), (12.0, 7.0));
}

// ---- 6. `stop_gradient` under another name is a call with a zero derivative. ------------------

mod renamed {
    use chainrule::prelude::stop_gradient as sg;
    use chainrule::prelude::*;

    #[differentiable]
    pub fn detached_under_another_name(x: f64) -> f64 {
        sg(x) * x
    }

    #[differentiable]
    pub fn detached_by_path(x: f64) -> f64 {
        chainrule::primitives::stop_gradient(x * x) + x
    }
}

mod mine {
    use chainrule::prelude::*;

    /// A user's function that happens to be called `stop_gradient`-like, differentiated as
    /// what it is.
    #[differentiable]
    pub fn double(x: f64) -> f64 {
        2.0 * x
    }
}

#[differentiable]
fn twice_times(x: f64) -> f64 {
    mine::double(x) * x
}

#[test]
fn the_detach_belongs_to_the_runtime_function_not_its_name() {
    assert_eq!(renamed::detached_under_another_name_grad(3.0), (9.0, 3.0));
    assert_eq!(renamed::detached_under_another_name_jvp(3.0, 1.0), (9.0, 3.0));
    assert_eq!(renamed::detached_by_path_grad(3.0), (12.0, 1.0));
    assert_eq!(renamed::detached_by_path_jvp(3.0, 1.0), (12.0, 1.0));
    assert_eq!(twice_times_grad(3.0), (18.0, 12.0));
}

// ---- 8. Powers whose derivative is finite where the function is smooth. -----------------------

#[differentiable]
fn power_series(x: f64, c: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..c.len() {
        s += c[i] * x.powi(i as i32);
    }
    s
}

#[differentiable]
fn real_power_series(x: f64, c: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..c.len() {
        s += c[i] * x.powf(i as f64);
    }
    s
}

#[differentiable]
fn power_of_zero(x: f64, y: f64) -> f64 {
    x.powf(y)
}

#[differentiable]
fn distance(x: f64, y: f64) -> f64 {
    x.hypot(y)
}

#[test]
fn powers_have_their_derivative_at_zero() {
    let c = [1.5, -2.0, 3.0, 0.5];
    for (value, dx, dc) in [
        {
            let (v, (dx, dc)) = power_series_grad(0.0, &c);
            (v, dx, dc)
        },
        {
            let (v, (dx, dc)) = real_power_series_grad(0.0, &c);
            (v, dx, dc)
        },
    ] {
        assert_eq!((value, dx), (1.5, -2.0));
        assert_eq!(dc, vec![1.0, 0.0, 0.0, 0.0]);
    }
    assert_eq!(power_series_jvp(0.0, 1.0, &c, &[0.0; 4]), (1.5, -2.0));
    assert_eq!(real_power_series_jvp(0.0, 1.0, &c, &[0.0; 4]), (1.5, -2.0));
    // 0^y = 0 for y > 0: flat in y; d/dx x^y = y x^(y-1) = 0 for y > 1.
    assert_eq!(power_of_zero_grad(0.0, 2.5), (0.0, (0.0, 0.0)));
    // x^0 = 1: flat in x, even at 0; d/dy x^y = ln x, -inf at x = 0 (a one-sided limit).
    assert_eq!(power_of_zero_grad(0.0, 0.0).1.0, 0.0);
    // hypot at the origin: the least-norm subgradient, as `abs` at 0.
    assert_eq!(distance_grad(0.0, 0.0), (0.0, (0.0, 0.0)));
    assert_eq!(distance_jvp(0.0, 1.0, 0.0, 1.0), (0.0, 0.0));
    assert_eq!(distance_grad(3.0, -4.0), (5.0, (0.6, -0.8)));
}

// ---- 9. A loop over a huge range that stops early keeps only what it ran. ---------------------

/// Newton's iteration for √a, up to `max_iter` steps, stopping once converged.
#[differentiable]
fn newton_sqrt(a: f64, #[no_grad] max_iter: usize) -> f64 {
    let mut x = a;
    for _ in 0..max_iter {
        let next = 0.5 * (x + a / x);
        if (next - x).abs() < 1e-15 * x {
            break;
        }
        x = next;
    }
    x
}

#[test]
fn an_early_break_reserves_what_the_loop_ran_not_its_range() {
    for max_iter in [1_000_000_000_000, usize::MAX] {
        let (value, da) = newton_sqrt_grad(2.0, max_iter);
        assert!(close(value, 2f64.sqrt()));
        // d√a/da = 1 / (2√a).
        assert!((da - 0.5 / 2f64.sqrt()).abs() < 1e-12, "{da}");
        let (_, t) = newton_sqrt_jvp(2.0, 1.0, max_iter);
        assert!((t - da).abs() < 1e-12);
    }
}

// ---- A call with constant inputs overwriting a differentiated array. -------------------------

#[differentiable]
fn fill(c: f64, out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = c;
    }
}

/// `g[0] = 3x`, then overwritten with a constant by a call whose inputs are all constant:
/// the call replaces g's derivative with zero (it once left it in both modes).
#[differentiable]
fn overwritten(x: f64) -> f64 {
    let mut g = [0.0; 2];
    g[0] = x * 3.0;
    let before = g[0] * x;
    fill(2.0, &mut g);
    g[0] * x + before
}

#[test]
fn a_constant_call_overwrites_the_derivative_of_what_it_writes() {
    // f = 2x + 3x²: f'(1.5) = 2 + 9 = 11.
    assert_eq!(overwritten_grad(1.5), (9.75, 11.0));
    assert_eq!(overwritten_jvp(1.5, 1.0), (9.75, 11.0));
}

// ---- Found by the macro fuzz test (tests/macro_fuzz). ----------------------------------------

/// An output's length read in a loop: the adjoint closure must not borrow the output.
#[differentiable]
fn last_of(x: f64, out: &mut [f64]) {
    for k in 0..3 {
        out[out.len() - 1] = x * k as f64;
    }
}

#[differentiable]
fn uses_last(x: f64) -> f64 {
    let mut o = [0.0; 2];
    last_of(x, &mut o);
    o[1] * x
}

/// Parameters whose derivatives would be keywords (`do`, `dyn`).
#[differentiable]
fn keyword_derivatives(o: f64, yn: f64) -> f64 {
    o * yn + f64::from(2u8) * o
}

differentiable_fns! {
    fn compact_with_attribute(x, y) < #[allow(unused_variables)] let t = x * y; t * y >
}

#[test]
fn shapes_the_fuzzer_found() {
    // uses_last(x) = 2x · x.
    assert_eq!(uses_last_grad(1.5), (4.5, 6.0));
    assert_eq!(uses_last_jvp(1.5, 1.0), (4.5, 6.0));
    assert_eq!(keyword_derivatives_grad(3.0, 2.0), (12.0, (4.0, 3.0)));
    assert_eq!(compact_with_attribute_grad(2.0, 3.0), (18.0, (9.0, 12.0)));
}

// ---- Found by the random programs (tests/random_programs). ------------------------------------

/// A float literal assigned to a parameter, then a method of it: the new value keeps the
/// parameter's type in the generated code (it was an ambiguous `{float}`).
#[differentiable]
fn literal_assigned(x: f64, mut a: f64) -> f64 {
    let y = a * x;
    a = 1.5;
    a.sin() * x + a + y
}

/// The same for a local whose type comes from arithmetic on a parameter.
#[differentiable]
fn literal_assigned_local(x: f64) -> f64 {
    let mut a = x * 2.0;
    let before = a;
    a = 0.5;
    a.exp() * before
}

/// `f64::tanh(..)` is the only thing that types `g` an array of `f64`.
#[differentiable]
fn typed_by_path(x: f64) -> f64 {
    let g = [0.0; 2];
    let s = g[1] + 0.5;
    x * f64::tanh(s) + f64::sin(g[0] + x)
}

#[test]
fn literals_and_paths_keep_their_float_type() {
    let (v, (dx, da)) = literal_assigned_grad(2.0, 9.0);
    assert!(close(v, 1.5f64.sin() * 2.0 + 1.5 + 18.0) && close(dx, 1.5f64.sin() + 9.0) && da == 2.0);
    // 0.5.exp() · 2x
    let (v, d) = literal_assigned_local_grad(0.7);
    assert!(close(v, 0.5f64.exp() * 1.4) && close(d, 0.5f64.exp() * 2.0));
    let (v, d) = typed_by_path_grad(0.3);
    assert!(close(v, 0.3 * 0.5f64.tanh() + 0.3f64.sin()) && close(d, 0.5f64.tanh() + 0.3f64.cos()));
    assert!(close(typed_by_path_jvp(0.3, 1.0).1, d));
}

/// An output parameter lent twice for reading to one call: the second shadow's length is the
/// copy's, since the closure cannot borrow the output.
#[differentiable]
fn self_dot_out(x: f64, out: &mut [f64]) {
    out[0] = x;
    out[1] = 2.0 * x;
    let n = sum_of_products(&out[..], &out[..]);
    out[0] = n * x;
}

#[differentiable]
fn sum_of_products(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiable]
fn uses_self_dot_out(x: f64) -> f64 {
    let mut o = [0.0; 2];
    self_dot_out(x, &mut o);
    o[0] + o[1]
}

#[test]
fn an_output_lent_twice_for_reading() {
    // o = (5x³, 2x): 15x² + 2.
    let (v, d) = uses_self_dot_out_grad(0.5);
    assert!(close(v, 5.0 * 0.125 + 1.0) && close(d, 15.0 * 0.25 + 2.0));
    assert!(close(uses_self_dot_out_jvp(0.5, 1.0).1, d));
}

// ---- Calls whose result's adjoint is zero. --------------------------------------------------

#[differentiable]
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    s.sqrt()
}

/// The distance from `p` to the nearest of the points in `c` (rows of `d`): `k` calls, one of
/// which the `min` passes an adjoint to.
#[differentiable]
fn nearest(#[no_grad] p: &[f64], c: &[f64], #[no_grad] d: usize) -> f64 {
    let mut best = f64::INFINITY;
    for j in 0..c.len() / d {
        best = best.min(dist2(p, &c[j * d..(j + 1) * d]));
    }
    best
}

#[test]
fn only_the_chosen_call_has_a_gradient() {
    let (p, c) = ([0.5, -1.0], [3.0, 3.0, 1.0, -1.5, 0.5, -1.0, -4.0, 2.0]);
    // The nearest is c[1] = (1, -1.5) at distance √0.5; c[2] = p itself is at distance 0, but
    // sqrt's derivative there is infinite: it is the chosen one in the next check.
    let c = [c[0], c[1], c[2], c[3], c[6], c[7]];
    let (v, g) = nearest_grad(&p, &c, 2);
    let r = 0.5f64.sqrt();
    assert!(close(v, r));
    let want = [0.0, 0.0, 0.5 / r, -0.5 / r, 0.0, 0.0];
    assert!(g.iter().zip(&want).all(|(a, b)| close(*a, *b)), "{g:?}");
    assert!(close(nearest_jvp(&p, &c, &[0.3, 0.1, 1.0, 2.0, -0.7, 0.2], 2).1, (0.5 - 1.0) / r));
}

#[differentiable]
fn root(x: f64) -> f64 {
    x.sqrt()
}

#[differentiable]
fn floor_root(x: f64, y: f64) -> f64 {
    y.min(root(x))
}

#[test]
fn an_unchosen_call_with_an_infinite_derivative_adds_nothing() {
    // min(y, √x) is y near (0, −1): its gradient is (0, 1). √'s derivative at 0 is infinite,
    // and 0 · ∞ would make it NaN: the call's pullback is not run for a zero adjoint. (Forward
    // mode still multiplies the min's zero weight by the infinite tangent: NaN.)
    assert_eq!(floor_root_grad(0.0, -1.0), (-1.0, (0.0, 1.0)));
    assert_eq!(floor_root_grad(4.0, 3.0), (2.0, (0.25, 0.0)));
}

// ---- `min` and `max` in loops keep which argument won, not the arguments. ------------------

/// The running minimum and maximum of `2 x[i]`: the carried value cannot be recomputed, so
/// the adjoint keeps each iteration's comparison as a byte (`rules::Choice`).
#[differentiable]
fn running_extremes(x: &[f64]) -> f64 {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..x.len() {
        lo = lo.min(x[i] * 2.0);
        hi = hi.max(x[i] * 2.0);
    }
    lo + 3.0 * hi
}

/// The same unrolled over four elements: straight-line code, whose adjoint reads the
/// arguments through the rules' own partials.
#[differentiable]
fn extremes_of_four(x: &[f64]) -> f64 {
    let lo = f64::INFINITY.min(x[0] * 2.0);
    let hi = f64::NEG_INFINITY.max(x[0] * 2.0);
    let lo = lo.min(x[1] * 2.0);
    let hi = hi.max(x[1] * 2.0);
    let lo = lo.min(x[2] * 2.0);
    let hi = hi.max(x[2] * 2.0);
    let lo = lo.min(x[3] * 2.0);
    let hi = hi.max(x[3] * 2.0);
    lo + 3.0 * hi
}

#[test]
fn a_kept_comparison_gives_the_rules_partials_with_ties_and_nans() {
    let nan = f64::NAN;
    for x in [
        [1.0, -2.0, 3.0, 0.5],
        [1.0, 1.0, 3.0, 3.0],
        [0.5, 0.5, 0.5, 0.5],
        [2.0, nan, 1.0, 4.0],
        [1.0, nan, 3.0, 4.0],
        [3.0, nan, 1.0, -1.0],
        [nan, nan, 1.0, 2.0],
        [f64::INFINITY, -1.0, f64::INFINITY, -1.0],
    ] {
        let (v1, g1) = running_extremes_grad(&x);
        let (v2, g2) = extremes_of_four_grad(&x);
        assert_eq!(v1.to_bits(), v2.to_bits(), "{x:?}");
        let bits = |g: &[f64]| g.iter().map(|d| d.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&g1), bits(&g2), "{x:?}: {g1:?} vs {g2:?}");
    }
    // A tie halves: min(2, 2) then min(., 6): ∂/∂x = (1, 1, 0, 0); max 6 wins alone.
    assert_eq!(running_extremes_grad(&[1.0, 1.0, 3.0, 4.0]).1, vec![1.0, 1.0, 0.0, 6.0]);
}

// ---- The property checks of the shared corpus. ------------------------------------------------

mod properties {
    use crate::{array_property, property};
    use proptest::collection::vec;

    property!(through_out, through_out_grad, through_out_jvp, [w in -2.0..2.0]);
    property!(through_out_loop, through_out_loop_grad, through_out_loop_jvp, [w in -1.5..1.5]);
    property!(through_out_break, through_out_break_grad, through_out_break_jvp, [w in -1.5..1.5, const n in 0usize..12]);
    property!(mut_counter, mut_counter_grad, mut_counter_jvp, [x in -3.0..3.0, const k in 0usize..5]);
    property!(mut_halvings, mut_halvings_grad, mut_halvings_jvp, [x in -3.0..3.0, const n in 0u32..6]);
    property!(mut_active, mut_active_grad, mut_active_jvp, [x in -2.0..2.0, w in -1.5..1.5]);
    property!(mut_branches, mut_branches_grad, mut_branches_jvp, [x in -2.0..2.0, y in -2.0..2.0]
        where y.abs() > 1e-3);
    property!(configured, configured_grad, configured_jvp, [x in -3.0..3.0]);
    array_property!(power_series, grad power_series_grad, vjp power_series_vjp, jvp power_series_jvp, [
        x in -1.5..1.5, slice c in vec(-2.0..2.0, 0..6)
    ]);
    array_property!(real_power_series, grad real_power_series_grad, vjp real_power_series_vjp,
        jvp real_power_series_jvp, [x in 0.1..1.5, slice c in vec(-2.0..2.0, 0..6)]);
    property!(newton_sqrt, newton_sqrt_grad, newton_sqrt_jvp, [a in 0.5..4.0, const max_iter in 1usize..60]);
}
