//! The primal sweep: the function's own code in program order, with what the adjoint sweep
//! will need kept on the way (hoisted values, history slices and stacks, the pullbacks of
//! calls, loop counts) and, in mixed mode, the forward parameter's tangents beside it.

use super::{History, Plan, Storage};
use crate::code;
use crate::ir::{Block, Op, Stmt, ValueId};
use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

impl Plan<'_> {
    pub(super) fn primal_block(&self, block: &Block) -> TokenStream {
        self.primal_stmts(block, 0..block.len())
    }

    /// Statements `range` of `block`; the function's declarations with its first.
    pub(super) fn primal_stmts(&self, block: &Block, range: std::ops::Range<usize>) -> TokenStream {
        let mut out = TokenStream::new();
        if range.start == 0 {
            if block.id == self.ir.body.id {
                out.extend(self.hoisted_declarations());
            }
            out.extend(self.snapshots_after(block, None));
        }
        for i in range {
            out.extend(self.primal_stmt(&block[i]));
            out.extend(self.snapshots_after(block, Some(i)));
        }
        out
    }

    /// `stmts` as written, without the copies taken between them.
    pub(super) fn primal_stmts_of(&self, stmts: &[Stmt]) -> TokenStream {
        stmts.iter().map(|s| self.primal_stmt(s)).collect()
    }

    /// The copies of arrays taken after statement `after` of a loop's body (see `reread`).
    fn snapshots_after(&self, block: &Block, after: Option<usize>) -> TokenStream {
        let mut out = TokenStream::new();
        for (k, (stack, _)) in &self.snapshot_names {
            let snapshot = &self.rereads.snapshots[*k];
            if snapshot.body == block.id && snapshot.after == after {
                let name = &self.ir.slots[snapshot.slot].name;
                out.extend(quote!(#stack.push_slice(&#name);));
            }
        }
        out
    }

    fn hoisted_declarations(&self) -> TokenStream {
        let mut out = TokenStream::new();
        let krate = &self.func.krate;
        for stack in self.visited.values() {
            out.extend(quote!(let mut #stack = #krate::__private::AnyStack::new();));
        }
        let f = self.float();
        for (stack, _) in self.snapshot_names.values() {
            out.extend(quote!(let mut #stack = #krate::__private::Stack::<#f>::new();));
        }
        for (stack, _) in self.choices.values() {
            out.extend(quote!(let mut #stack = #krate::__private::Stack::<u8>::new();));
        }
        for lent in self.lent_indexes.values() {
            let (stack, len, param) = (&lent.stack, &lent.len, &lent.param);
            out.extend(quote!(let mut #stack = #krate::__private::Stack::<usize>::new(); let #len = #param.len();));
        }
        for (v, value) in self.ir.values.iter() {
            let name = &value.name;
            if let Some(pb) = &self.pullbacks[v] {
                let krate = &self.func.krate;
                out.extend(if value.depth.loops > 0 {
                    quote!(let mut #pb = #krate::__private::AnyStack::new();)
                } else if value.depth.branches > 0 {
                    quote!(let mut #pb = ::core::option::Option::None;)
                } else {
                    TokenStream::new()
                });
            }
            match self.storage[v] {
                Storage::Hoisted => {
                    let ty = value.ty.as_ref().map(|t| quote!(: #t));
                    out.extend(quote!(let mut #name #ty = ::core::default::Default::default();));
                }
                Storage::Stack => {
                    let stack = &self.stacks[v];
                    let krate = &self.func.krate;
                    out.extend(match self.stack_type(v) {
                        Some(t) => quote!(let mut #stack = #krate::__private::Stack::<#t>::new();),
                        None => quote!(let mut #stack = #krate::__private::AnyStack::new();),
                    });
                    if let (Some(len), Op::Snapshot(s)) = (self.sliced.get(&v), &value.op) {
                        let array = &self.ir.slots[*s].name;
                        out.extend(quote!(let #len = #array.len();));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn primal_stmt(&self, stmt: &Stmt) -> TokenStream {
        let mut out = self.primal_only(stmt);
        if let Some(t) = self.tangent {
            out.extend(t.forward.beside(stmt));
        }
        out
    }

    fn primal_only(&self, stmt: &Stmt) -> TokenStream {
        let ir = self.ir;
        match stmt {
            Stmt::Def(v) => self.primal_def(*v),
            Stmt::Declare(s) => code::declare(ir, &ir.slots[*s]).unwrap_or_default(),
            Stmt::Set { slot, value } => {
                let (name, value) = (&ir.slots[*slot].name, &self.ir.tokens(value));
                quote!(#name = #value;)
            }
            Stmt::Write { slot, index, value } => {
                let (name, index, value) = (&ir.slots[*slot].name, &self.ir.tokens(index), &self.ir.tokens(value));
                quote!(#name[#index] = #value;)
            }
            Stmt::If { cond, then, els } => {
                let (cond, then, els) = (&self.ir.tokens(cond), self.primal_block(then), self.primal_block(els));
                quote!(if #cond { #then } else { #els })
            }
            Stmt::For { var, iter, body, count } => self.primal_for(*var, iter, body, *count),
            Stmt::While { cond, test, body, count } => {
                let (cond, test, body) = (self.primal_block(cond), &self.ir.tokens(test), self.primal_block(body));
                let (start, c_name) = self.count_start(*count);
                let push = self.count_push(*count);
                quote!(#start loop { #cond if !(#test) { break; } #c_name += 1; #body } #push)
            }
            Stmt::Break => quote!(break;),
            Stmt::Continue => quote!(continue;),
        }
    }

    /// A value computed, and kept where the plan keeps it (a history slice, a stack).
    fn primal_def(&self, v: ValueId) -> TokenStream {
        let ir = self.ir;
        let value = &ir.values[v];
        let name = &value.name;
        let mut out = match &value.op {
            Op::Call { func, args, .. } => self.primal_call(v, func, args),
            Op::Snapshot(_) if self.copy_unneeded(v) => return TokenStream::new(),
            Op::Snapshot(s) if self.overwritable.contains_key(&v) => {
                let ((callee, i, _), array) = (&self.overwritable[&v], &ir.slots[*s].name);
                let krate = &self.func.krate;
                code::bind(value, quote!(#krate::__private::copy_unless(#callee::OVERWRITES[#i], &#array)))
            }
            Op::Snapshot(s) if self.restored.contains(&v) || self.sliced.contains_key(&v) => {
                let (stack, array) = (&self.stacks[v], &ir.slots[*s].name);
                return quote!(#stack.push_slice(&#array););
            }
            _ => {
                let rhs = match self.sweep_rows.get(&v) {
                    Some((row, local)) => quote!(#row[#local]),
                    None => code::primal(ir, value, self.float()),
                };
                if self.storage[v] == Storage::Hoisted { quote!(#name = #rhs;) } else { code::bind(value, rhs) }
            }
        };
        if let (Some((stack, _)), Op::Prim { rule, args, .. }) = (self.choices.get(&v), &value.op) {
            let choice = rule.choice().expect("a choice rule");
            let args: Vec<TokenStream> = args.iter().map(|a| ir.tokens(a)).collect();
            let code = (choice.code)(&args);
            out.extend(if self.reserved[v] {
                quote!(#stack.push_reserved(#code);)
            } else {
                quote!(#stack.push(#code);)
            });
        }
        if let Some((history, write, _)) = self.history_of.get(&v) {
            out.extend(quote!(#history[#write] = #name;));
        } else if let Some(stack) = &self.stacks[v] {
            out.extend(if self.reserved[v] {
                quote!(#stack.push_reserved(#name);)
            } else {
                quote!(#stack.push(#name);)
            });
        }
        out
    }

    /// A call through the callee's `pullback`, its closure kept for the adjoint sweep (in a
    /// binding, a branch's `Option` or a loop's stack), or a plain call when nothing needs it.
    fn primal_call(&self, v: ValueId, func: &syn::Path, args: &[crate::ir::Operand]) -> TokenStream {
        let value = &self.ir.values[v];
        let name = &value.name;
        let Op::Call { spans, .. } = &value.op else { unreachable!("a call") };
        let krate = &self.func.krate;
        let args: Vec<_> = args.iter().zip(spans).map(|(a, &at)| code::argument(self.ir, a, krate, at)).collect();
        let call = self.pullback_call(v, func, quote!(#(#args),*));
        let top = value.depth.loops == 0 && value.depth.branches == 0;
        let [tmp_value, tmp_pullback, _, _] = &self.tmp;
        let bind = if self.storage[v] == Storage::Hoisted {
            quote!(#name = #tmp_value;)
        } else {
            quote!(let #name = #tmp_value;)
        };
        // The index lists a re-run recursive call is lent, as they are at the call.
        let mut out: TokenStream = (0..args.len())
            .filter_map(|i| self.lent_indexes.get(&(v, i)))
            .map(|lent| {
                let (stack, param) = (&lent.stack, &lent.param);
                quote!(#stack.push_slice(#param);)
            })
            .collect();
        out.extend(match &self.pullbacks[v] {
            Some(pb) if top => quote!(let (#name, #pb) = #call;),
            Some(pb) => {
                let store = if self.reserved[v] {
                    quote!(#pb.push_reserved(#tmp_pullback);)
                } else if value.depth.loops > 0 {
                    quote!(#pb.push(#tmp_pullback);)
                } else {
                    quote!(#pb = ::core::option::Option::Some(#tmp_pullback);)
                };
                quote!(let (#tmp_value, #tmp_pullback) = #call; #bind #store)
            }
            None if self.storage[v] == Storage::Hoisted => {
                let call = code::plain_call(func, quote!(#(#args),*));
                quote!(#name = #call;)
            }
            None => {
                let call = code::plain_call(func, quote!(#(#args),*));
                quote!(let #name = #call;)
            }
        });
        out.extend(code::result_into(self.ir, value, &self.func.krate));
        out
    }

    /// A `for` loop, with the room its history takes reserved before it, its rows taken, and
    /// (when it can `break`) the values its variable takes and the iterations it ran kept.
    fn primal_for(&self, var_id: ValueId, iter: &crate::ir::Iter, body: &Block, count: Option<ValueId>) -> TokenStream {
        let ir = self.ir;
        let mut reserve = self.reserve(body, &code::iter(ir, iter));
        let (var, iter, mut body) = (&ir.values[var_id].name, code::iter(ir, iter), self.primal_block(body));
        let mut commit = TokenStream::new();
        if let Some(History { trips, at, values }) = self.histories.get(&var_id) {
            let krate = &self.func.krate;
            reserve.extend(quote!(let #trips = #krate::__private::trip_count(&#iter);));
            // Every iteration runs (no `break`): all `trips` values are written.
            for v in values {
                let (stack, (history, _, _)) = (&self.stacks[*v], &self.history_of[v]);
                reserve.extend(quote!(let #history = #stack.room(#trips);));
                commit.extend(quote!(#stack.commit(#trips);));
            }
            if let Some(at) = at {
                reserve.extend(quote!(let mut #at = 0usize;));
                body = quote!(#at += 1; #body);
            }
        }
        match count {
            Some(c) => {
                let (start, c_name) = self.count_start(c);
                let push = self.count_push(c);
                let visited = &self.visited[&var_id];
                quote!(#reserve #start for #var in #iter { #c_name += 1; #visited.push(#var); #body } #push)
            }
            None => match self.sweep_views.get(&var_id) {
                Some(views) => {
                    let the_loop = views.around(ir, self.float(), quote!(for #var in #iter { #body }));
                    quote!(#reserve #the_loop #commit)
                }
                None => quote!(#reserve for #var in #iter { #body } #commit),
            },
        }
    }

    fn count_start(&self, c: ValueId) -> (TokenStream, &Ident) {
        let name = &self.ir.values[c].name;
        let start =
            if self.storage[c] == Storage::Hoisted { quote!(#name = 0usize;) } else { quote!(let mut #name = 0usize;) };
        (start, name)
    }

    fn count_push(&self, c: ValueId) -> TokenStream {
        let name = &self.ir.values[c].name;
        match &self.stacks[c] {
            Some(stack) => quote!(#stack.push(#name);),
            None => TokenStream::new(),
        }
    }
}
