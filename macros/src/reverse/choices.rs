//! `min` and `max` in loops, whose adjoint reads which argument they picked: kept as one
//! byte per iteration (`rules::Choice`) rather than both arguments, which would be two floats
//! (two duals under forward over reverse). In k-means' `closest = closest.min(dist(..))` over
//! every centroid, the arguments are the running minimum and a call's result, neither of which
//! the adjoint loop can recompute.

use super::Plan;
use crate::ir::{Op, ValueId};
use proc_macro2::Span;

impl Plan<'_> {
    /// Whether `v`'s adjoint reads its choice: a choice rule in a loop, of an argument the
    /// adjoint loop could not recompute (what would be kept otherwise). Names its stack.
    pub(super) fn choose(&mut self, v: ValueId) -> bool {
        let value = &self.ir.values[v];
        let Op::Prim { rule, args, .. } = &value.op else { return false };
        let kept = |a: &crate::ir::Operand| a.value().is_some_and(|x| !self.recomputable(x));
        if rule.choice().is_none() || value.depth.loops == 0 || !args.iter().any(kept) {
            return false;
        }
        let base = value.name.to_string();
        let base = base.trim_start_matches('_');
        let stack = self.names.fresh(&format!("__{base}_choices"), Span::call_site());
        let byte = self.names.fresh(&format!("__{base}_choice"), Span::call_site());
        self.choices.insert(v, (stack, byte));
        true
    }
}
