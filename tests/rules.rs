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
