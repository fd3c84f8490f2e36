//! The adjoint of a call: the callee's pullback (kept from the primal sweep, or made here
//! for a deferred call, from the arrays it read given back their values) called with the
//! result's adjoint and a shadow for each array argument, and what it returns added to the
//! arguments' adjoints.

use super::{Plan, Render, Term};
use crate::code;
use crate::ir::{Op, Operand, ValueId};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashSet;

impl Render<'_, '_> {
    /// A call's pullback called with the result's adjoint and its arrays' shadows, and the
    /// gradient slots it returns added to the arguments' adjoints.
    pub(super) fn adjoint_call(&mut self, v: ValueId, args: &[Operand]) -> TokenStream {
        let plan = self.plan;
        let (ir, krate, float) = (plan.ir, &plan.func.krate, plan.float());
        let value = &ir.values[v];
        let pb = match &self.pullbacks[v] {
            Some(_) if value.depth.loops > 0 => {
                let single = &self.popped[v];
                quote!(#single)
            }
            Some(pb) if value.depth.branches > 0 => quote!(#krate::__private::take(&mut #pb)),
            Some(pb) => quote!(#pb),
            None if self.deferred(v) => self.deferred_pullback(v),
            None => return TokenStream::new(),
        };
        // An unused result of a call run for its outputs: its adjoint is zero. A result kept
        // in an array: that array's adjoint, which is zero before the call.
        let seed = match (value.op.result().and_then(|r| self.slot_derivs[r].as_ref()), self.uses[v]) {
            (Some(dc), _) => quote!(#krate::__private::take_seed(&mut #dc)),
            (None, 0) => quote!(::core::default::Default::default()),
            (None, _) => self.adjoint(v).to_tokens(),
        };
        // One binding per gradient slot we use: active scalars, and active arrays (a
        // by-value array parameter returns its gradient here; a slice parameter's went into
        // the shadow and its slot is `()`).
        let slots = &plan.call_slots[&v];
        let pattern = slots.iter().map(|s| match s {
            Some(s) => quote!(#s),
            None => quote!(_),
        });
        // An array passed twice (`dot(&a, &a)`) cannot lend its adjoint twice: the second
        // shadow is a scratch buffer, added in afterwards.
        let (mut out, mut after, mut lent) = (self.restore(v), TokenStream::new(), HashSet::new());
        // The index lists a re-run recursive call is lent, given back as they were at the call,
        // whether or not its adjoint is zero.
        for i in 0..args.len() {
            let Some(l) = self.lent_indexes.get(&(v, i)) else { continue };
            let (popped, stack, len) = (&l.popped, &l.stack, &l.len);
            out.extend(quote!(let #popped = #stack.pop_slice_mut(#len);));
        }
        let shadows: Vec<TokenStream> = args
            .iter()
            .enumerate()
            .map(|(i, a)| match a.slot() {
                Some(s) if !ir.slots[s].holds_floats() => quote!(()),
                Some(s) => match &self.slot_derivs[s] {
                    Some(ds) if lent.insert(s) => {
                        let view = ir.view(&args[i], ds, true);
                        quote!(#krate::__private::shadow(#view))
                    }
                    Some(ds) => {
                        let scratch = &plan.scratch[&(v, i)];
                        let (len, view) = (self.adjoint_len(v, i), ir.view(&args[i], ds, true));
                        out.extend(quote!(let mut #scratch = ::std::vec![0.0; #len];));
                        let [_, _, a, b] = &plan.tmp;
                        after.extend(quote!(for (#a, #b) in (#view).iter_mut().zip(&#scratch) { *#a += *#b; }));
                        quote!(#krate::__private::shadow(&mut #scratch[..]))
                    }
                    None => {
                        let (len, discard) = (self.adjoint_len(v, i), &plan.discards[&(v, i)]);
                        let zeroed = args[i].lent_mut();
                        quote!(#krate::__private::shadow(#krate::__private::discard(&mut #discard, #len, #zeroed)))
                    }
                },
                None => match a {
                    // A struct lent twice: the second shadow is a scratch struct.
                    Operand::Struct { param, name, path } => {
                        let calls = &ir.structs[param].calls;
                        let calls = quote!(#calls #(.#path)*);
                        match plan.scratch.get(&(v, i)) {
                            Some(scratch) => {
                                let d = quote!(#krate::differentiable::Differentiable);
                                let of = if path.is_empty() { quote!(#name) } else { quote!(&#name #(.#path)*) };
                                out.extend(quote!(let mut #scratch = #d::zeros_like(#of);));
                                after.extend(quote!(#d::add_scaled(&mut #calls, 1.0, &#scratch);));
                                quote!(#krate::__private::shadow(&mut #scratch))
                            }
                            None => quote!(#krate::__private::shadow(&mut #calls)),
                        }
                    }
                    _ => quote!(()),
                },
            })
            .collect();
        let call = quote!(#pb(#seed, (#(#shadows,)*)));
        if self.skippable(v, args) {
            // Its only adjoint input is the result's: a zero one (the `min` of `k` calls
            // passes a nonzero adjoint to one) adds nothing, so neither the pullback nor a
            // deferred call's re-run is worth running. What it returns is then zeros and
            // `()`s, typed by the call.
            let zeros = slots.iter().map(|_| quote!(::core::default::Default::default()));
            out.extend(quote!(
                let (#(#pattern,)*) = if #krate::__private::nonzero(&#seed) { #call } else { (#(#zeros,)*) };
            ));
        } else {
            out.extend(quote!(let (#(#pattern,)*) = #call;));
        }
        out.extend(after);
        for (a, slot) in args.iter().zip(slots) {
            let Some(slot) = slot else { continue };
            // A tuple's gradient is a tuple: each active element takes its own.
            for (k, e) in self.tuple_active(a) {
                let k = syn::Index::from(k);
                out.extend(self.add(e, Term { negative: false, tokens: quote!(#slot.#k) }));
            }
            if let Some(a) = self.active(a) {
                let tokens = quote!(#krate::__private::cotangent::<#float, _>(#slot));
                out.extend(self.add(a, Term { negative: false, tokens }));
            } else if let Some(Some(ds)) = a.slot().map(|s| &self.slot_derivs[s]) {
                let view = ir.view(a, ds, true);
                out.extend(quote!(#krate::__private::accumulate(#view, #slot);));
            }
        }
        out
    }

    /// Whether call `v`'s pullback may be skipped when its result's adjoint is zero: the
    /// result is one float, its adjoint a plain value (evaluated twice), and the call writes
    /// no array, whose adjoint the pullback would otherwise consume; every argument's gradient
    /// slot is a float, a tuple of floats or `()` (a zero is their `Default`).
    fn skippable(&self, v: ValueId, args: &[Operand]) -> bool {
        let ir = self.plan.ir;
        let reads_only = |a: &Operand| match a {
            Operand::Value(_) | Operand::Constant(_) | Operand::Tuple(_) => true,
            Operand::Array { access: crate::ir::Access::Shared, .. } => true,
            Operand::Array { slot, access: crate::ir::Access::Name, .. } => {
                matches!(ir.slots[*slot].kind, crate::ir::SlotKind::ArrayParam { .. })
            }
            Operand::Array { .. } | Operand::Struct { .. } => false,
        };
        ir.values[v].op.result().is_none() && self.uses[v] > 0 && args.iter().all(reads_only)
    }

    /// The length of argument `i` of call `v`, as the adjoint sweep can measure it: from the
    /// copy a deferred call took (the closure cannot borrow an `&mut` output parameter).
    fn adjoint_len(&self, v: ValueId, i: usize) -> TokenStream {
        let ir = self.plan.ir;
        let Op::Call { args, snapshots, .. } = &ir.values[v].op else { unreachable!("a call") };
        // A whole local array of fixed length: its length is a constant, which holds where
        // the array itself is out of scope (declared in the loop body the adjoint runs back).
        if let Operand::Array { slot, part: None, .. } = &args[i]
            && let crate::ir::SlotKind::Array { len, vec: false, .. } = &ir.slots[*slot].kind
        {
            return ir.tokens(len);
        }
        // A copy lent mutably is moved into the call by then.
        match (snapshots[i], &args[i]) {
            (Some(copy), Operand::Array { access: crate::ir::Access::Shared, .. })
                if !self.restored.contains(&copy) && !self.copy_unneeded(copy) =>
            {
                ir.passed_len_of(&args[i], &ir.values[copy].name)
            }
            _ => ir.passed_len(&args[i]),
        }
    }

    /// The arrays a deferred call read, given back the values they had then (see
    /// `Plan::restorable`).
    fn restore(&self, v: ValueId) -> TokenStream {
        let ir = self.plan.ir;
        let Op::Call { snapshots, .. } = &ir.values[v].op else { return TokenStream::new() };
        let mut out = TokenStream::new();
        for c in snapshots.iter().flatten().filter(|c| self.restored.contains(c)) {
            let Op::Snapshot(s) = ir.values[*c].op else { continue };
            let (array, stack) = (&ir.slots[s].name, &self.stacks[*c]);
            out.extend(quote!(#stack.pop_into(&mut #array);));
        }
        out
    }

    /// A deferred call's pullback, made here from the same arguments with the copies of its
    /// arrays in their place (see `Op::Call`).
    fn deferred_pullback(&self, v: ValueId) -> TokenStream {
        let ir = self.plan.ir;
        let Op::Call { func, args, snapshots, spans, .. } = &ir.values[v].op else { unreachable!("a deferred call") };
        let krate = &self.func.krate;
        let args = args.iter().zip(snapshots).zip(spans).enumerate().map(|(i, ((a, copy), &at))| match copy {
            _ if self.lent_indexes.contains_key(&(v, i)) => {
                let popped = &self.lent_indexes[&(v, i)].popped;
                quote!(#popped)
            }
            // No copy when the callee overwrites the array: the call re-runs in a scratch
            // buffer of the array's length.
            Some(c) if self.overwritable.contains_key(c) => {
                let (copy, scratch, slot) = (&ir.values[*c].name, &self.overwritable[c].2, a.slot().expect("an array"));
                let array = &ir.slots[slot].name;
                let range = a.part().map_or_else(|| quote!(..), |p| p.range(&ir.values, &ir.slots));
                quote!(&mut (#krate::__private::refill(#copy, &mut #scratch, #array.len()))[#range])
            }
            Some(c) if !self.restored.contains(c) && !self.copy_unneeded(*c) => {
                a.tokens_of_copy(&ir.values[*c].name, &ir.values, &ir.slots)
            }
            _ => code::argument(ir, a, krate, at),
        });
        let call = self.pullback_call(v, func, quote!(#(#args),*));
        quote!((#call.1))
    }
}

impl Plan<'_> {
    /// The call of call `v`'s pullback on `args`: `pullback`, or, when the adjoint lends
    /// a discard buffer as the shadow of an array it does not differentiate,
    /// `pullback_wanted` told so (see `__private::Wanted`), so that the callee does not
    /// compute that array's adjoint. A recursive call keeps its boxed `pullback_dyn`.
    pub(super) fn pullback_call(&self, v: ValueId, func: &syn::Path, args: TokenStream) -> TokenStream {
        let ir = self.ir;
        let Op::Call { args: operands, .. } = &ir.values[v].op else { unreachable!("a call") };
        let discarded =
            |a: &Operand| a.slot().is_some_and(|s| ir.slots[s].holds_floats() && self.slot_derivs[s].is_none());
        // A pullback made in the adjoint sweep is called there: a recursive call's need not be
        // boxed.
        let protocol = match self.func.pullback_of(func) {
            "pullback_dyn" if self.deferred(v) => "pullback",
            protocol => protocol,
        };
        if protocol != "pullback" || !operands.iter().any(discarded) {
            return code::protocol_call(func, protocol, args);
        }
        let mask =
            operands.iter().enumerate().take(64).filter(|(_, a)| !discarded(a)).fold(0u64, |m, (i, _)| m | 1 << i);
        let mask = proc_macro2::Literal::u64_unsuffixed(mask);
        let krate = &self.func.krate;
        code::protocol_call(func, "pullback_wanted", quote!(#args, #krate::__private::Wanted::<#mask>))
    }
}
