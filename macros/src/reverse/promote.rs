//! Adjoint elements a loop accumulates into at one index it does not change, kept in a
//! scalar for the length of the loop.
//!
//! The adjoint of `qx[row] += l[idx] * xcentered[col]` in a loop over `row` adds into
//! `dxcentered[col]` every iteration. Through memory, that is a chain of dependent loads and
//! stores the compiler cannot break: it cannot prove that `dxcentered` and the loop's other
//! arrays do not overlap. A hand-written gradient sums into a local; so does the adjoint
//! loop: `let mut acc = dxcentered[col]; for row in .. { acc += ..; } dxcentered[col] = acc;`.
//! This is only right when nothing else in the loop touches the array's adjoint: every
//! access to it in the loop (reads, writes, nested loops included) is at that one index,
//! and no call is lent the array.

use crate::ir::{Block, Ir, Op, Operand, SlotId, Stmt, ValueId};
use std::collections::{BTreeMap, HashSet};

/// The slots of `for var in .. { body }` whose every access is at one index the loop does
/// not change, with that index; `active(s)`: whether slot `s` has an adjoint.
pub(super) fn invariant_elements(
    ir: &Ir,
    var: ValueId,
    body: &Block,
    active: &dyn Fn(SlotId) -> bool,
) -> Vec<(SlotId, Operand)> {
    let mut inside = HashSet::from([var]);
    crate::ir::walk(body, &mut |stmt, _| match stmt {
        Stmt::Def(v) => {
            inside.insert(*v);
        }
        Stmt::For { var, count, .. } => inside.extend(std::iter::once(*var).chain(*count)),
        Stmt::While { count, .. } => {
            inside.insert(*count);
        }
        _ => {}
    });
    // Per slot: its one index, or `None` once it is touched any other way.
    let mut access: BTreeMap<SlotId, Option<Operand>> = BTreeMap::new();
    let mut record = |slot: SlotId, index: Option<&Operand>| {
        let invariant = index.filter(|i| match i {
            Operand::Value(v) => !inside.contains(v),
            Operand::Constant(_) => true,
            _ => false,
        });
        let entry = access.entry(slot).or_insert_with(|| invariant.cloned());
        if entry.as_ref().zip(invariant).is_none_or(|(a, b)| !a.same_scalar(b)) {
            *entry = None;
        }
    };
    crate::ir::walk(body, &mut |stmt, _| match stmt {
        Stmt::Def(v) => match &ir.values[*v].op {
            Op::Index { slot, index } => record(*slot, Some(index)),
            op => {
                for s in touched(op) {
                    record(s, None);
                }
            }
        },
        Stmt::Write { slot, index, .. } => record(*slot, Some(index)),
        Stmt::Declare(s) => record(*s, None),
        _ => {}
    });
    access.into_iter().filter(|(s, _)| active(*s)).filter_map(|(s, i)| Some((s, i?))).collect()
}

/// The arrays an operation other than an element read touches: whatever it is given whole or
/// in part, a call's result, an array copied or measured.
pub(super) fn touched(op: &Op) -> Vec<SlotId> {
    match op {
        Op::Call { args, result, .. } => args.iter().filter_map(Operand::slot).chain(*result).collect(),
        Op::Opaque { args, .. } | Op::Prim { args, .. } => args.iter().filter_map(Operand::slot).collect(),
        Op::Snapshot(s) | Op::Len(s) => vec![*s],
        _ => Vec::new(),
    }
}
