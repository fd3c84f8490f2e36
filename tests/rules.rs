//! Every rule of the derivative table (`macros/src/rules.rs`), in both modes, against
//! central finite differences at points spread over the rule's domain, and forward mode
//! against reverse. The cases are written by `__rule_cases!()` from the table itself: a
//! rule added to the table is tested here without a line of this file changing.

/// One rule, applied by a generated `#[differentiable]` function over the flat slice of its
/// arguments (constant arguments as floats holding integers).
struct RuleCase {
    name: &'static str,
    domain: &'static [(f64, f64)],
    constant: &'static [usize],
    detach: bool,
    eval: fn(&[f64]) -> f64,
    grad: fn(&[f64]) -> (f64, Vec<f64>),
    jvp: fn(&[f64], &[f64]) -> (f64, f64),
    /// The rule in a function generic over its float type (all but the cast).
    generic: Option<Generic>,
}

/// A rule's generic function at `f64` and at `f32` (arguments and results through `f64`).
struct Generic {
    grad64: fn(&[f64]) -> (f64, Vec<f64>),
    grad32: fn(&[f64]) -> (f64, Vec<f64>),
    jvp64: fn(&[f64], &[f64]) -> (f64, f64),
    jvp32: fn(&[f64], &[f64]) -> (f64, f64),
    /// The generic primal on `Dual<f64, 1>`: value and tangent.
    dual: fn(&[f64], &[f64]) -> (f64, f64),
}

chainrule_macros::__rule_cases!();

