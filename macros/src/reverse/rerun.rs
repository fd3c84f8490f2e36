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
//! outputs lent (which would be written twice). A call of the function itself keeps its boxed
//! pullback: re-running a recursion at every level would cost its depth times its primal.

use super::Plan;
use crate::ir::{Access, IdVec, Ir, Op, Operand, SlotKind, ValueId};

impl Plan<'_> {
    /// Which calls re-run in the adjoint sweep (see the module doc).
    pub(super) fn plan_reruns(&mut self) {
        let ir = self.ir;
        self.reruns = IdVec::filled(ir.values.len(), false);
        for (v, value) in ir.values.iter() {
            let Op::Call { func, args, plain: false, result: None, .. } = &value.op else { continue };
            if value.op.deferred() || self.func.calls_itself(func) {
                continue;
            }
            self.reruns[v] = args.iter().any(|a| borrowed(ir, a)) && args.iter().all(|a| available(ir, a));
        }
    }

    /// Whether call `v`'s pullback is made in the adjoint sweep: a deferred call (from its
    /// copies) or one that re-runs.
    pub(super) fn deferred(&self, v: ValueId) -> bool {
        self.ir.values[v].op.deferred() || self.reruns[v]
    }
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
