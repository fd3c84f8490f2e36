//! What reverse mode keeps for the adjoint sweep, asserted on the plan itself: the claims the
//! README makes about what a loop stores.

use super::{Plan, Storage};
use crate::ast::{Args, Function};
use crate::ir::Stmt;
use crate::names::Names;
use crate::{activity, code, lower, mixed};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// Runs `check` on the plan of `item`'s pullback (the reverse part, in mixed mode), with
/// whether mixed mode applies.
fn with_plan(item: TokenStream, check: impl FnOnce(&Plan, bool)) {
    let func = Function::from_syn(syn::parse2(item).expect("a function"), Args::default()).expect("a signature");
    let mut names = Names::new(func.item.to_token_stream());
    let mut ir = lower::lower(&func, &func.item.block, &mut names).expect("lowers");
    activity::analyse(&mut ir).expect("activity");
    let mixed = mixed::plan(&ir, &func);
    let is_mixed = mixed.is_some();
    let ir = match mixed {
        Some(m) => m.reverse,
        None => ir,
    };
    let derivs = code::derivative_names(&ir, &mut names);
    let slot_derivs = code::slot_derivative_names(&ir, &mut names);
    let plan = Plan::new(&ir, &func, &derivs, &slot_derivs, &mut names, None);
    check(&plan, is_mixed);
}

fn stacked(plan: &Plan) -> usize {
    plan.storage.values().filter(|&&s| s == Storage::Stack).count()
}

#[test]
fn an_accumulator_keeps_nothing() {
    let dot = quote! {
        fn dot(w: &[f64], x: &[f64]) -> f64 {
            let mut s = 0.0;
            for i in 0..x.len() {
                s += w[i] * x[i];
            }
            s
        }
    };
    with_plan(dot, |plan, mixed| {
        assert!(!mixed);
        assert_eq!(stacked(plan), 0, "the products' factors are reread from the slices");
        assert!(plan.history_of.is_empty());
    });
}

#[test]
fn a_recurrence_keeps_its_history_in_a_slice() {
    let recurrence = quote! {
        fn rec(y0: f64, a: &[f64]) -> f64 {
            let mut y = y0;
            for i in 0..a.len() {
                y = (y * a[i]).sin();
            }
            y
        }
    };
    with_plan(recurrence, |plan, _| {
        assert!(stacked(plan) > 0, "each step's product is kept");
        assert!(!plan.history_of.is_empty(), "as a history slice indexed by the loop variable");
        assert!(plan.histories.values().all(|h| h.at.is_none()), "0..n needs no counter");
    });
}

#[test]
fn horners_pullback_keeps_no_history() {
    let horner = quote! {
        fn horner(x: f64, c: &[f64]) -> f64 {
            let mut acc = 0.0;
            for i in (0..c.len()).rev() {
                acc = acc * x + c[i];
            }
            acc
        }
    };
    with_plan(horner, |plan, mixed| {
        assert!(mixed, "x is differentiated forwards");
        assert_eq!(stacked(plan), 0);
        assert!(plan.history_of.is_empty());
    });
}

#[test]
fn what_only_reaches_a_stop_gradient_keeps_nothing() {
    let lse = quote! {
        fn lse(z: &[f64]) -> f64 {
            let mut m = z[0];
            for i in 1..z.len() {
                m = m.max(z[i]);
            }
            let m = stop_gradient(m);
            let mut s = 0.0;
            for i in 0..z.len() {
                s += (z[i] - m).exp();
            }
            s.ln() + m
        }
    };
    with_plan(lse, |plan, _| {
        // The maximum's loop has no adjoint at all; only the second loop's exponential is
        // kept (its derivative is itself).
        let loops: Vec<_> = plan
            .ir
            .body
            .iter()
            .filter_map(|s| if let Stmt::For { body, .. } = s { Some(body.id) } else { None })
            .collect();
        let in_first: Vec<_> = plan.ir.values.iter().filter(|(v, _)| plan.block_of[*v] == loops[0]).collect();
        assert!(!in_first.is_empty() && in_first.iter().all(|(_, value)| !value.active));
        assert!(in_first.iter().all(|(v, _)| plan.storage[*v] != Storage::Stack));
        assert_eq!(stacked(plan), 1);
    });
}