/// A few points per rule, spread over its domain (a fixed low-discrepancy sequence, so that
/// a failure is reproducible), constants rounded to integers.
fn points(case: &RuleCase) -> Vec<Vec<f64>> {
    (0..16)
        .map(|k| {
            case.domain
                .iter()
                .enumerate()
                .map(|(i, &(lo, hi))| {
                    let u = ((k as f64 + 0.5) * (0.618_033_988_75 + 0.1 * i as f64)).fract();
                    let x = lo + (hi - lo) * u;
                    if case.constant.contains(&i) { x.round() } else { x }
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_rule_matches_finite_differences_in_both_modes() {
    assert!(RULE_CASES.len() >= 40, "the table's cases were written");
    for case in RULE_CASES {
        assert_eq!(case.domain.len(), case.domain.len().max(1), "{}: one interval per argument", case.name);
        for x in points(case) {
            let (value, g) = (case.grad)(&x);
            assert_eq!(value.to_bits(), (case.eval)(&x).to_bits(), "{} at {x:?}: the value", case.name);
            let active: Vec<usize> = (0..x.len()).filter(|i| !case.constant.contains(i)).collect();
            assert_eq!(g.len(), active.len(), "{}: one partial per active argument", case.name);
            for (&i, &gi) in active.iter().zip(&g) {
                let expected = if case.detach {
                    // Zero by definition (`stop_gradient`), whatever the function's slope.
                    0.0
                } else {
                    let h = 1e-6 * x[i].abs().max(1.0);
                    let (mut plus, mut minus) = (x.clone(), x.clone());
                    plus[i] += h;
                    minus[i] -= h;
                    ((case.eval)(&plus) - (case.eval)(&minus)) / (plus[i] - minus[i])
                };
                let tol = 1e-6 * (1.0 + expected.abs().max(gi.abs()));
                assert!((gi - expected).abs() <= tol, "{} at {x:?}: ∂/∂a{i} = {gi}, expected {expected}", case.name);
                // Forward mode along the i-th axis gives the same partial.
                let mut d = vec![0.0; active.len()];
                d[active.iter().position(|&j| j == i).unwrap()] = 1.0;
                let (jvp_value, t) = (case.jvp)(&x, &d);
                assert_eq!(jvp_value.to_bits(), value.to_bits(), "{} at {x:?}: the jvp's value", case.name);
                assert!(
                    (t - gi).abs() <= 1e-12 * (1.0 + gi.abs()),
                    "{} at {x:?}: forward {t}, reverse {gi}",
                    case.name
                );
            }
        }
    }
}

/// The generic function of each rule is the concrete one at `f64`, to the bit (the same code
/// with its literals converted), and close to it at `f32`, in both modes; its primal on dual
/// numbers gives the tangent forward mode does.
#[test]
fn every_rule_is_differentiated_alike_in_a_generic_function() {
    let generic: Vec<_> = RULE_CASES.iter().filter_map(|c| c.generic.as_ref().map(|g| (c, g))).collect();
    assert_eq!(generic.len(), RULE_CASES.len() - 1, "every rule but the cast has a generic case");
    for (case, g) in generic {
        for x in points(case) {
            let active = x.len() - case.constant.len();
            let (value, grad) = (case.grad)(&x);
            let (value64, grad64) = (g.grad64)(&x);
            assert_eq!((value64.to_bits(), bits(&grad64)), (value.to_bits(), bits(&grad)), "{} at {x:?}", case.name);
            let (value32, grad32) = (g.grad32)(&x);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-4 * (1.0 + b.abs());
            assert!(close(value32, value), "{} at {x:?}: f32 value {value32}, f64 {value}", case.name);
            for (a, b) in grad32.iter().zip(&grad) {
                assert!(close(*a, *b), "{} at {x:?}: f32 gradient {grad32:?}, f64 {grad:?}", case.name);
            }
            for axis in 0..active {
                let mut d = vec![0.0; active];
                d[axis] = 1.0;
                let (t, t64, t32) = ((case.jvp)(&x, &d).1, (g.jvp64)(&x, &d).1, (g.jvp32)(&x, &d).1);
                assert_eq!(t64.to_bits(), t.to_bits(), "{} at {x:?}: generic tangent", case.name);
                assert!(close(t32, t), "{} at {x:?}: f32 tangent {t32}, f64 {t}", case.name);
                // A dual number's derivative is the table's, as generated code's is.
                let (dual_value, dual_t) = (g.dual)(&x, &d);
                assert_eq!(dual_value.to_bits(), value.to_bits(), "{} at {x:?}: dual value", case.name);
                assert!(
                    (dual_t - t).abs() <= 1e-12 * (1.0 + t.abs()),
                    "{} at {x:?}: dual {dual_t}, jvp {t}",
                    case.name
                );
            }
        }
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

// Partials read from another value of the function (`Rule::twins`): `sin` and `cos`, `sinh`
// and `cosh` of one value, at the top, in loops (of slice elements read twice) and beside
// branches, either one first. A twin with the wrong sign or the wrong value fails these.

#[chainrule::differentiable]
fn twins_at_the_top(t: f64, u: f64) -> f64 {
    let c = t.cos();
    let s = t.sin();
    let h = u.cosh();
    3.0 * s + c * c + h * u.sinh() + t.sin() * u
}

#[chainrule::differentiable]
fn twins_in_a_loop(t: &[f64], r: &[f64]) -> f64 {
    let mut x = 0.0;
    let mut y = 0.0;
    for i in 0..t.len() {
        let c = t[i].cos();
        if r[i] > 0.0 {
            x += r[i] * t[i].sin() * c;
        } else {
            y += (t[i].sin() * c).sinh() * (t[i].sin() * c).cosh();
        }
        let s = t[i].sin();
        x += r[i] * c;
        y += r[i] * s + t[i].sinh() * t[i].cosh();
    }
    x * x + y * y
}

fn central(f: impl Fn(&[f64]) -> f64, x: &[f64], i: usize) -> f64 {
    let h = 1e-6;
    let (mut plus, mut minus) = (x.to_vec(), x.to_vec());
    plus[i] += h;
    minus[i] -= h;
    (f(&plus) - f(&minus)) / (2.0 * h)
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs())), "{what}: {a} vs {b}");
}

#[test]
fn twins_give_the_partials_of_the_rules() {
    for &(t, u) in &[(0.3, -0.7), (2.5, 1.1), (-1.9, 0.0)] {
        let (value, (dt, du)) = twins_at_the_top_grad(t, u);
        assert_eq!(value.to_bits(), twins_at_the_top(t, u).to_bits());
        let f = |x: &[f64]| twins_at_the_top(x[0], x[1]);
        assert_close(dt, central(f, &[t, u], 0), "∂/∂t");
        assert_close(du, central(f, &[t, u], 1), "∂/∂u");
        assert_close(twins_at_the_top_jvp(t, 1.0, u, 0.0).1, dt, "forward ∂/∂t");
        assert_close(twins_at_the_top_jvp(t, 0.0, u, 1.0).1, du, "forward ∂/∂u");
    }
    let t = [0.4, -1.3, 2.2, 0.9, -0.2];
    let r = [0.5, -0.8, 1.5, -0.1, 0.7];
    let (value, (dt, dr)) = twins_in_a_loop_grad(&t, &r);
    assert_eq!(value.to_bits(), twins_in_a_loop(&t, &r).to_bits());
    for i in 0..t.len() {
        let f = |x: &[f64]| twins_in_a_loop(x, &r);
        assert_close(dt[i], central(f, &t, i), "∂/∂t");
        let g = |x: &[f64]| twins_in_a_loop(&t, x);
        assert_close(dr[i], central(g, &r, i), "∂/∂r");
        let mut e = [0.0; 5];
        e[i] = 1.0;
        assert_close(twins_in_a_loop_jvp(&t, &e, &r, &[0.0; 5]).1, dt[i], "forward ∂/∂t");
    }
}
