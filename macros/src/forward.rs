//! Forward mode: one pass through the IR in program order, each value followed by its
//! tangent `dv = Σ ∂v/∂aᵢ · daᵢ`, each slot by a tangent slot, branches and loops as
//! written. Calls go to the callee's own forward mode (`g::tangent`).

use crate::code::{self, Term};
use crate::ir::{Block, IdVec, Ir, Op, Operand, Output, SlotId, SlotKind, Stmt, ValueId};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::collections::BTreeMap;
use syn::Ident;

pub struct Forward<'a> {
    pub ir: &'a Ir,
    pub derivs: &'a IdVec<ValueId, Option<Ident>>,
    pub slot_derivs: &'a IdVec<SlotId, Option<Ident>>,
    pub float: &'a Ident,
    pub krate: &'a TokenStream,
    /// Per (call, argument): the buffer of zeros lent as the tangent of an array of floats
    /// that is not differentiated (see `zero_tangents`).
    pub zeros: &'a BTreeMap<(ValueId, usize), Ident>,
}

/// A buffer per call site for each array of floats a call is passed that has no tangent:
/// the callee takes zeros for it, and a call in a loop should not allocate them each time.
pub fn zero_tangents(
    ir: &Ir,
    slot_derivs: &IdVec<SlotId, Option<Ident>>,
    names: &mut crate::names::Names,
) -> BTreeMap<(ValueId, usize), Ident> {
    let mut out = BTreeMap::new();
    for (v, value) in ir.values.iter() {
        let Op::Call { args, .. } = &value.op else { continue };
        if !value.active {
            continue;
        }
        for (i, a) in args.iter().enumerate() {
            let Some(s) = a.slot() else { continue };
            if ir.slots[s].holds_floats() && slot_derivs[s].is_none() {
                let base = value.name.to_string();
                let name = names.fresh(&format!("__{}_zeros{i}", base.trim_start_matches('_')), Span::call_site());
                out.insert((v, i), name);
            }
        }
    }
    out
}

