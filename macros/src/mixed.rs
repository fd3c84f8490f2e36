//! Mixed mode: reverse mode differentiates a scalar parameter read in a loop forwards.
//!
//! In reverse mode such a parameter's adjoint is a running sum that the adjoint loop
//! carries (`dx += ...` each iteration, one add on its critical path), and the values that
//! sum reads must be kept from the primal loop. Forward mode gets the same derivative from
//! one tangent beside each value of the primal loop: a second chain that runs in parallel
//! with the primal's own and keeps nothing. This is how Horner's rule is differentiated by
//! hand: p′(x) by a second recurrence beside p(x), no history. So `pullback` computes that
//! parameter's tangent in its primal sweep, and its gradient is the seed times the result's
//! tangent; every other parameter is differentiated backwards, with that one held constant.
//!
//! Only one parameter goes forwards (each would need its own tangent beside every value), and
//! only in functions whose results are returned (a `&mut` output's tangent would need a
//! buffer) and that call no differentiable function (the callee would run twice, once per
//! mode). Nor when a loop calls into libm (`exp`, `tanh`, ... : every float method but
//! arithmetic, `sqrt`, `abs`, `max`, `min` and the like): the compiler keeps the tangents a
//! loop carries in memory around each call, where the adjoint loop, which reads the value the
//! call returned from history, calls nothing and keeps its sums in registers (forcing
//! forward mode on `s += (w[i] * x).tanh()`, in an experiment outside the repo, made its vjp
//! 25% slower). On arithmetic loops it is faster: `benches/mixed.rs` runs each function in
//! both modes, and mixed mode took 0.61 of reverse mode's time on `s += w[i] * x`, 0.74 on
//! `s += (w[i] * x - 1.0)²` and 0.91 on Horner's rule (median of 3 runs).

use crate::activity;
use crate::ast::{Function, Shape};
use crate::code;
use crate::ir::{FieldPlace, IdVec, Ir, Op, Operand, Output, SlotId, SlotKind, Stmt, ValueId};
use syn::Ident;

/// The parameter differentiated forwards, and the function's activity split in two.
pub struct Plan {
    /// The parameter's position and its value in the IR.
    pub param: usize,
    pub value: ValueId,
    /// Only that parameter active: what its tangent flows through.
    pub forward: Ir,
    /// Every other parameter active: what the adjoint sweep covers.
    pub reverse: Ir,
}

pub fn plan(ir: &Ir, func: &Function) -> Option<Plan> {
    let calls_in_loop = |v: &crate::ir::Value| {
        v.depth.loops > 0
            && match &v.op {
                Op::Prim { rule, .. } => !rule.facts.instruction,
                Op::Call { .. } => true,
                _ => false,
            }
    };
    if !matches!(ir.output, Output::Scalar(_) | Output::Tuple(_))
        || ir.values.values().any(|v| v.active && matches!(v.op, Op::Call { .. }))
        || ir.values.values().any(calls_in_loop)
        || ir.slots.values().any(|s| s.active && matches!(s.kind, SlotKind::OutParam))
    {
        return None;
    }
    let mut read = ir.values.map(|_| false);
    reads_in_loops(ir, &mut read);
    let mut candidates = func.params.iter().enumerate().filter_map(|(i, p)| {
        if !p.active || p.shape != Shape::Scalar {
            return None;
        }
        let v = ir.param(&p.ident)?;
        read[v].then_some((i, v))
    });
    let (param, value) = candidates.next()?;
    if candidates.next().is_some() {
        return None;
    }
    let forward = restrict(ir, func, |i| i == param)?;
    let reverse = restrict(ir, func, |i| i != param)?;
    Some(Plan { param, value, forward, reverse })
}

/// The names of the values' and slots' tangents with respect to the parameter alone.
pub fn tangent_names(plan: &Plan, func: &Function, names: &mut crate::names::Names) -> Names {
    let x = &func.params[plan.param].ident;
    let ir = &plan.forward;
    (
        ir.values.map(|v| v.active.then(|| code::partial_name(&v.name, x, names))),
        ir.slots.map(|s| s.active.then(|| code::partial_name(&s.name, x, names))),
    )
}

/// Names per value and per slot.
type Names = (IdVec<ValueId, Option<Ident>>, IdVec<SlotId, Option<Ident>>);

/// The same function with only the parameters `keep` accepts active.
fn restrict(ir: &Ir, func: &Function, keep: impl Fn(usize) -> bool) -> Option<Ir> {
    let mut ir = ir.clone();
    let kept = |i: usize| func.params[i].active && keep(i);
    for v in ir.values.values_mut() {
        v.active = false;
    }
    for (i, p) in func.params.iter().enumerate() {
        // A tuple's elements are its parameters.
        for e in std::iter::once(&p.ident).chain(&p.elements) {
            if let Some(v) = ir.param(e) {
                ir.values[v].active = kept(i);
            }
        }
    }
    for s in ir.slots.values_mut() {
        s.active = s.param.is_some_and(kept);
    }
    // So are a struct's fields.
    for f in ir.fields.clone() {
        match f.place {
            FieldPlace::Array(s) => ir.slots[s].active = kept(f.param),
            FieldPlace::Scalar(v) => ir.values[v].active = kept(f.param),
        }
    }
    // Fewer active parameters cannot make a new error; an error would only mean this plan
    // does not apply.
    activity::analyse(&mut ir).ok()?;
    Some(ir)
}

/// Marks the values that a statement inside a loop reads.
fn reads_in_loops(ir: &Ir, read: &mut IdVec<ValueId, bool>) {
    crate::ir::walk(&ir.body, &mut |stmt, nest| {
        let mut mark = |o: &Operand| {
            if let (Some(v), true) = (o.value(), nest.loops > 0) {
                read[v] = true;
            }
        };
        match stmt {
            Stmt::Def(v) => match &ir.values[*v].op {
                Op::Opaque { args, .. } | Op::Prim { args, .. } | Op::Call { args, .. } => args.iter().for_each(mark),
                Op::Index { index, .. } => mark(index),
                Op::Param | Op::LoopVar | Op::Read(_) | Op::Len(_) | Op::Count | Op::Snapshot(_) => {}
            },
            Stmt::Set { value, .. } => mark(value),
            Stmt::Write { index, value, .. } => {
                mark(index);
                mark(value);
            }
            Stmt::If { cond: test, .. } | Stmt::While { test, .. } => mark(test),
            Stmt::Declare(_) | Stmt::For { .. } | Stmt::Break | Stmt::Continue => {}
        }
    });
}
