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
    /// The part of the adjoint the loop walks, taken before it (one bounds check).
    row: Ident,
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
        let row = names.fresh(&format!("__{base}_window"), Span::call_site());
        windows.push(Window { slot, derivative: d, low, regs: window_regs, row });
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
    /// This window as a loop walks it: backwards (an adjoint loop) or forwards (a loop
    /// running each iteration's adjoint after its primal, `reverse/fused.rs`).
    pub fn walked(&self, forwards: bool) -> Walk<'_> {
        Walk { window: self, forwards }
    }
}

/// A window and the direction its loop walks in. Backwards from `end - 1`, element `i + c`
/// first receives a contribution at offset `low` and last at `high`; forwards, the other way
/// round. So the register at the first offset is loaded as each iteration starts, the one
/// at the last stored as it ends, the others shifted one place towards the last, and the
/// elements the first iteration meets at the other offsets are loaded before the loop, the
/// ones the last iteration leaves there stored after it.
pub struct Walk<'a> {
    window: &'a Window,
    forwards: bool,
}

impl Walk<'_> {
    /// The registers in the order an element passes through them, its first offset first,
    /// each with its place in the row (the offset less the lowest).
    fn regs(&self) -> Vec<(&Ident, usize)> {
        let mut regs: Vec<(&Ident, usize)> = self.window.regs.iter().enumerate().map(|(k, r)| (r, k)).collect();
        if self.forwards {
            regs.reverse();
        }
        regs
    }

    /// Row index `base + k`.
    fn at(&self, base: &TokenStream, k: usize) -> TokenStream {
        let (row, k) = (&self.window.row, proc_macro2::Literal::usize_unsuffixed(k));
        quote!(#row[#base + #k])
    }

    /// Where iteration `var` is in the row: `var - start`.
    fn local(ir: &Ir, iter: &Iter, var: &Ident) -> TokenStream {
        match iter.start.is_zero() {
            true => quote!(#var),
            false => {
                let start = ir.tokens(&iter.start);
                quote!((#var - (#start)))
            }
        }
    }

    /// Before the loop: the row, and the elements its first iteration meets at all but the
    /// first offset (at `end - 1 + c` backwards, `start + c` forwards).
    pub fn before(&self, ir: &Ir, iter: &Iter) -> TokenStream {
        let w = self.window;
        let (d, row, (start, end)) = (&w.derivative, &w.row, (ir.tokens(&iter.start), ir.tokens(&iter.end)));
        let (low, high) = (w.low, w.low + w.regs.len() - 1);
        let mut out = quote!(let #row = &mut #d[(#start) + #low..(#end) + #high];);
        let first = match self.forwards {
            true => quote!(0),
            false => quote!(((#end) - 1 - (#start))),
        };
        for (r, k) in self.regs().into_iter().skip(1) {
            let element = self.at(&first, k);
            out.extend(quote!(let mut #r = #element;));
        }
        out
    }

    /// At the top of iteration `var`: the element it is the first to add into.
    pub fn enter(&self, ir: &Ir, iter: &Iter, var: &Ident) -> TokenStream {
        let (r, k) = self.regs()[0];
        let element = self.at(&Self::local(ir, iter, var), k);
        quote!(let mut #r = #element;)
    }

    /// At the bottom of iteration `var`: the element no later iteration adds into, stored
    /// (through `store`, which guards it), and the registers shifted by one.
    pub fn leave(&self, ir: &Ir, iter: &Iter, var: &Ident, store: &dyn Fn(TokenStream) -> TokenStream) -> TokenStream {
        let regs = self.regs();
        let (r, k) = regs[regs.len() - 1];
        let element = self.at(&Self::local(ir, iter, var), k);
        let mut out = store(quote!(#element = #r;));
        for k in (1..regs.len()).rev() {
            let (to, from) = (regs[k].0, regs[k - 1].0);
            out.extend(quote!(#to = #from;));
        }
        out
    }

    /// After the loop: the elements still held, each one step past the last iteration (at
    /// `start - 1 + c` backwards, `end + c` forwards) for all but the first offset.
    pub fn after(&self, ir: &Ir, iter: &Iter, store: &dyn Fn(TokenStream) -> TokenStream) -> TokenStream {
        let mut out = TokenStream::new();
        let (start, end) = (ir.tokens(&iter.start), ir.tokens(&iter.end));
        for (r, k) in self.regs().into_iter().skip(1) {
            let element = match self.forwards {
                true => self.at(&quote!(((#end) - (#start))), k),
                // `k >= 1` here: the lowest offset is the first.
                false => self.at(&quote!(0), k - 1),
            };
            out.extend(store(quote!(#element = #r;)));
        }
        out
    }
}
