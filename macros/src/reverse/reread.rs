//! Reads of local arrays that the adjoint sweep makes again instead of keeping their values.
//!
//! A read `a[i]` in a loop whose value a partial derivative needs is, by default, pushed on a
//! stack per iteration: later iterations may overwrite `a[i]`. Two cases need no such
//! history:
//! - nothing can write `a` once the read has run (every write comes earlier, outside any loop
//!   around the read): the closure owns `a`, and the adjoint reads `a[i]` from it;
//! - within each iteration of a loop `L` around the read, every write of `a` comes before the
//!   statement of `L`'s body that holds the read: one copy of `a` per iteration of `L`, taken
//!   there, serves every read after it. GradBench's GMM writes `xcentered` once per point and
//!   component and reads it d²/2 times in the triangular product that follows: a copy of d
//!   floats instead of a history of d²/2.
//!
//! The outermost level that qualifies is taken (fewest copies). A copy is only worth its cost
//! when reads repeat within the iteration, so a snapshot level must hold the read in a loop
//! nested in its body.
//!
//! The first case applies to the copies deferred calls take too (`Op::Snapshot`): of an array
//! nothing writes once the call has run, the pullback reads the array itself, and no copy is
//! taken.

use crate::ir::{Block, BlockId, Ir, Op, Operand, SlotId, SlotKind, Stmt, ValueId};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Reread {
    /// From the array itself.
    Array,
    /// From snapshot number `k` (see [`Snapshot`]).
    Snapshot(usize),
}

/// A copy of `slot` pushed once per iteration of the loop whose body is `body`, after the
/// statement at `after` (at the start when `None`), and popped at the start of the adjoint
/// body.
pub(super) struct Snapshot {
    pub slot: SlotId,
    pub body: BlockId,
    pub after: Option<usize>,
}

#[derive(Default)]
pub(super) struct Rereads {
    pub of: HashMap<ValueId, Reread>,
    pub snapshots: Vec<Snapshot>,
}

/// One enclosing level of a read: the function's body (`var: None`) or a loop's body, and
/// the index of the statement in it that holds the read.
#[derive(Clone, Copy)]
struct Level<'a> {
    block: &'a Block,
    /// Whether a copy per iteration may be taken here: a `for` loop's body with no `break`
    /// or `continue` in it, so that the adjoint runs it exactly once per primal iteration.
    snapshots: bool,
    at: usize,
}

pub(super) fn plan(ir: &Ir) -> Rereads {
    let mut last_write = HashMap::new();
    writes(ir, &ir.body, &mut last_write);
    let mut planner = Planner { ir, last_write, out: Rereads::default(), keys: HashMap::new() };
    let top = Level { block: &ir.body, snapshots: false, at: 0 };
    planner.block(&ir.body, &mut vec![top]);
    planner.out
}

struct Planner<'a> {
    ir: &'a Ir,
    /// Per (block, slot): the index of the block's last statement that writes the slot.
    last_write: HashMap<(BlockId, SlotId), usize>,
    out: Rereads,
    keys: HashMap<(SlotId, BlockId), usize>,
}

impl<'a> Planner<'a> {
    fn block(&mut self, block: &'a Block, levels: &mut Vec<Level<'a>>) {
        for (i, stmt) in block.iter().enumerate() {
            levels.last_mut().expect("the function's level").at = i;
            if let Stmt::Def(v) = stmt {
                self.read(*v, levels);
            }
            for b in stmt.blocks() {
                let snapshots = matches!(stmt, Stmt::For { count: None, .. }) && !jumps(b);
                levels.push(Level { block: b, snapshots, at: 0 });
                self.block(b, levels);
                levels.pop();
            }
        }
    }

    fn read(&mut self, v: ValueId, levels: &[Level]) {
        let (slot, copy) = match self.ir.values[v].op {
            Op::Index { slot, .. } => (slot, false),
            Op::Snapshot(slot) => (slot, true),
            _ => return,
        };
        if !matches!(self.ir.slots[slot].kind, SlotKind::Array { .. }) {
            return;
        }
        // The copy a deferred call takes of an array nothing writes afterwards is the array
        // itself at the adjoint sweep: the call's pullback reads the array (GradBench's GMM
        // lends `&qdiags[..]` to a call per point and component; it was copied whole each time).
        if copy {
            let never_after = levels.iter().all(|l| self.last_write.get(&(l.block.id, slot)).is_none_or(|&w| w < l.at));
            if never_after {
                self.out.of.insert(v, Reread::Array);
            }
            return;
        }
        let innermost = levels.len() - 1;
        for (depth, level) in levels.iter().enumerate() {
            let written_after = self.last_write.get(&(level.block.id, slot)).is_some_and(|&w| w >= level.at);
            if written_after {
                continue;
            }
            if depth == 0 {
                self.out.of.insert(v, Reread::Array);
                return;
            }
            // Nothing in this statement writes the array, so nothing deeper does either: the
            // first level further in that can take copies takes them.
            if !self.ir.slots[slot].active {
                return;
            }
            if !level.snapshots || depth == innermost {
                continue;
            }
            let after = self.last_write.get(&(level.block.id, slot)).copied();
            let next = self.out.snapshots.len();
            let k = *self.keys.entry((slot, level.block.id)).or_insert(next);
            if k == next {
                self.out.snapshots.push(Snapshot { slot, body: level.block.id, after });
            }
            self.out.of.insert(v, Reread::Snapshot(k));
            return;
        }
    }
}

/// Records, per block, the last statement writing each slot, and returns the slots the
/// block writes.
fn writes(ir: &Ir, block: &Block, last: &mut HashMap<(BlockId, SlotId), usize>) -> HashSet<SlotId> {
    let mut all = HashSet::new();
    for (i, stmt) in block.iter().enumerate() {
        let mut here = HashSet::new();
        match stmt {
            Stmt::Declare(s) | Stmt::Set { slot: s, .. } | Stmt::Write { slot: s, .. } => {
                here.insert(*s);
            }
            Stmt::Def(v) => here.extend(call_writes(ir, *v)),
            _ => {}
        }
        for b in stmt.blocks() {
            here.extend(writes(ir, b, last));
        }
        for s in &here {
            last.insert((block.id, *s), i);
        }
        all.extend(here);
    }
    all
}

/// The arrays a value's operation may write: what a call is lent mutably and its result;
/// any array that code the macro does not look into (`perm.swap(i, j)`) is given.
fn call_writes(ir: &Ir, v: ValueId) -> Vec<SlotId> {
    match &ir.values[v].op {
        Op::Call { args, result, .. } => {
            args.iter().filter(|a| a.lent_mut()).filter_map(Operand::slot).chain(*result).collect()
        }
        Op::Opaque { args, .. } => args.iter().filter_map(Operand::slot).collect(),
        _ => Vec::new(),
    }
}

/// Whether a `break` or `continue` is anywhere in the block.
fn jumps(block: &Block) -> bool {
    let mut found = false;
    crate::ir::walk(block, &mut |stmt, _| found |= matches!(stmt, Stmt::Break | Stmt::Continue));
    found
}
