//! One sweep instead of two, where `f_vjp` knows the seed before the primal runs.
//!
//! `s += 100.0 * a * a + b * b` in a loop over `i`, then `s` returned: the pullback runs the
//! loop forwards, then its adjoint backwards, reading `x[i]` and recomputing `a` and `b` a
//! second time. The adjoint of `s` is the seed all along (each `s += e` passes it on
//! unchanged), and nothing else in the loop's adjoint depends on an iteration before or
//! after: each iteration's adjoint only adds into the adjoints of what it read. So once the
//! seed is known, each iteration's adjoint can run right after its primal, while its values
//! are still in registers, which is how a gradient is written by hand. `f_vjp` knows the seed
//! when it is called, so it runs that one sweep (`Render::fused_closure`); a caller's
//! pullback, which learns its seed later, keeps the two.
//!
//! The last loop at the top of the function qualifies when
//! - everything after it is values the adjoint does not read (`s`, `s * 0.5`), or that
//!   depend on nothing the loop computes (`x.len() as f64` in `s / x.len() as f64`, computed
//!   before it too): the adjoints of the loop's results follow from the seed and what is
//!   known before the loop, so they are known before it runs;
//! - every scalar from outside the loop that it assigns is an accumulator, `s = s + e` (or
//!   `e + s`, `s - e`) with `s`'s read used only there: its adjoint is the same before and
//!   after each iteration. It writes no array, has no `break`, `continue`, or `while`, and
//!   keeps nothing for its adjoint (no stack, no history): what its adjoint reads is
//!   recomputed from what the iteration has just computed, never from a scalar it assigns. It
//!   may call functions that return one value and write nothing: each call's pullback is
//!   pushed and popped within its iteration (or, for a call that reads borrowed slices, made
//!   again there, `rerun`).
//!
//! The adjoints then receive their contributions in another order (iteration 0's first), so
//! a fused gradient may differ from the pullback's in the last bits.

use super::adjoint::Heading;
use super::{Plan, Render, Storage};
use crate::code;
use crate::ir::{Block, Ir, Op, Operand, Output, SlotId, SlotKind, Stmt, ValueId};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashSet;

