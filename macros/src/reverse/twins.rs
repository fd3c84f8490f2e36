//! Partials the function has already computed: `sin`'s partial is `cos` of its argument, and a
//! function that takes both of one value (`let (s, c) = (t.sin(), t.cos())`, a rotation, polar
//! coordinates) holds it. The adjoint sweep then reads that value, kept like any other it needs,
//! instead of calling `cos` again: two calls into libm fewer per pair. Which partial is which
//! rule's result comes from the table (`Rule::twins`); this finds the pairs.

use super::Plan;
use crate::ir::{BlockId, Op, Operand, SlotKind, Stmt, ValueId};
use crate::rules::{Partial, Rule};
use quote::quote;
use std::collections::HashMap;

/// Per (value, argument), the value of the same block that is that argument's partial, and
/// whether negated.
pub(super) type Twins = HashMap<(ValueId, usize), (ValueId, bool)>;

impl Plan<'_> {
    /// Finds, for each primitive whose partial is another rule's result at its arguments, a
    /// value of the same block applying that rule to the same arguments.
    pub(super) fn find_twins(&mut self) {
        let ir = self.ir;
        let mut by_block: HashMap<BlockId, Vec<ValueId>> = HashMap::new();
        crate::ir::walk(&ir.body, &mut |stmt, nest| {
            if let Stmt::Def(v) = stmt
                && matches!(ir.values[*v].op, Op::Prim { .. })
            {
                by_block.entry(nest.block).or_default().push(*v);
            }
        });
        for values in by_block.values() {
            for &v in values {
                let Op::Prim { rule, args, .. } = &ir.values[v].op else { continue };
                for (i, twin) in rule.twins().into_iter().enumerate() {
                    let Some((other, negated)) = twin else { continue };
                    if let Some(w) = values.iter().copied().find(|&w| self.applies(w, other, args)) {
                        self.twins.insert((v, i), (w, negated));
                    }
                }
            }
        }
    }

    /// Whether `w` is `rule` applied to the same values as `args`.
    fn applies(&self, w: ValueId, rule: &Rule, args: &[Operand]) -> bool {
        let Op::Prim { rule: r, args: other, .. } = &self.ir.values[w].op else { return false };
        std::ptr::eq(*r, rule) && args.len() == other.len() && args.iter().zip(other).all(|(a, b)| self.same(a, b))
    }

    /// Whether two operands hold the same value: the same value, or two reads of one element
    /// of a slice parameter, which nothing writes (`t[i].sin()` and `t[i].cos()`).
    fn same(&self, a: &Operand, b: &Operand) -> bool {
        let (Some(a), Some(b)) = (a.value(), b.value()) else { return false };
        if a == b {
            return true;
        }
        let (Op::Index { slot: s, index: i }, Op::Index { slot: t, index: j }) =
            (&self.ir.values[a].op, &self.ir.values[b].op)
        else {
            return false;
        };
        let read_only = matches!(self.ir.slots[*s].kind, SlotKind::ArrayParam { by_value: false });
        let same_index = match (i, j) {
            (Operand::Value(x), Operand::Value(y)) => x == y,
            (Operand::Constant(x), Operand::Constant(y)) => x.to_string() == y.to_string(),
            _ => false,
        };
        s == t && read_only && same_index
    }

    /// The partials of primitive `v`, each that another value holds read from it.
    pub(super) fn partials(&self, v: ValueId) -> Vec<Partial> {
        let mut partials = crate::code::partials(self.ir, &self.ir.values[v], self.float());
        for (i, p) in partials.iter_mut().enumerate() {
            if let Some(&(w, negated)) = self.twins.get(&(v, i)) {
                let name = &self.ir.values[w].name;
                *p = Partial::Expr(if negated { quote!(-#name) } else { quote!(#name) });
            }
        }
        partials
    }
}
