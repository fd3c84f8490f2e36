//! Calls made again in the adjoint sweep instead of keeping their pullbacks.
//!
//! A call that reads arrays keeps, for its pullback, a closure holding whatever its own
//! adjoint needs (its loops' histories, its captured rows): one closure per call, pushed on a
//! stack in a loop and popped in the adjoint.
//! When every argument is still there in the adjoint sweep (slices the caller borrows,
//! which nothing can write, and values the plan keeps anyway), the call can instead run
//! plainly in the primal sweep, for its value alone, and be made again through its
//! `pullback` right where its adjoint runs: Tapenade's *joint* mode for calls. The closure is
//! then made and called in one place, so the optimiser sees the callee's adjoint as code of
//! the caller's own (the re-run's value is unused and goes), and nothing is stored per call.
//! The price is the callee's primal once more, never more than the caller's own primal, which
//! is why this applies only to calls that read arrays (a closure over a few floats is
//! cheaper to keep than its callee to re-run) and to calls without results in arrays or
//! outputs lent (which would be written twice).
//!
//! A call of the function itself re-runs when it is in a loop: a recursion that branches
//! (`det` by expansion in minors) would otherwise keep a boxed pullback for every call of its
//! tree (10⁸ at ℓ = 11), where re-running keeps one path of it and costs the tree's depth,
//! at most the logarithm of its size, in primal runs. The index lists such a recursion edits
//! and restores (`&mut [usize]` parameters) are pushed before the call and popped for its
//! re-run, as they were. A recursion that does not branch keeps its boxed pullbacks:
//! re-running it would cost its depth times its primal.

use super::Plan;
use crate::ir::{Access, IdVec, Ir, Op, Operand, SlotKind, ValueId};
use proc_macro2::Span;
use syn::Ident;

/// An `&mut [usize]` parameter lent to a re-run recursive call: the stack of its elements
/// at each call, its length (taken before the closure, which cannot borrow it), and the
/// popped elements' name in the adjoint sweep.
pub(super) struct LentIndexes {
    pub param: Ident,
    pub stack: Ident,
    pub len: Ident,
    pub popped: Ident,
}

impl Plan<'_> {
    /// Which calls re-run in the adjoint sweep (see the module doc).
    pub(super) fn plan_reruns(&mut self) {
        let ir = self.ir;
        self.reruns = IdVec::filled(ir.values.len(), false);
        for (v, value) in ir.values.iter() {
            let Op::Call { func, args, plain: false, result: None, .. } = &value.op else { continue };
            if value.op.deferred() {
                continue;
            }
            if self.func.calls_itself(func) {
                let tree = value.depth.loops > 0;
                let again = |a: &Operand| available(ir, a) || passed_on(ir, a) || index_list(ir, a).is_some();
                if tree && args.iter().all(again) {
                    self.reruns[v] = true;
                    self.lend_indexes(v, args);
                }
                continue;
            }
            self.reruns[v] = args.iter().any(|a| borrowed(ir, a)) && args.iter().all(|a| available(ir, a));
        }
    }

    /// Names the stacks of the index lists re-run call `v` is lent.
    fn lend_indexes(&mut self, v: ValueId, args: &[Operand]) {
        for (i, a) in args.iter().enumerate() {
            let Some(param) = index_list(self.ir, a) else { continue };
            let base = param.to_string();
            let names = &mut *self.names;
            let mut fresh = |what: &str| names.fresh(&format!("__{base}_{what}"), Span::call_site());
            let (stack, len, popped) = (fresh("at_calls"), fresh("len"), fresh("at_call"));
            self.lent_indexes.insert((v, i), LentIndexes { param, stack, len, popped });
        }
    }

    /// Whether call `v`'s pullback is made in the adjoint sweep: a deferred call (from its
    /// copies) or one that re-runs.
    pub(super) fn deferred(&self, v: ValueId) -> bool {
        self.ir.values[v].op.deferred() || self.reruns[v]
    }
}

/// A slice parameter passed on by name (`f(a, ..)` with `a: &[F]`): the same in the adjoint
/// sweep.
fn passed_on(ir: &Ir, a: &Operand) -> bool {
    match a {
        Operand::Array { slot, access: Access::Name, part: None } => {
            matches!(ir.slots[*slot].kind, SlotKind::ArrayParam { by_value: false })
        }
        _ => false,
    }
}

/// The parameter an argument is, when it is an `&mut [usize]` parameter.
fn index_list(ir: &Ir, a: &Operand) -> Option<Ident> {
    let Operand::Value(x) = a else { return None };
    let value = &ir.values[*x];
    let Some(syn::Type::Reference(r)) = &value.ty else { return None };
    let syn::Type::Slice(s) = &*r.elem else { return None };
    let syn::Type::Path(p) = &*s.elem else { return None };
    (value.is_mutable_param() && p.path.is_ident("usize")).then(|| value.name.clone())
}

/// A slice the caller borrows, lent for reading: the same in the adjoint sweep.
fn borrowed(ir: &Ir, a: &Operand) -> bool {
    match a {
        Operand::Array { slot, access: Access::Shared, .. } => {
            matches!(ir.slots[*slot].kind, SlotKind::ArrayParam { by_value: false })
        }
        _ => false,
    }
}

/// An argument the adjoint sweep can pass again: a borrowed slice, a value (the plan keeps
/// it), a constant; not an `&mut` parameter (its elements may have changed) nor a struct.
fn available(ir: &Ir, a: &Operand) -> bool {
    match a {
        Operand::Array { .. } => borrowed(ir, a),
        Operand::Value(x) => !ir.values[*x].is_mutable_param(),
        Operand::Tuple(items) => items.iter().all(|i| available(ir, i)),
        Operand::Constant(_) => true,
        Operand::Struct { .. } => false,
    }
}