impl Plan<'_> {
    /// The position of the top-level loop that `f_vjp` runs together with its adjoint, if
    /// one qualifies (see the module doc).
    pub(super) fn fusable(&self) -> Option<usize> {
        let ir = self.ir;
        let plain_output = matches!(ir.output, Output::Scalar(_) | Output::Tuple(_));
        if self.tangent.is_some() || self.func.method || !plain_output {
            return None;
        }
        let body = &ir.body;
        let at = body.iter().rposition(|s| matches!(s, Stmt::For { .. }))?;
        let Stmt::For { body: looped, count: None, .. } = &body[at] else { return None };
        let early = self.early(at);
        let after_unread = body[at + 1..].iter().all(|s| match s {
            Stmt::Def(v) => {
                let plain = matches!(ir.values[*v].op, Op::Prim { .. } | Op::Opaque { .. } | Op::Read(_) | Op::Len(_));
                plain && (!self.needed[*v] || early.contains(v))
            }
            _ => false,
        });
        (after_unread && self.fusable_loop(looped)).then_some(at)
    }

    /// The values after the loop at `at` that depend on nothing it computes (`x.len() as
    /// f64`): they can be computed before it, for the adjoint of what follows the loop, which
    /// the fused loop needs first.
    pub(super) fn early(&self, at: usize) -> HashSet<ValueId> {
        let (ir, body) = (self.ir, &self.ir.body);
        let mut known: HashSet<ValueId> =
            body[..at].iter().filter_map(|s| if let Stmt::Def(v) = s { Some(*v) } else { None }).collect();
        let mut early = HashSet::new();
        for stmt in &body[at + 1..] {
            let Stmt::Def(v) = stmt else { continue };
            let args = match &ir.values[*v].op {
                Op::Prim { args, .. } | Op::Opaque { args, .. } => args.as_slice(),
                Op::Len(_) => &[],
                _ => continue,
            };
            let at_hand = |a: &Operand| match a {
                Operand::Value(a) => known.contains(a) || matches!(ir.values[*a].op, Op::Param),
                Operand::Constant(_) | Operand::Array { .. } => true,
                _ => false,
            };
            if args.iter().all(at_hand) {
                known.insert(*v);
                early.insert(*v);
            }
        }
        early
    }

    /// Whether a loop's body keeps nothing, writes no array, and assigns only its own
    /// scalars and accumulators.
    fn fusable_loop(&self, looped: &Block) -> bool {
        let ir = self.ir;
        let mut declared: HashSet<SlotId> = HashSet::new();
        let mut assigned: Vec<(SlotId, Operand)> = Vec::new();
        let mut ok = true;
        crate::ir::walk(looped, &mut |stmt, _| match stmt {
            Stmt::Def(v) => ok &= self.fusable_value(*v),
            Stmt::Declare(s) => {
                ok &= matches!(ir.slots[*s].kind, SlotKind::Scalar { .. });
                declared.insert(*s);
            }
            Stmt::Set { slot, value } => assigned.push((*slot, value.clone())),
            Stmt::If { .. } => {}
            Stmt::For { count, .. } => ok &= count.is_none(),
            Stmt::Write { .. } | Stmt::While { .. } | Stmt::Break | Stmt::Continue => ok = false,
        });
        let accumulating = assigned.iter().all(|(s, value)| declared.contains(s) || accumulates(ir, *s, value));
        ok && accumulating
    }

    /// A value of the loop that its adjoint can read without anything kept for it. A read
    /// of a scalar is never recomputed (`Plan::recomputable`): one the adjoint needs is kept,
    /// so refused here, and no recomputed value reads a scalar the iteration has since
    /// assigned.
    fn fusable_value(&self, v: ValueId) -> bool {
        let op_ok = match &self.ir.values[v].op {
            Op::Prim { .. } | Op::Opaque { .. } | Op::Index { .. } | Op::Read(_) | Op::Len(_) | Op::LoopVar => true,
            // A call that returns one value and writes nothing: its pullback is pushed and
            // popped in the same iteration, or made again there.
            op @ Op::Call { func, args, result: None, .. } => {
                let writes = |a: &Operand| {
                    matches!(a, Operand::Array { access: crate::ir::Access::Mutable, .. } | Operand::Struct { .. })
                };
                !op.deferred() && !self.func.calls_itself(func) && !args.iter().any(writes)
            }
            _ => false,
        };
        op_ok
            && matches!(self.storage[v], Storage::Captured | Storage::Recompute)
            && self.stacks[v].is_none()
            && !self.choices.contains_key(&v)
            && self.snapshot_of(v).is_none()
    }
}

/// Whether `slot = value` is `slot = slot + e` (or `e + slot`, `slot - e`), the read of
/// `slot` and the sum each used once.
fn accumulates(ir: &Ir, slot: SlotId, value: &Operand) -> bool {
    let Some(w) = value.value() else { return false };
    let Op::Prim { rule, args, .. } = &ir.values[w].op else { return false };
    let read = |o: &Operand| o.value().filter(|r| matches!(ir.values[*r].op, Op::Read(s) if s == slot));
    let r = match args.as_slice() {
        [a, b] if rule.is_add() => read(a).or_else(|| read(b)),
        [a, _] if rule.is_sub() => read(a),
        _ => None,
    };
    r.is_some_and(|r| occurrences(ir, r) == 1 && occurrences(ir, w) == 1)
}

