//! Adjoint elements an adjoint loop keeps in registers as it slides over them.
//!
//! The adjoint of `x[i + 1] - x[i] * x[i]` in a loop over `i` adds into `dx[i]` and
//! `dx[i + 1]`; run backwards, each iteration adds into the element the one before added
//! into, so through memory every iteration waits for the last one's store. A hand-written
//! gradient carries that element in a register to the next iteration. So does the adjoint
//! loop: for accesses at the loop variable plus constant offsets `low..=high`, one register
//! per offset; the element at `i + low` is loaded when the loop reaches it, the one at
//! `i + high` stored when no later iteration adds into it, and the registers shift by one
//! between iterations. Each element receives its contributions in the order it did through
//! memory, so the sums are the same to the last bit.
//!
//! Only a slice whose every access in the loop is an element read directly in the body (see
//! the module above), at such an offset, qualifies: the primal loop read each of those
//! elements, so all are in bounds whenever the loop runs, and nothing else touches its
//! adjoint in the loop.

use super::Access;
use crate::ir::{Ir, Iter, Operand, SlotId, ValueId};
use crate::names::Names;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::collections::{BTreeMap, HashMap, HashSet};
use syn::Ident;

/// The widest window kept in registers.
const MAX_WIDTH: usize = 8;

/// One slot's adjoint elements at offsets `low..=high` from the loop variable, one register
/// each (`regs[k]` for offset `low + k`).
pub struct Window {
    pub slot: SlotId,
    pub derivative: Ident,
    pub low: usize,
    pub regs: Vec<Ident>,
}

/// The windows of a loop's accesses (each `(value, slot, offset)` directly in its body) and
/// the register each access adds into. `other`: the slots the loop touches otherwise.
pub fn plan(
    iter: &Iter,
    accesses: &[Access],
    other: &HashSet<SlotId>,
    derivative: &dyn Fn(SlotId) -> Option<Ident>,
    names: &mut Names,
) -> (Vec<Window>, HashMap<ValueId, Ident>) {
    let (mut windows, mut regs) = (Vec::new(), HashMap::new());
    // The adjoint loop must run the range backwards, one step at a time.
    if !iter.adapters.is_empty() || iter.inclusive {
        return (windows, regs);
    }
    let mut offsets: BTreeMap<SlotId, Option<Vec<(ValueId, usize)>>> = BTreeMap::new();
    for (v, slot, offset) in accesses {
        let entry = offsets.entry(*slot).or_insert_with(|| Some(Vec::new()));
        match (entry.as_mut(), constant_offset(offset)) {
            (Some(list), Some(c)) => list.push((*v, c)),
            _ => *entry = None,
        }
    }
    for (slot, list) in offsets {
        let (Some(list), Some(d)) = (list, derivative(slot)) else { continue };
        let (low, high) = (list.iter().map(|a| a.1).min(), list.iter().map(|a| a.1).max());
        let (Some(low), Some(high)) = (low, high) else { continue };
        // One offset is a row's business (see the module above).
        if other.contains(&slot) || low == high || high - low >= MAX_WIDTH {
            continue;
        }
        let base = d.to_string();
        let base = base.trim_start_matches('_');
        let window_regs: Vec<Ident> =
            (low..=high).map(|c| names.fresh(&format!("__{base}_at{c}"), Span::call_site())).collect();
        for (v, c) in list {
            regs.insert(v, window_regs[c - low].clone());
        }
        windows.push(Window { slot, derivative: d, low, regs: window_regs });
    }
    (windows, regs)
}

/// `Some(0)` for the loop variable itself, `Some(c)` for it plus an integer literal `c`.
fn constant_offset(offset: &Option<Operand>) -> Option<usize> {
    match offset {
        None => Some(0),
        Some(Operand::Constant(tokens)) => syn::parse2::<syn::LitInt>(tokens.clone()).ok()?.base10_parse().ok(),
        Some(_) => None,
    }
}

impl Window {
    fn offset(&self, k: usize) -> TokenStream {
        let c = proc_macro2::Literal::usize_unsuffixed(self.low + k);
        quote!(#c)
    }

    /// Before the adjoint loop, which starts at `end - 1`: the elements the first iteration
    /// adds into above the lowest offset.
    pub fn before(&self, ir: &Ir, iter: &Iter) -> TokenStream {
        let (d, end) = (&self.derivative, ir.tokens(&iter.end));
        let loads = self.regs.iter().enumerate().skip(1).map(|(k, r)| {
            let c = self.offset(k);
            quote!(let mut #r = #d[(#end) - 1 + #c];)
        });
        quote!(#(#loads)*)
    }

    /// At the top of iteration `var`: the element it is the first to add into.
    pub fn enter(&self, var: &Ident) -> TokenStream {
        let (d, r, c) = (&self.derivative, &self.regs[0], self.offset(0));
        quote!(let mut #r = #d[#var + #c];)
    }

    /// At the bottom of iteration `var`: the element no later iteration adds into, stored
    /// (through `store`, which guards it), and the registers shifted by one.
    pub fn leave(&self, var: &Ident, store: &dyn Fn(TokenStream) -> TokenStream) -> TokenStream {
        let (d, last) = (&self.derivative, self.regs.len() - 1);
        let (r, c) = (&self.regs[last], self.offset(last));
        let mut out = store(quote!(#d[#var + #c] = #r;));
        for k in (1..=last).rev() {
            let (to, from) = (&self.regs[k], &self.regs[k - 1]);
            out.extend(quote!(#to = #from;));
        }
        out
    }

    /// After the adjoint loop, which ended at `start`: the elements still held, at
    /// `start - 1 + c` for each offset above the lowest.
    pub fn after(&self, ir: &Ir, iter: &Iter, store: &dyn Fn(TokenStream) -> TokenStream) -> TokenStream {
        let (d, start) = (&self.derivative, ir.tokens(&iter.start));
        let mut out = TokenStream::new();
        for (k, r) in self.regs.iter().enumerate().skip(1) {
            let below = proc_macro2::Literal::usize_unsuffixed(self.low + k - 1);
            out.extend(store(quote!(#d[(#start) + #below] = #r;)));
        }
        out
    }
}
