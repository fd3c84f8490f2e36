//! In-place increments of array elements, `a[i] += e` (lowered to `r = a[i]; w = r + e;
//! a[i] = w;`), whose adjoint leaves `da[i]` as it is and adds it to `e`'s.
//!
//! Written statement by statement, the adjoint takes `da[i]`, zeroes it for the write, and
//! adds the same amount back for the read. The compiler cannot always drop the zeroing store:
//! a store into another array between the two may, for all it knows, be to the same memory.
//! An accumulation into an array (`qx[row] += l[idx] * x[col]`) then costs a store more per
//! iteration than a hand-written gradient.
//!
//! The read and the write cancel only when nothing between them in the block writes `a`, and
//! when `r` and `w` are used nowhere else: then the write keeps `da[i]` and the read adds
//! nothing.

use super::Plan;
use crate::ir::{Block, Op, Operand, SlotId, Stmt, ValueId};

impl Plan<'_> {
    /// Finds the increments of the function, by their read: `increment_reads` holds each `r`,
    /// `increment_writes` each `w`.
    pub(super) fn increments(&mut self) {
        let ir = self.ir;
        let mut found = Vec::new();
        crate::ir::walk(&ir.body, &mut |stmt, _| {
            for b in stmt.blocks() {
                found.extend(self.increments_in(b));
            }
        });
        found.extend(self.increments_in(&ir.body));
        for (r, w) in found {
            self.increment_reads.insert(r);
            self.increment_writes.insert(w);
        }
    }

    /// The increments directly in one block, as (read, sum) pairs.
    fn increments_in(&self, block: &Block) -> Vec<(ValueId, ValueId)> {
        let mut out = Vec::new();
        for (p, stmt) in block.iter().enumerate() {
            let Stmt::Write { slot, index, value: Operand::Value(w) } = stmt else { continue };
            let Some(r) = self.incremented(*slot, index, *w) else { continue };
            let Some(q) = block.iter().position(|s| matches!(s, Stmt::Def(d) if *d == r)) else { continue };
            let between = &block[q + 1..p];
            if q < p && self.uses[r] == 1 && self.uses[*w] == 1 && !between.iter().any(|s| writes(self, s, *slot)) {
                out.push((r, *w));
            }
        }
        out
    }

    /// If `w` is `r + e`, `e + r` or `r - e` with `r` the element `slot[index]`: `r`.
    fn incremented(&self, slot: SlotId, index: &Operand, w: ValueId) -> Option<ValueId> {
        let Op::Prim { rule, args, .. } = &self.ir.values[w].op else { return None };
        let candidates: &[usize] = match rule.name {
            "+" if rule.is_add() => &[0, 1],
            "-" if args.len() == 2 => &[0],
            _ => return None,
        };
        let is_element = |a: &Operand| match a.value().map(|r| &self.ir.values[r].op) {
            Some(Op::Index { slot: s, index: i }) => *s == slot && i.same_scalar(index),
            _ => false,
        };
        let r = candidates.iter().map(|&k| &args[k]).find(|a| is_element(a))?.value()?;
        // `a[i] + a[i]`: the read has two uses, and is no increment.
        (args.iter().filter(|a| a.value() == Some(r)).count() == 1).then_some(r)
    }
}

/// Whether a statement (with what is nested in it) may write `slot`.
fn writes(plan: &Plan, stmt: &Stmt, slot: SlotId) -> bool {
    let mut found = false;
    let mut check = |s: &Stmt| match s {
        Stmt::Write { slot: w, .. } | Stmt::Declare(w) => found |= *w == slot,
        Stmt::Def(v) => found |= super::promote::touched(&plan.ir.values[*v].op).contains(&slot),
        _ => {}
    };
    check(stmt);
    for b in stmt.blocks() {
        crate::ir::walk(b, &mut |s, _| check(s));
    }
    found
}
