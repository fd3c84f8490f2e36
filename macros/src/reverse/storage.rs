//! Where each value the adjoint sweep needs is kept: captured by the closure, hoisted out of
//! a branch, recomputed in the adjoint loop (integer work, reads of parameters, cheap
//! arithmetic, reads `reread` makes again), or pushed on a stack; and the copies deferred
//! calls take, restored into their arrays (`restorable`) or read through per-iteration
//! snapshots (`reread`).

use super::{Plan, Storage, reread};
use crate::ir::{Op, Operand, SlotId, SlotKind, Stmt, ValueId};
use std::collections::HashSet;
use syn::Ident;

impl Plan<'_> {
    /// Storage for each needed value; recomputing a value needs its arguments in turn.
    pub(super) fn choose_storage(&mut self) {
        let values = &self.ir.values;
        loop {
            let mut changed = false;
            for (v, value) in values.iter() {
                if !self.needed[v] || value.depth.loops == 0 || !self.recomputable(v) {
                    continue;
                }
                for a in self.args(v) {
                    if !self.needed[a] {
                        self.needed[a] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        for (v, value) in values.iter() {
            self.storage[v] = if !self.needed[v] || matches!(value.op, Op::Param | Op::LoopVar) {
                Storage::Captured
            } else if value.depth.loops > 0 && self.recomputable(v) {
                Storage::Recompute
            } else if value.depth.loops > 0 {
                Storage::Stack
            } else if value.depth.branches > 0 {
                Storage::Hoisted
            } else {
                Storage::Captured
            };
            let base = value.name.to_string();
            let base = base.trim_start_matches('_');
            // A deferred call's pullback is made where it is used.
            if self.pullback_needed[v] && !self.deferred(v) {
                let suffix = if value.depth.loops > 0 { "pullbacks" } else { "pullback" };
                self.pullbacks[v] = Some(self.names.fresh(&format!("__{base}_{suffix}"), value.name.span()));
                if value.depth.loops > 0 {
                    self.popped[v] = Some(self.names.fresh(&format!("__{base}_pullback"), value.name.span()));
                }
            }
            if self.storage[v] == Storage::Stack {
                self.stacks[v] = Some(self.names.fresh(&format!("__{base}_stack"), value.name.span()));
            }
        }
    }

    pub(super) fn args(&self, v: ValueId) -> Vec<ValueId> {
        match &self.ir.values[v].op {
            Op::Opaque { args, .. } | Op::Prim { args, .. } | Op::Call { args, .. } => {
                args.iter().flat_map(Operand::values).collect()
            }
            Op::Index { index, .. } => index.value().into_iter().collect(),
            _ => Vec::new(),
        }
    }

    /// Cheap and pure given values the adjoint loop already has: index arithmetic, lengths,
    /// reads of parameters (which nothing overwrites), one arithmetic operation on those.
    pub(super) fn recomputable(&self, v: ValueId) -> bool {
        let value = &self.ir.values[v];
        let pure = match &value.op {
            // Not over an array that changes (the copy a deferred call takes, a constant
            // `&mut` parameter the body writes).
            Op::Opaque { args, .. } => {
                args.iter()
                    .filter_map(Operand::slot)
                    .all(|s| matches!(self.ir.slots[s].kind, SlotKind::ArrayParam { by_value: false }))
                    && !args.iter().filter_map(Operand::value).any(|a| self.ir.values[a].is_mutable_param())
            }
            // The closure must not borrow a `&mut` output (its lifetime is not captured):
            // its length is kept instead.
            Op::Len(s) => !matches!(self.ir.slots[*s].kind, SlotKind::OutParam),
            // Inactive arithmetic (`j * n + i`) is integer or constant work; one add, subtract
            // or multiply of values at hand (`t[i] - o[i]`) is cheaper than a push and a pop.
            Op::Prim { rule, .. } => !value.active || rule.facts.cheap,
            Op::Index { slot, .. } => {
                matches!(self.ir.slots[*slot].kind, SlotKind::ArrayParam { .. }) || self.rereads.of.contains_key(&v)
            }
            _ => false,
        };
        let index = matches!(value.op, Op::Index { .. });
        pure && self.args(v).into_iter().all(|a| {
            let arg = &self.ir.values[a];
            arg.depth.loops == 0 || matches!(arg.op, Op::LoopVar) || (a < v && self.recomputable(a))
                // An index the adjoint sweep keeps anyway (for its own `da[i] += ..`) is back
                // before the read is made again.
                || (index && self.needed[a])
        })
    }

    /// The copies of local arrays that deferred calls in loops take, and that can go back
    /// into the array for the call's pullback instead (`restored`): of an array declared at
    /// the top of the function (the closure owns it), lent for reading. Nothing in the
    /// adjoint sweep reads the array afterwards but other such calls, which restore their
    /// own copies first: reads the adjoint makes from the array itself (see `reread`) come
    /// after its last write, so their adjoints run before any restore.
    pub(super) fn restorable(&mut self) {
        let top: HashSet<SlotId> =
            self.ir.body.iter().filter_map(|s| if let Stmt::Declare(s) = s { Some(*s) } else { None }).collect();
        for value in self.ir.values.values() {
            let Op::Call { args, snapshots, .. } = &value.op else { continue };
            for (a, copy) in args.iter().zip(snapshots) {
                let (Some(c), Operand::Array { slot, access: crate::ir::Access::Shared, .. }) = (copy, a) else {
                    continue;
                };
                let local = matches!(self.ir.slots[*slot].kind, SlotKind::Array { .. }) && top.contains(slot);
                if local && self.storage[*c] == Storage::Stack && self.ir.slots[*slot].holds_floats() {
                    self.restored.insert(*c);
                }
            }
        }
    }

    /// The copies of active `&mut` parameters that deferred calls in loops take for reading
    /// (`sliced`): pushed onto a float stack rather than each a `Vec` of its own, and popped
    /// as a slice of it. Of an active parameter only: its floats are of the float type.
    pub(super) fn sliceable(&mut self) {
        for value in self.ir.values.values() {
            let Op::Call { args, snapshots, .. } = &value.op else { continue };
            for (a, copy) in args.iter().zip(snapshots) {
                let (Some(c), Operand::Array { slot, access: crate::ir::Access::Shared, .. }) = (copy, a) else {
                    continue;
                };
                let out = matches!(self.ir.slots[*slot].kind, SlotKind::OutParam);
                let stacked = self.storage[*c] == Storage::Stack && !self.restored.contains(c);
                if out && stacked && self.slot_derivs[*slot].is_some() && !self.sliced.contains_key(c) {
                    let name = &self.ir.slots[*slot].name;
                    let len = self.names.fresh(&format!("__{name}_len"), name.span());
                    self.sliced.insert(*c, len);
                }
            }
        }
    }

    /// The copies of local `Vec`s lent to be written to a function called by name (a
    /// method's protocol has no `OVERWRITES`), which the callee may say it does not need.
    pub(super) fn overwrites(&mut self) {
        for value in self.ir.values.values() {
            let Op::Call { func, args, snapshots, .. } = &value.op else { continue };
            if crate::code::is_method_path(func) || crate::code::receiver_method(func).is_some() {
                continue;
            }
            for (i, (a, copy)) in args.iter().zip(snapshots).enumerate() {
                let (Some(c), Operand::Array { slot, access: crate::ir::Access::Mutable, .. }) = (copy, a) else {
                    continue;
                };
                let slot = &self.ir.slots[*slot];
                if matches!(slot.kind, SlotKind::Array { vec: true, .. }) && slot.holds_floats() && self.needed[*c] {
                    let base = slot.name.to_string();
                    let scratch =
                        self.names.fresh(&format!("__{}_scratch", base.trim_start_matches('_')), slot.name.span());
                    self.overwritable.insert(*c, (func.clone(), i, scratch));
                }
            }
        }
    }

    /// Names the snapshots that recomputed reads use (see `reread`).
    pub(super) fn name_snapshots(&mut self) {
        for v in self.ir.values.keys() {
            let Some(&reread::Reread::Snapshot(k)) = self.rereads.of.get(&v) else { continue };
            if self.storage[v] != Storage::Recompute || self.snapshot_names.contains_key(&k) {
                continue;
            }
            let slot = &self.ir.slots[self.rereads.snapshots[k].slot];
            let base = slot.name.to_string();
            let base = base.trim_start_matches('_');
            let stack = self.names.fresh(&format!("__{base}_snapshots"), slot.name.span());
            let copy = self.names.fresh(&format!("__{base}_snapshot"), slot.name.span());
            self.snapshot_names.insert(k, (stack, copy));
        }
    }

    /// The copy a recomputed read goes through, if it is made from a snapshot.
    pub(super) fn snapshot_of(&self, v: ValueId) -> Option<&Ident> {
        match self.rereads.of.get(&v)? {
            reread::Reread::Snapshot(k) => self.snapshot_names.get(k).map(|(_, copy)| copy),
            reread::Reread::Array => None,
        }
    }
}