impl Forward<'_> {
    /// The body of the protocol function `tangent`, whose parameters are each parameter
    /// followed by its tangent.
    pub fn body(&self) -> TokenStream {
        let f = self.float;
        let mut out: TokenStream =
            self.zeros.values().map(|z| quote!(let mut #z = ::std::vec::Vec::<#f>::new();)).collect();
        out.extend(self.block(&self.ir.body));
        let value = self.ir.output_tokens();
        let d = match &self.ir.output {
            Output::Scalar(o) => self.tangent(o).unwrap_or_else(|| quote!(0.0)),
            Output::Tuple(items) => {
                let ds = items.iter().map(|o| self.tangent(o).unwrap_or_else(|| quote!(0.0)));
                quote!((#(#ds,)*))
            }
            Output::Array(s) => match (&self.slot_derivs[*s], &self.ir.slots[*s].kind) {
                (Some(d), _) => self.ir.rows_out(d),
                (None, SlotKind::Array { len, .. }) => {
                    let len = &self.ir.tokens(len);
                    let zeros = quote!([0.0; #len]);
                    match &self.ir.rows_result {
                        Some(krate) => quote!(#krate::__private::rows_of(&#zeros)),
                        None => zeros,
                    }
                }
                (None, _) => quote!(::core::default::Default::default()),
            },
            Output::Unit => quote!(()),
        };
        out.extend(quote!((#value, #d)));
        out
    }

    /// An operand's tangent, `None` for a constant.
    pub fn tangent(&self, o: &Operand) -> Option<TokenStream> {
        let v = self.ir.active(o)?;
        let d = self.derivs[v].as_ref()?;
        Some(quote!(#d))
    }

    fn block(&self, block: &Block) -> TokenStream {
        block.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&self, stmt: &Stmt) -> TokenStream {
        let ir = self.ir;
        match stmt {
            Stmt::Def(v) => self.def(*v),
            Stmt::Declare(s) => {
                let mut out = code::declare(ir, &ir.slots[*s]).unwrap_or_default();
                out.extend(self.beside(stmt));
                out
            }
            Stmt::Set { slot, value } => {
                let (name, v) = (&ir.slots[*slot].name, &self.ir.tokens(value));
                let mut out = quote!(#name = #v;);
                out.extend(self.beside(stmt));
                out
            }
            Stmt::Write { slot, index, value } => {
                let (name, i, v) = (&ir.slots[*slot].name, &self.ir.tokens(index), &self.ir.tokens(value));
                let mut out = quote!(#name[#i] = #v;);
                out.extend(self.beside(stmt));
                out
            }
            Stmt::If { cond, then, els } => {
                let (c, then, els) = (&self.ir.tokens(cond), self.block(then), self.block(els));
                quote!(if #c { #then } else { #els })
            }
            Stmt::For { var, iter, body, .. } => {
                let (var, iter, body) = (&ir.values[*var].name, code::iter(ir, iter), self.block(body));
                quote!(for #var in #iter { #body })
            }
            Stmt::While { cond, test, body, .. } => {
                let (cond, test, body) = (self.block(cond), &self.ir.tokens(test), self.block(body));
                quote!(loop { #cond if !(#test) { break; } #body })
            }
            Stmt::Break => quote!(break;),
            Stmt::Continue => quote!(continue;),
        }
    }

    fn def(&self, v: ValueId) -> TokenStream {
        let ir = self.ir;
        let value = &ir.values[v];
        let (name, d) = (&value.name, &self.derivs[v]);
        match &value.op {
            Op::Call { func, args, spans, .. } if value.active => {
                let krate = self.krate;
                let tangent = quote!(#krate::__private::tangent);
                let args = args.iter().zip(spans).enumerate().map(|(i, (a, &at))| {
                    let t = &code::argument(self.ir, a, krate, at);
                    // A struct passes its tangent struct.
                    // A tuple passes the tuple of its elements' tangents.
                    if let Operand::Tuple(elements) = a {
                        if elements.iter().all(|e| self.tangent(e).is_none()) {
                            return quote!(#t, ::core::default::Default::default());
                        }
                        let ds = elements.iter().map(|e| self.tangent(e).unwrap_or_else(|| quote!(0.0)));
                        return quote!(#t, (#(#ds,)*));
                    }
                    if let Operand::Struct { param, path, .. } = a {
                        let d = &ir.structs[param].derivative;
                        let d = if path.is_empty() { quote!(#d) } else { quote!(&#d #(.#path)*) };
                        let d = code::call_at(tangent.clone(), d, at);
                        return quote!(#t, #d);
                    }
                    // An array nothing active was written into has zero tangents, marked
                    // `Inactive` so that a constant parameter may take it.
                    let d = match (a.slot(), self.tangent(a)) {
                        // An integer array (`&mut used`) is a constant's argument.
                        (Some(s), _) if !ir.slots[s].holds_floats() => return quote!(#t, ()),
                        (Some(s), _) if a.lent_mut() => match &self.slot_derivs[s] {
                            Some(ds) => ir.view(a, ds, true),
                            None => {
                                let (len, zeros) = (ir.passed_len(a), &self.zeros[&(v, i)]);
                                quote!(#krate::__private::Inactive(#krate::__private::discard(&mut #zeros, #len, true)))
                            }
                        },
                        (_, Some(d)) => d,
                        (Some(s), None) => match &self.slot_derivs[s] {
                            Some(ds) => ir.view(a, ds, false),
                            // Nothing writes the buffer: it holds the zeros it grew with.
                            None => {
                                let (len, zeros) = (ir.passed_len(a), &self.zeros[&(v, i)]);
                                quote!(#krate::__private::Inactive(&*#krate::__private::discard(&mut #zeros, #len, false)))
                            }
                        },
                        (None, None) => return quote!(#t, ::core::default::Default::default()),
                    };
                    let d = code::call_at(tangent.clone(), d, at);
                    quote!(#t, #d)
                });
                let call = code::protocol_call(func, "tangent", quote!(#(#args),*));
                let mut out = quote!(let (#name, #d) = #call;);
                out.extend(code::result_into(ir, value, krate));
                if let Some(dc) = value.op.result().and_then(|r| self.slot_derivs[r].as_ref()) {
                    out.extend(quote!(#dc = #krate::__private::flat(#d);));
                }
                out
            }
            Op::Call { func, args, .. } => {
                let args = args.iter().map(|a| self.ir.tokens(a));
                let call = code::plain_call(func, quote!(#(#args),*));
                let mut out = quote!(let #name = #call;);
                out.extend(code::result_into(ir, value, self.krate));
                out
            }
            // Only reverse mode's deferred calls read the copy.
            Op::Param | Op::LoopVar | Op::Count | Op::Snapshot(_) => TokenStream::new(),
            _ => {
                let mut out = code::bind(value, code::primal(ir, value, self.float));
                out.extend(self.beside(&Stmt::Def(v)));
                out
            }
        }
    }

    /// The tangent statements that follow a statement's primal: a value's tangent, a slot's
    /// declared, set or written tangent. Nothing for control flow, whose blocks carry their
    /// own, nor for a call, whose tangent comes with its value from the callee.
    pub fn beside(&self, stmt: &Stmt) -> TokenStream {
        let ir = self.ir;
        match stmt {
            Stmt::Def(v) => {
                let value = &ir.values[*v];
                let Some(d) = &self.derivs[*v] else { return TokenStream::new() };
                let t = match &value.op {
                    Op::Call { .. } | Op::Param | Op::LoopVar | Op::Count => return TokenStream::new(),
                    Op::Prim { args, .. } => {
                        let partials = code::partials(ir, value, self.float);
                        let terms: Vec<Term> = code::by_target(args.iter().map(|a| ir.active(a)).zip(partials))
                            .into_iter()
                            .filter_map(|(a, p)| {
                                let d = self.derivs[a].as_ref()?;
                                code::scale(&p, &quote!(#d), false)
                            })
                            .collect();
                        code::sum(&terms)
                    }
                    Op::Read(s) => {
                        let ds = &self.slot_derivs[*s];
                        quote!(#ds)
                    }
                    Op::Index { slot, index } => {
                        let (ds, i) = (&self.slot_derivs[*slot], &self.ir.tokens(index));
                        quote!(#ds[#i])
                    }
                    _ => quote!(0.0),
                };
                quote!(let #d = #t;)
            }
            Stmt::Declare(s) => {
                let slot = &ir.slots[*s];
                match (&self.slot_derivs[*s], &slot.kind) {
                    (None, _) => TokenStream::new(),
                    (Some(d), SlotKind::Scalar { init }) => {
                        let t = self.tangent(init).unwrap_or_else(|| quote!(0.0));
                        quote!(let mut #d = #t;)
                    }
                    (Some(d), _) => code::declare_derivative(ir, slot, d),
                }
            }
            Stmt::Set { slot, value } => match &self.slot_derivs[*slot] {
                Some(d) => {
                    let t = self.tangent(value).unwrap_or_else(|| quote!(0.0));
                    quote!(#d = #t;)
                }
                None => TokenStream::new(),
            },
            Stmt::Write { slot, index, value } => {
                let (Some(d), i) = (&self.slot_derivs[*slot], &self.ir.tokens(index)) else {
                    return TokenStream::new();
                };
                match self.tangent(value) {
                    Some(t) => quote!(#d[#i] = #t;),
                    None => quote!(#d[#i] = 0.0;),
                }
            }
            _ => TokenStream::new(),
        }
    }
}
