//! The names the adjoint sweep binds, and the rows its loops read through, chosen while
//! planning, so that rendering only reads the plan: the seeds, the bindings of each call's
//! gradient slots, the scratch buffers of an array lent twice, and each adjoint loop's rows
//! (see `views`). They are chosen in the order the adjoint sweep renders (the seeds, then
//! the statements backwards), so the names are those it would choose itself.

use super::{Plan, Storage};
use crate::ir::{Block, Op, Output, SlotId, Stmt, ValueId};
use crate::views;
use proc_macro2::Span;
use std::collections::HashSet;
use syn::Ident;

impl Plan<'_> {
    pub(super) fn name_adjoint(&mut self) {
        self.name_seeds();

        let ir = self.ir;
        self.name_block(&ir.body);
    }

    /// One seed per result: none for a scalar result that is one value's only use (its
    /// adjoint is the seed), a constant one unless mixed mode needs it.
    fn name_seeds(&mut self) {
        let ir = self.ir;
        let named = self.tangent.is_some();
        let count = match &ir.output {
            Output::Scalar(o) => match ir.active(o) {
                Some(o) if self.uses[o] == 1 => 0,
                Some(_) => 1,
                None => usize::from(named),
            },
            Output::Tuple(items) => {
                for i in 0..items.len() {
                    let seed = self.names.fresh(&format!("seed{i}"), Span::call_site());
                    self.seeds.push(seed);
                }
                return;
            }
            Output::Array(s) => usize::from(self.slot_derivs[*s].is_some()),
            Output::Unit => 0,
        };
        for _ in 0..count {
            let seed = self.names.fresh("seed", Span::call_site());
            self.seeds.push(seed);
        }
    }

    fn name_block(&mut self, block: &Block) {
        for stmt in block.iter().rev() {
            match stmt {
                Stmt::Def(v) => self.name_call(*v),
                Stmt::If { then, els, .. } => {
                    self.name_block(then);
                    self.name_block(els);
                }
                Stmt::For { var, iter, body, count } => {
                    if count.is_none() {
                        self.plan_rows(*var, iter, body);
                        self.plan_promotions(*var, body);
                    }
                    self.name_block(body);
                }
                Stmt::While { body, .. } => self.name_block(body),
                _ => {}
            }
        }
    }

    /// A call's gradient slots that the adjoint binds (active scalars and active arrays),
    /// and a scratch shadow for each array lent a second time.
    fn name_call(&mut self, v: ValueId) {
        let ir = self.ir;
        let value = &ir.values[v];
        let Op::Call { args, .. } = &value.op else { return };
        if !value.active || !self.pullback_needed[v] {
            return;
        }
        let d = self.derivs[v].clone().expect("active values have derivative names");
        let base = d.to_string();
        let base = base.trim_start_matches('_');
        let slots = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let used = self.active(a).is_some()
                    || a.slot().is_some_and(|s| self.slot_active(s))
                    || matches!(a, crate::ir::Operand::Tuple(_) if !self.tuple_active(a).is_empty());
                used.then(|| self.names.fresh(&format!("__{base}_{i}"), Span::call_site()))
            })
            .collect();
        self.call_slots.insert(v, slots);
        let mut lent: HashSet<SlotId> = HashSet::new();
        // Struct arguments by (parameter, field path): one that overlaps an earlier one (the
        // struct and one of its fields) cannot lend the same shadow again.
        let mut structs: Vec<(usize, &[Ident])> = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if let crate::ir::Operand::Struct { param, path, .. } = a
                && overlaps(&mut structs, *param, path)
            {
                let scratch = self.names.fresh(&format!("__{base}_scratch{i}"), Span::call_site());
                self.scratch.insert((v, i), scratch);
            }
            if let Some(s) = a.slot()
                && self.slot_derivs[s].is_some()
                && !lent.insert(s)
            {
                let scratch = self.names.fresh(&format!("__{base}_scratch{i}"), Span::call_site());
                self.scratch.insert((v, i), scratch);
            }
            // An array of floats the caller does not differentiate still takes a shadow.
            if let Some(s) = a.slot()
                && self.slot_derivs[s].is_none()
                && ir.slots[s].holds_floats()
            {
                let discard = self.names.fresh(&format!("__{base}_discard{i}"), Span::call_site());
                self.discards.insert((v, i), discard);
            }
        }
    }

    /// The adjoint elements an adjoint loop accumulates in scalars (see `promote`). A loop
    /// inside one that keeps the element already leaves it to that one.
    fn plan_promotions(&mut self, var: ValueId, body: &Block) {
        let slot_derivs = self.slot_derivs;
        let elements = super::promote::invariant_elements(self.ir, var, body, &|s| slot_derivs[s].is_some());
        let mut kept = Vec::new();
        for (slot, index) in elements {
            let base = self.slot_derivs[slot].as_ref().expect("an adjoint").to_string();
            let acc = self.names.fresh(&format!("__{}_acc", base.trim_start_matches('_')), Span::call_site());
            kept.push((slot, index, acc));
        }
        if !kept.is_empty() {
            self.promoted.insert(var, kept);
        }
    }

    /// The rows an adjoint loop reads and writes through (see `views`).
    fn plan_rows(&mut self, var: ValueId, iter: &crate::ir::Iter, body: &Block) {
        let (storage, slot_derivs) = (&self.storage, self.slot_derivs);
        let recomputed = |v: ValueId| storage[v] == Storage::Recompute;
        let derivative = |s: SlotId| slot_derivs[s].clone();
        let Some(views) = views::plan(self.ir, var, iter, body, &recomputed, &derivative, self.names) else {
            return;
        };
        for (v, row) in &views.primal {
            self.primal_rows.insert(*v, (row.clone(), views.local.clone()));
        }
        for (v, row) in &views.adjoint {
            self.adjoint_rows.insert(*v, (row.clone(), views.local.clone()));
        }
        self.window_regs.extend(views.window_regs.iter().map(|(v, r)| (*v, r.clone())));
        self.adjoint_views.insert(var, views);
    }
}

/// Whether struct argument (`param`, `path`) overlaps one seen before (one path a prefix of the
/// other); records it.
fn overlaps<'a>(seen: &mut Vec<(usize, &'a [Ident])>, param: usize, path: &'a [Ident]) -> bool {
    let overlap = seen.iter().any(|(p, q)| *p == param && (q.starts_with(path) || path.starts_with(q)));
    seen.push((param, path));
    overlap
}