#[test]
fn a_loop_that_can_break_reserves_nothing() {
    let newton = quote! {
        fn newton(a: f64, max_iter: usize) -> f64 {
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
    };
    with_plan(newton, |plan, _| {
        assert!(stacked(plan) > 0);
        assert!(plan.reserved.values().all(|r| !r), "its stacks grow as it runs");
    });
}

/// GradBench's GMM kernel as its reference writes it (see `reread`, `promote`,
/// `increments`): `xcentered` is copied once per component instead of kept per read, the
/// reads of `qdiags` (written once, before) are made again, the adjoint of `xcentered[col]`
/// is summed in a scalar across the triangular loop, and `qx[row] += ..` keeps `dqx[row]`.
#[test]
fn the_gmm_kernel_keeps_one_copy_per_component() {
    let kernel = quote! {
        fn kernel(means: &[f64], icf: &[f64], #[no_grad] x: &[f64], #[no_grad] d: usize, #[no_grad] k: usize) -> f64 {
            let icf_sz = d * (d + 1) / 2;
            let mut qdiags = vec![0.0; d * k];
            for c in 0..k {
                for r in 0..d {
                    qdiags[c * d + r] = icf[c * icf_sz + r].exp();
                }
            }
            let mut xcentered = vec![0.0; d];
            let mut qx = vec![0.0; d];
            let mut total = 0.0;
            for c in 0..k {
                for r in 0..d {
                    xcentered[r] = x[r] - means[c * d + r];
                }
                for r in 0..d {
                    qx[r] = qdiags[c * d + r] * xcentered[r];
                }
                let mut idx = c * icf_sz + d;
                for col in 0..d {
                    for row in col + 1..d {
                        qx[row] += icf[idx] * xcentered[col];
                        idx += 1;
                    }
                }
                for r in 0..d {
                    total += qx[r] * qx[r];
                }
            }
            total
        }
    };
    with_plan(kernel, |plan, _| {
        let kept: Vec<String> = plan
            .storage
            .iter()
            .filter(|(_, s)| **s == Storage::Stack)
            .map(|(v, _)| plan.ir.values[v].name.to_string())
            .collect();
        // `exp`'s result and `idx` (as `usize` history); no read of `xcentered` or `qx`.
        assert_eq!(kept.len(), 2, "kept: {kept:?}");
        assert!(kept.iter().any(|v| plan.indexes.iter().any(|(i, is)| *is && plan.ir.values[i].name == v)));
        assert_eq!(plan.snapshot_names.len(), 2, "xcentered and qx (read by the last loop), once per component");
        assert!(plan.promoted.values().flatten().any(|(s, ..)| plan.ir.slots[*s].name == "xcentered"));
        assert_eq!(plan.increment_reads.len(), 1, "qx[row] += ..");
    });
}

#[test]
fn a_call_reading_borrowed_slices_runs_again_instead_of_keeping_its_pullback() {
    let kmeans = quote! {
        fn cost(centres: &[f64], #[no_grad] points: &[f64], w: f64, #[no_grad] scratch: &mut [f64]) -> f64 {
            let mut s = 0.0;
            for i in 0..points.len() / 2 {
                s += dist2(&points[2 * i..2 * i + 2], &centres[0..2]);
                s += mixed(&centres[0..2], w);
                s += scaled(s, w);
                s += local(scratch, &centres[0..2]);
            }
            s
        }
    };
    with_plan(kmeans, |plan, _| {
        let calls: Vec<_> = plan.ir.values.iter().filter(|(_, v)| matches!(v.op, crate::ir::Op::Call { .. })).collect();
        let rerun = |name: &str| {
            let found = calls.iter().find(|(_, value)| match &value.op {
                crate::ir::Op::Call { func, .. } => func.is_ident(name),
                _ => false,
            });
            let v = found.expect("the call").0;
            (plan.reruns[v], plan.pullbacks[v].is_some())
        };
        assert_eq!(rerun("dist2"), (true, false), "borrowed slices: made again in the adjoint");
        assert_eq!(rerun("mixed"), (true, false), "a slice and a value the plan keeps");
        assert_eq!(rerun("scaled"), (false, true), "scalars only: the closure is cheaper to keep");
        assert_eq!(rerun("local"), (false, true), "an `&mut` parameter may have changed");
    });
}

#[test]
fn sin_and_cos_of_one_value_read_each_other() {
    let polar = quote! {
        fn polar(t: &[f64], r: &[f64], #[no_grad] out: &mut [f64]) -> f64 {
            let mut x = 0.0;
            for i in 0..t.len() {
                let s = t[i].sin();
                let c = t[i].cos();
                // Not twins: other elements, or an element that may be written between.
                let far = t[i].sinh() * t[0].cosh();
                let o = out[i].sin() * out[i].cos();
                x += r[i] * s * c + far + o;
            }
            x
        }
    };
    with_plan(polar, |plan, _| {
        let mut twins: Vec<(String, String, bool)> = plan
            .twins
            .iter()
            .map(|(&(v, _), &(w, negated))| {
                (plan.ir.values[v].name.to_string(), plan.ir.values[w].name.to_string(), negated)
            })
            .collect();
        twins.sort();
        assert_eq!(twins, [("c".into(), "s".into(), true), ("s".into(), "c".into(), false)]);
    });
}

#[test]
fn elements_at_constant_offsets_slide_through_registers() {
    let rosenbrock = quote! {
        fn rosenbrock(x: &[f64], #[no_grad] step: usize) -> f64 {
            let mut s = 0.0;
            for i in 0..x.len() - 1 {
                let a = x[i + 1] - x[i] * x[i];
                s += 100.0 * a * a + (1.0 - x[i]).powi(2);
            }
            for i in 0..x.len() - step {
                s += x[i + step] * x[i];
            }
            s
        }
    };
    with_plan(rosenbrock, |plan, _| {
        let windows: Vec<usize> = plan.adjoint_views.values().map(|v| v.windows.len()).collect();
        // The first loop's `x` at offsets 0 and 1; not the second's, whose offset varies.
        assert_eq!(windows.iter().sum::<usize>(), 1, "windows per loop: {windows:?}");
        let w = plan.adjoint_views.values().flat_map(|v| &v.windows).next().expect("a window");
        assert_eq!((w.low, w.regs.len()), (0, 2));
        assert_eq!(plan.window_regs.len(), 4, "the four reads of `x` in the first loop");
    });
}

#[test]
fn a_summing_loop_runs_with_its_adjoint_and_nothing_else_does() {
    let fused = |item: TokenStream| {
        let mut at = None;
        with_plan(item, |plan, _| at = plan.fusable());
        at
    };
    let rosenbrock = quote! {
        fn rosenbrock(x: &[f64]) -> f64 {
            let mut s = 0.0;
            for i in 0..x.len() - 1 {
                let a = x[i + 1] - x[i] * x[i];
                s += 100.0 * a * a + (1.0 - x[i]).powi(2);
            }
            s
        }
    };
    assert!(fused(rosenbrock).is_some());
    let weighted = quote! {
        fn weighted(x: &[f64], w: f64) -> f64 {
            let c = (0.5 * w).exp();
            let mut s = 0.0;
            for i in 0..x.len() {
                if x[i] > 0.0 { s += c * x[i] * x[i]; } else { s -= (c * x[i]).sin(); }
            }
            s / x.len() as f64
        }
    };
    assert!(fused(weighted).is_some(), "a value from before, a branch, a scaled result");
    let calls = quote! {
        fn fit(w: &[f64], #[no_grad] x: &[f64], #[no_grad] y: &[f64]) -> f64 {
            let mut s = 0.0;
            for i in 0..y.len() {
                s += sq(dot(w, &x[i * 2..i * 2 + 2]) - y[i]);
            }
            s
        }
    };
    assert!(fused(calls).is_some(), "calls returning one value, writing nothing");
    let refused = [
        quote!(
            fn f(x: &[f64], y0: f64) -> f64 {
                let mut y = y0;
                for i in 0..x.len() {
                    y = (y * x[i]).sin() + y;
                }
                y
            }
        ),
        quote!(
            fn f(x: &[f64]) -> f64 {
                let mut s = 0.0;
                let mut l = 0.0;
                for i in 0..x.len() {
                    s += x[i];
                    l = x[i] * x[i];
                }
                s + l
            }
        ),
        quote!(
            fn f(x: &[f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() {
                    s += x[i].sin();
                }
                s * s
            }
        ),
        quote!(
            fn f(x: &[f64]) -> f64 {
                let mut s = 1.0;
                for i in 0..x.len() {
                    s += x[i] * s;
                }
                s
            }
        ),
        quote!(
            fn f(x: &[f64]) -> f64 {
                let mut s = 1.0;
                for i in 0..x.len() {
                    s = x[i] - s;
                }
                s
            }
        ),
        quote!(
            fn f(x: &[f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() {
                    s += x[i];
                    if s > 2.0 {
                        break;
                    }
                }
                s
            }
        ),
        quote!(
            fn f(x: &mut [f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() {
                    s += x[i];
                    x[i] = s;
                }
                s
            }
        ),
    ];
    for (k, item) in refused.into_iter().enumerate() {
        assert_eq!(fused(item), None, "case {k}");
    }
}