/// How many times value `v` is an operand anywhere in the function.
fn occurrences(ir: &Ir, v: ValueId) -> usize {
    fn count(o: &Operand, v: ValueId) -> usize {
        match o {
            Operand::Value(x) => usize::from(*x == v),
            Operand::Tuple(items) => items.iter().map(|i| count(i, v)).sum(),
            Operand::Array { part: Some(p), .. } => count(&p.start, v) + p.end.as_ref().map_or(0, |e| count(e, v)),
            _ => 0,
        }
    }
    let mut n = 0;
    for value in ir.values.values() {
        n += match &value.op {
            Op::Opaque { args, .. } | Op::Prim { args, .. } | Op::Call { args, .. } => {
                args.iter().map(|a| count(a, v)).sum()
            }
            Op::Index { index, .. } => count(index, v),
            _ => 0,
        };
    }
    for slot in ir.slots.values() {
        n += match &slot.kind {
            SlotKind::Scalar { init } => count(init, v),
            SlotKind::Array { init, len, .. } => count(init, v) + count(len, v),
            _ => 0,
        };
    }
    crate::ir::walk(&ir.body, &mut |stmt, _| {
        n += match stmt {
            Stmt::Set { value, .. } => count(value, v),
            Stmt::Write { index, value, .. } => count(index, v) + count(value, v),
            Stmt::If { cond, .. } => count(cond, v),
            Stmt::For { iter, .. } => {
                let steps: usize = iter
                    .adapters
                    .iter()
                    .map(|a| match a {
                        crate::ir::Adapter::StepBy(s) => count(s, v),
                        crate::ir::Adapter::Rev => 0,
                    })
                    .sum();
                count(&iter.start, v) + count(&iter.end, v) + steps
            }
            Stmt::While { test, .. } => count(test, v),
            _ => 0,
        };
    });
    n += match &ir.output {
        Output::Scalar(o) => count(o, v),
        Output::Tuple(items) => items.iter().map(|o| count(o, v)).sum(),
        _ => 0,
    };
    n
}

impl Render<'_, '_> {
    /// `f_vjp`'s closure: the primal sweep and the adjoint in one, the loop at `at` running
    /// each iteration's adjoint right after it (see the module doc). It takes the seed and
    /// the shadows as the pullback's closure does, and returns the value with the gradients.
    pub(super) fn fused_closure(&mut self, at: usize) -> TokenStream {
        let (plan, ir) = (self.plan, self.plan.ir);
        let body = &ir.body;
        let Heading { signature, head, tail } = self.heading();
        let before = plan.primal_stmts(body, 0..at);
        let prologue = self.block_prologue(body);
        // What the adjoint of the statements after the loop reads of them, computed first.
        let early = plan.early(at);
        let mut adjoint_after = TokenStream::new();
        for stmt in &body[at + 1..] {
            if let Stmt::Def(v) = stmt
                && early.contains(v)
            {
                adjoint_after.extend(plan.primal_stmts_of(std::slice::from_ref(stmt)));
            }
        }
        for stmt in body[at + 1..].iter().rev() {
            adjoint_after.extend(self.adjoint_stmt(stmt));
        }
        let Stmt::For { var, iter, body: looped, .. } = &body[at] else { unreachable!("a fusable loop") };
        let the_loop = self.fused_for(*var, iter, looped);
        let after = plan.primal_stmts(body, at + 1..body.len());
        let mut adjoint_before = TokenStream::new();
        for stmt in body[..at].iter().rev() {
            adjoint_before.extend(self.adjoint_stmt(stmt));
        }
        let (grads, fields, output) = (self.gradients(), self.field_gradients(), ir.output_tokens());
        quote!(#signature {
            #before
            #head
            #prologue
            #adjoint_after
            #the_loop
            #after
            #adjoint_before
            #fields
            #tail
            (#output, (#(#grads,)*))
        })
    }

    /// `for var in iter { primal; adjoint }`, through the rows both sweeps take and sliding
    /// forwards over the adjoint's windows.
    fn fused_for(&mut self, var: ValueId, iter: &crate::ir::Iter, looped: &Block) -> TokenStream {
        let plan = self.plan;
        let (ir, float) = (plan.ir, plan.float());
        // Each iteration pops the pullbacks it pushed: room for one each.
        let reserve = plan.reserve(looped, &quote!((0..1)));
        let primal = plan.primal_block(looped);
        let (adjoint, kept) = self.adjoint_body(var, looped);
        let name = &ir.values[var].name;
        let both = quote!(#primal #adjoint);
        let mut the_loop = match plan.adjoint_views.get(&var) {
            Some(views) => views.around(ir, float, self.sliding(views, iter, name, both, true)),
            None => {
                let code_iter = code::iter(ir, iter);
                quote!(for #name in #code_iter { #both })
            }
        };
        if let Some(views) = plan.sweep_views.get(&var) {
            the_loop = views.around(ir, float, the_loop);
        }
        let the_loop = self.kept_around(&kept, iter, the_loop);
        quote!(#reserve #the_loop)
    }
}
