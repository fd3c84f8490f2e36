//! The adjoint sweep: the pullback closure, which takes the seed and the shadows, runs the
//! function's statements backwards (loops run backwards, values restored from where the
//! primal sweep kept them) and returns one gradient slot per parameter.

use super::{History, Render, Storage, Tangent};
use crate::ast::Shape;
use crate::code::{self, Term};
use crate::ir::{Block, FieldPlace, Op, Operand, Output, SlotKind, Stmt, ValueId};
use crate::views;
use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};

impl Render<'_, '_> {
    pub(super) fn closure(&mut self) -> TokenStream {
        let Heading { signature, head, tail } = self.heading();
        let body = self.adjoint_block(&self.ir.body);
        let grads = self.gradients();
        let fields = self.field_gradients();
        quote!(#signature {
            #head
            #body
            #fields
            #tail
            (#(#grads,)*)
        })
    }

    /// What every closure of the adjoint starts and ends with (see `Heading`).
    pub(super) fn heading(&mut self) -> Heading {
        let mut head = TokenStream::new();
        let output_type = self.func.output_type();
        let (seed, seeds) = self.seed(&mut head);
        if let Some(t) = self.tangent {
            head.extend(self.forward_gradient(t, &seeds));
        }
        let mut tail = TokenStream::new();
        let (shadows, shadow_types) = self.shadows(&mut head, &mut tail);
        let f = self.float();
        for discard in self.discards.values().chain(self.overwritable.values().map(|(_, _, s)| s)) {
            head.extend(quote!(let mut #discard = ::std::vec::Vec::<#f>::new();));
        }
        let signature = quote!(move |#seed: #output_type, (#(#shadows,)*): (#(#shadow_types,)*)|);
        Heading { signature, head, tail }
    }

    /// The closure's seed parameter (the adjoint of the result, shaped like it), and each
    /// result's seed by name; `head` receives what passes the seeds on.
    pub(super) fn seed(&mut self, head: &mut TokenStream) -> (TokenStream, Vec<TokenStream>) {
        let (ir, plan) = (self.ir, self.plan);
        // With a parameter differentiated forwards, every result's seed is named: that
        // parameter's gradient is the seeds times the results' tangents.
        let named = self.tangent.is_some();
        let mut seeds = Vec::new();
        let seed = match &ir.output {
            Output::Scalar(o) => match ir.active(o) {
                Some(o) if self.uses[o] == 1 => {
                    self.started[o] = true;
                    let d = self.derivs[o].clone().expect("active values have derivative names");
                    seeds.push(quote!(#d));
                    quote!(#d)
                }
                Some(o) => {
                    let seed = &plan.seeds[0];
                    head.extend(self.add(o, positive(quote!(#seed))));
                    seeds.push(quote!(#seed));
                    quote!(#seed)
                }
                // A constant result: the seed has nowhere to go.
                None if !named => quote!(_),
                None => {
                    let seed = &plan.seeds[0];
                    seeds.push(quote!(#seed));
                    quote!(#seed)
                }
            },
            Output::Tuple(items) => {
                let mut pattern = Vec::new();
                for (i, o) in items.iter().enumerate() {
                    let seed = &plan.seeds[i];
                    seeds.push(quote!(#seed));
                    let active = ir.active(o);
                    if let Some(o) = active {
                        head.extend(self.add(o, positive(quote!(#seed))));
                    }
                    pattern.push(if active.is_some() || named { quote!(#seed) } else { quote!(_) });
                }
                quote!((#(#pattern,)*))
            }
            Output::Array(s) => match &self.slot_derivs[*s] {
                Some(d) => {
                    let seed = &plan.seeds[0];
                    self.top_seed = match ir.rows_result {
                        Some(_) => quote!(#d.copy_from_slice(#seed.as_flattened());),
                        None => quote!(#d = #seed;),
                    };
                    quote!(#seed)
                }
                None => quote!(_),
            },
            Output::Unit => quote!(_),
        };
        (seed, seeds)
    }

    /// Mixed mode: the gradient of the parameter differentiated forwards, the seeds times
    /// the results' tangents.
    fn forward_gradient(&self, t: &Tangent, seeds: &[TokenStream]) -> TokenStream {
        let outputs: Vec<&Operand> = match &self.ir.output {
            Output::Scalar(o) => vec![o],
            Output::Tuple(items) => items.iter().collect(),
            Output::Array(_) | Output::Unit => Vec::new(),
        };
        let terms: Vec<TokenStream> = outputs
            .into_iter()
            .zip(seeds)
            .filter_map(|(o, seed)| t.forward.tangent(o).map(|d| quote!(#seed * #d)))
            .collect();
        let (g, sum) = (&t.gradient, if terms.is_empty() { quote!(0.0) } else { quote!(#(#terms)+*) });
        quote!(let #g = #sum;)
    }

    /// The shadows the closure takes, and their types: a slice's adjoint arrives as one;
    /// a by-value array's adjoint starts at zero (declared into `head`); what `tail`
    /// receives runs last.
    pub(super) fn shadows(
        &self,
        head: &mut TokenStream,
        tail: &mut TokenStream,
    ) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let float = self.float();
        let (mut shadows, mut types) = (Vec::new(), Vec::new());
        for (i, p) in self.func.params.iter().enumerate() {
            let slot = self.ir.param_slot(i);
            match (p.active, &p.shape, slot.and_then(|s| self.slot_derivs[s].clone())) {
                (true, Shape::Slice | Shape::Out, Some(d)) => {
                    shadows.push(quote!(#d));
                    types.push(quote!(&mut [#float]));
                }
                // Rows: their shadow, flattened like the rows themselves; rows of their own
                // lengths add a flat adjoint into it at the end.
                (true, Shape::Nested, Some(d)) => {
                    let s = p.referent();
                    types.push(quote!(&mut #s));
                    let Some(r) = self.ir.ragged.get(&i) else {
                        head.extend(quote!(let #d = #d.as_flattened_mut();));
                        shadows.push(quote!(#d));
                        continue;
                    };
                    let (shadow, krate) = (&r.shadow, &self.func.krate);
                    let flat = slot.map(|s| &self.ir.slots[s].name);
                    head.extend(quote!(let mut #d = ::std::vec![0.0; #flat.len()];));
                    tail.extend(quote!(#krate::__private::add_rows(#shadow, &#d);));
                    shadows.push(quote!(#shadow));
                }
                (true, Shape::Struct, _) => {
                    let shadow = &self.ir.structs[&i].derivative;
                    // Its array fields' shadows are parts of it.
                    for f in self.ir.fields.iter().filter(|f| f.param == i) {
                        if let FieldPlace::Array(s) = f.place
                            && let Some(ds) = &self.slot_derivs[s]
                        {
                            let (path, krate) = (&f.path, &self.func.krate);
                            // A `#[no_grad]` field's shadow is kept and put back at the end,
                            // so that its gradient goes nowhere (a copy only for constants:
                            // the slice the loops write stays the field itself).
                            let constant = crate::code::constant_field(krate, &p.ident, path);
                            let kept = quote::format_ident!("__{}_kept", ds);
                            let view = match f.row_len {
                                Some(_) => quote::format_ident!("field_rows_mut"),
                                None => quote::format_ident!("field_slice_mut"),
                            };
                            head.extend(quote! {
                                let #kept = #krate::__private::keep_if(&#shadow #(.#path)*, #constant);
                                let #ds = #krate::__private::#view::<#float, _>(&mut #shadow #(.#path)*);
                            });
                            tail.extend(quote!(#krate::__private::put_back(&mut #shadow #(.#path)*, #kept);));
                        }
                    }
                    if self.ir.struct_lent(i) {
                        let (calls, x, krate) = (&self.ir.structs[&i].calls, &p.ident, &self.func.krate);
                        head.extend(quote!(let mut #calls = #krate::differentiable::Differentiable::zeros_like(#x);));
                    }
                    shadows.push(quote!(#shadow));
                    let s = p.referent();
                    types.push(quote!(&mut #s));
                }
                (true, Shape::Array, Some(d)) => {
                    let len = array_len(&p.ty);
                    head.extend(quote!(let mut #d = [0.0; #len];));
                    shadows.push(quote!(_));
                    types.push(quote!(()));
                }
                _ => {
                    shadows.push(quote!(_));
                    types.push(quote!(()));
                }
            }
        }
        (shadows, types)
    }

    /// The closure's result: one gradient slot per parameter (`()` for constants and for
    /// slices, whose gradients went into their shadows).
    pub(super) fn gradients(&self) -> Vec<TokenStream> {
        let ir = self.ir;
        let grads = self.func.params.iter().enumerate().map(|(i, p)| {
            if !p.active {
                return quote!(());
            }
            if let Some(t) = self.tangent.filter(|t| t.param == i) {
                let g = &t.gradient;
                return quote!(#g);
            }
            match p.shape {
                Shape::Scalar => match ir.param(&p.ident) {
                    Some(v) if self.uses[v] > 0 => self.adjoint(v).to_tokens(),
                    _ => quote!(0.0),
                },
                Shape::Array => {
                    let d = ir.param_slot(i).and_then(|s| self.slot_derivs[s].clone());
                    quote!(#d)
                }
                Shape::Slice | Shape::Out | Shape::Struct | Shape::Nested => quote!(()),
                Shape::Tuple(_) => {
                    let elements = p.elements.iter().map(|e| match ir.param(e) {
                        Some(v) if self.uses[v] > 0 => self.adjoint(v).to_tokens(),
                        _ => quote!(0.0),
                    });
                    quote!((#(#elements,)*))
                }
            }
        });
        grads.collect()
    }

    /// The gradients of struct parameters' float fields, added into their shadows (their
    /// array fields' went in through their parts).
    pub(super) fn field_gradients(&self) -> TokenStream {
        let mut out = TokenStream::new();
        let krate = &self.func.krate;
        for (&i, s) in &self.ir.structs {
            if self.ir.struct_lent(i) {
                let (shadow, calls) = (&s.derivative, &s.calls);
                out.extend(quote!(#krate::differentiable::Differentiable::add_scaled(#shadow, 1.0, &#calls);));
            }
        }
        for f in &self.ir.fields {
            let (FieldPlace::Scalar(v), Some(shadow)) = (f.place, self.ir.structs.get(&f.param).map(|s| &s.derivative))
            else {
                continue;
            };
            if self.uses[v] > 0 {
                let (path, adjoint, krate) = (&f.path, self.adjoint(v).to_tokens(), &self.func.krate);
                let constant = crate::code::constant_field(krate, &self.func.params[f.param].ident, path);
                out.extend(quote! {
                    if !#constant {
                        #krate::__private::add_to_field(&mut #shadow #(.#path)*, #adjoint);
                    }
                });
            }
        }
        out
    }

    /// Emits a contribution to `value`'s adjoint.
    pub(super) fn add(&mut self, value: ValueId, term: Term) -> TokenStream {
        let d = &self.derivs[value];
        let t = &term.tokens;
        let out = if self.started[value] {
            if term.negative { quote!(#d -= #t;) } else { quote!(#d += #t;) }
        } else if self.uses[value] > 1 {
            let t = term.to_tokens();
            quote!(let mut #d = #t;)
        } else if term.negative && is_ident(t) {
            self.alias[value] = Some(term);
            TokenStream::new()
        } else {
            let t = term.to_tokens();
            quote!(let #d = #t;)
        };
        self.started[value] = true;
        out
    }

    /// `value`'s adjoint as a signed term.
    pub(super) fn adjoint(&self, value: ValueId) -> Term {
        match &self.alias[value] {
            Some(term) => term.clone(),
            None => {
                let d = &self.derivs[value];
                Term { negative: false, tokens: quote!(#d) }
            }
        }
    }

    fn adjoint_block(&mut self, block: &Block) -> TokenStream {
        let mut out = self.block_prologue(block);
        for stmt in block.iter().rev() {
            out.extend(self.adjoint_stmt(stmt));
        }
        out
    }

    /// What a block's adjoint starts with: its primal values given back (from histories,
    /// stacks, recomputed), early adjoints bound, its slots' adjoints declared.
    pub(super) fn block_prologue(&mut self, block: &Block) -> TokenStream {
        let ir = self.ir;
        let b = block.id;
        // A branch's `then` and `else` each start afresh.
        self.forget_zeroed();
        let mut out = TokenStream::new();
        let here: Vec<ValueId> = ir.values.keys().filter(|&v| self.block_of[v] == b).collect();
        // Restore what this region's primal values were, then bind early adjoints.
        for &v in &here {
            let name = &ir.values[v].name;
            if let Some((history, _, read)) = self.history_of.get(&v) {
                out.extend(quote!(let #name = #history[#read];));
            } else if let (Some(stack), Some(len)) = (&self.stacks[v], self.sliced.get(&v)) {
                out.extend(quote!(let #name = #stack.pop_slice(#len);));
            } else if let (Some(stack), false) = (&self.stacks[v], self.restored.contains(&v)) {
                let krate = &self.func.krate;
                out.extend(quote!(let #name = #krate::__private::pop(&mut #stack);));
            }
            if let Some((stack, byte)) = self.choices.get(&v) {
                let krate = &self.func.krate;
                out.extend(quote!(let #byte = #krate::__private::pop(&mut #stack);));
            }
            if let (Some(pb), true) = (&self.pullbacks[v], ir.values[v].depth.loops > 0) {
                let krate = &self.func.krate;
                let single = &self.popped[v];
                out.extend(quote!(let #single = #krate::__private::pop(&mut #pb);));
            }
        }
        for &v in &here {
            if self.storage[v] == Storage::Recompute {
                let value = &ir.values[v];
                let rhs = match (self.primal_rows.get(&v), self.snapshot_of(v), &value.op) {
                    (Some((row, local)), _, _) => quote!(#row[#local]),
                    (None, Some(copy), Op::Index { index, .. }) => {
                        let i = ir.tokens(index);
                        quote!(#copy[#i])
                    }
                    _ => code::primal(ir, value, self.float()),
                };
                out.extend(code::bind(value, rhs));
            }
        }
        // The copies this loop body's reads go through (see `reread`): they are read in the
        // blocks nested in it, after the array's length is back.
        for (k, (stack, copy)) in &self.snapshot_names {
            let snapshot = &self.rereads.snapshots[*k];
            if let (true, SlotKind::Array { len, .. }) = (snapshot.body == b, &ir.slots[snapshot.slot].kind) {
                let len = ir.tokens(len);
                out.extend(quote!(let #copy = #stack.pop_slice(#len);));
            }
        }
        for &v in &here {
            if ir.values[v].active && self.nested[v] && !self.started[v] {
                let d = &self.derivs[v];
                out.extend(quote!(let mut #d = 0.0;));
                self.started[v] = true;
            }
        }
        for &s in self.slots_of[b].clone().iter() {
            if let Some(d) = &self.slot_derivs[s] {
                out.extend(code::declare_derivative(ir, &ir.slots[s], d));
            }
        }
        if block.id == ir.body.id {
            out.extend(std::mem::take(&mut self.top_seed));
        }
        out
    }

    pub(super) fn adjoint_stmt(&mut self, stmt: &Stmt) -> TokenStream {
        match stmt {
            Stmt::Def(v) => self.adjoint_def(*v),
            Stmt::Declare(s) => {
                let ir = self.ir;
                match (&ir.slots[*s].kind, &self.slot_derivs[*s]) {
                    (SlotKind::Scalar { init }, Some(ds)) => match self.active(init) {
                        Some(a) => self.add(a, positive(quote!(#ds))),
                        None => TokenStream::new(),
                    },
                    _ => TokenStream::new(),
                }
            }
            Stmt::Set { slot, value } => {
                let Some(ds) = self.slot_derivs[*slot].clone() else { return TokenStream::new() };
                let mut out = match self.active(value) {
                    Some(a) => self.add(a, positive(quote!(#ds))),
                    None => TokenStream::new(),
                };
                out.extend(quote!(#ds = 0.0;));
                self.zeroed.insert(*slot);
                out
            }
            Stmt::Write { slot, index, value } => {
                let Some(element) = self.element(*slot, index) else { return TokenStream::new() };
                let mut out = match self.active(value) {
                    Some(a) => self.add(a, positive(element.clone())),
                    None => TokenStream::new(),
                };
                // An increment's read gives back what the write takes (see `increments`).
                if value.value().is_some_and(|w| self.increment_writes.contains(&w)) {
                    self.zeroed_element = None;
                    return out;
                }
                out.extend(quote!(#element = 0.0;));
                self.zeroed_element = match self.promoting.contains_key(slot) {
                    false => Some((*slot, self.ir.tokens(index).to_string())),
                    true => None,
                };
                out
            }
            Stmt::If { cond, then, els } => {
                self.forget_zeroed();
                let (then, els) = (self.adjoint_block(then), self.adjoint_block(els));
                self.forget_zeroed();
                if then.is_empty() && els.is_empty() {
                    return TokenStream::new();
                }
                let cond = &self.ir.tokens(cond);
                quote!(if #cond { #then } else { #els })
            }
            Stmt::For { var, iter, body, count } => self.adjoint_for(*var, iter, body, *count),
            Stmt::While { body, count, .. } => {
                self.forget_zeroed();
                let body = self.adjoint_block(body);
                self.forget_zeroed();
                if body.is_empty() {
                    return TokenStream::new();
                }
                let c = &self.ir.values[*count].name;
                quote!(for _ in 0..#c { #body })
            }
            Stmt::Break | Stmt::Continue => TokenStream::new(),
        }
    }

    /// A value's adjoint passed on to what it was computed from.
    fn adjoint_def(&mut self, v: ValueId) -> TokenStream {
        let ir = self.ir;
        let value = &ir.values[v];
        if !value.active || (self.uses[v] == 0 && !self.pullback_needed[v]) || self.increment_reads.contains(&v) {
            return TokenStream::new();
        }
        // An element just reset stays so through scalar work and other arrays' adjoints.
        let zeroed = self.zeroed_element.take();
        match (&value.op, &zeroed) {
            (Op::Prim { .. } | Op::Read(_), _) => self.zeroed_element = zeroed.clone(),
            (Op::Index { slot, .. }, Some((s, _))) if slot != s => self.zeroed_element = zeroed.clone(),
            _ => {}
        }
        match &value.op {
            Op::Prim { rule, args, .. } => {
                let adjoint = self.adjoint(v);
                let partials = match (self.choices.get(&v), rule.choice()) {
                    (Some((_, byte)), Some(choice)) => (choice.partials)(&quote!(#byte)),
                    _ => self.partials(v),
                };
                let mut out = TokenStream::new();
                for (a, p) in code::by_target(args.iter().map(|a| self.active(a)).zip(partials)) {
                    if let Some(term) = code::scale_term(&p, &adjoint) {
                        out.extend(self.add(a, term));
                    }
                }
                out
            }
            Op::Call { args, .. } => self.adjoint_call(v, args),
            Op::Read(s) => {
                let Some(ds) = &self.slot_derivs[*s] else { return TokenStream::new() };
                let term = self.adjoint(v);
                let Term { negative, tokens } = &term;
                if self.zeroed.remove(s) {
                    let t = term.to_tokens();
                    quote!(#ds = #t;)
                } else if *negative {
                    quote!(#ds -= #tokens;)
                } else {
                    quote!(#ds += #tokens;)
                }
            }
            Op::Index { slot, index } => {
                // An element a window holds: its register, written back by the loop.
                if let Some(reg) = self.window_regs.get(&v) {
                    let Term { negative, tokens } = self.adjoint(v);
                    return if negative { quote!(#reg -= #tokens;) } else { quote!(#reg += #tokens;) };
                }
                let element = match self.adjoint_rows.get(&v) {
                    Some((row, local)) => quote!(#row[#local]),
                    None => match self.element(*slot, index) {
                        Some(element) => element,
                        None => return TokenStream::new(),
                    },
                };
                let term = self.adjoint(v);
                let reset = !self.adjoint_rows.contains_key(&v)
                    && zeroed.is_some_and(|(s, i)| s == *slot && i == ir.tokens(index).to_string());
                let Term { negative, tokens } = &term;
                let add = if reset {
                    let t = term.to_tokens();
                    quote!(#element = #t;)
                } else if *negative {
                    quote!(#element -= #tokens;)
                } else {
                    quote!(#element += #tokens;)
                };
                if self.promoting.contains_key(slot) { add } else { self.if_wanted(*slot, add) }
            }
            _ => TokenStream::new(),
        }
    }

    /// `add`, a write into the shadow of `slot`, guarded by whether the caller wants it when
    /// `slot` is a slice parameter (see `__private::Wanted`): a constant once the pullback is
    /// instantiated, so that an unwanted shadow's adjoint is not computed at all.
    fn if_wanted(&self, slot: crate::ir::SlotId, add: TokenStream) -> TokenStream {
        let ir = self.ir;
        let param = self
            .func
            .params
            .iter()
            .enumerate()
            .position(|(i, p)| p.active && p.shape == Shape::Slice && ir.param_slot(i) == Some(slot));
        let Some(i) = param else { return add };
        let (krate, i) = (&self.func.krate, proc_macro2::Literal::usize_unsuffixed(i));
        quote!(if #krate::__private::wanted(__WANTED, #i) { #add })
    }

    /// Forgets which adjoints were just reset: code follows that may run in another order.
    fn forget_zeroed(&mut self) {
        self.zeroed.clear();
        self.zeroed_element = None;
    }

    /// The adjoint of `slot[index]`: an element of the slot's adjoint, or the scalar a loop
    /// keeps it in (see `promote`); `None` if the slot has no adjoint.
    fn element(&self, slot: crate::ir::SlotId, index: &Operand) -> Option<TokenStream> {
        if let Some(acc) = self.promoting.get(&slot) {
            return Some(quote!(#acc));
        }
        let ds = self.slot_derivs[slot].as_ref()?;
        let i = self.ir.tokens(index);
        Some(quote!(#ds[#i]))
    }

    /// A `for` loop run backwards: over its range reversed, reading its history slices (and
    /// through its rows), or, when it can `break`, over the values its variable took.
    fn adjoint_for(
        &mut self,
        var: ValueId,
        iter: &crate::ir::Iter,
        body: &Block,
        count: Option<ValueId>,
    ) -> TokenStream {
        let plan = self.plan;
        let (ir, krate) = (plan.ir, &plan.func.krate);
        let views = count.is_none().then(|| plan.adjoint_views.get(&var)).flatten();
        let (mut body, kept) = self.adjoint_body(var, body);
        if body.is_empty() {
            return TokenStream::new();
        }
        // The history this loop's body wrote as slices, read back from them.
        let mut histories = TokenStream::new();
        if let Some(History { trips, at, values }) = plan.histories.get(&var) {
            let code_iter = code::iter(ir, iter);
            histories.extend(quote!(let #trips = #krate::__private::trip_count(&#code_iter);));
            for v in values {
                let (stack, (history, _, _)) = (&plan.stacks[*v], &plan.history_of[v]);
                histories.extend(quote!(let #history = #stack.pop_slice(#trips);));
            }
            if let Some(at) = at {
                histories.extend(quote!(let mut #at = #trips;));
                body = quote!(#at -= 1; #body);
            }
        }
        let (name, code_iter) = (&ir.values[var].name, code::iter(ir, iter));
        let the_loop = match (views, count) {
            (Some(views), _) => views.around(ir, plan.float(), self.sliding(views, iter, name, body, false)),
            (None, Some(c)) => {
                let c = &ir.values[c].name;
                let visited = &plan.visited[&var];
                return quote!(for _ in 0..#c { let #name = #krate::__private::pop(&mut #visited); #body });
            }
            (None, None) => quote!(for #name in #code_iter.rev() { #body }),
        };
        let the_loop = self.kept_around(&kept, iter, the_loop);
        quote!(#histories #the_loop)
    }

    /// The adjoint of one iteration of the loop over `var`, with the elements it keeps in
    /// scalars (see `promote`).
    pub(super) fn adjoint_body(&mut self, var: ValueId, body: &Block) -> (TokenStream, Vec<Kept>) {
        let plan = self.plan;
        self.forget_zeroed();
        let kept = plan.promoted.get(&var).into_iter().flatten().filter(|p| !self.promoting.contains_key(&p.0));
        let kept: Vec<Kept> = kept.cloned().collect();
        for (slot, _, acc) in &kept {
            self.promoting.insert(*slot, acc.clone());
        }
        let body = self.adjoint_block(body);
        for (slot, ..) in &kept {
            self.promoting.remove(slot);
        }
        self.forget_zeroed();
        (body, kept)
    }

    /// `the_loop` with the elements it keeps in scalars read before it and written back
    /// after, only if it runs: their index may be out of bounds otherwise.
    pub(super) fn kept_around(&self, kept: &[Kept], iter: &crate::ir::Iter, the_loop: TokenStream) -> TokenStream {
        if kept.is_empty() {
            return the_loop;
        }
        let plan = self.plan;
        let (ir, krate) = (plan.ir, &plan.func.krate);
        let mut load = TokenStream::new();
        let mut store = TokenStream::new();
        for (slot, index, acc) in kept {
            let (ds, i) = (&plan.slot_derivs[*slot], ir.tokens(index));
            load.extend(quote!(let mut #acc = #ds[#i];));
            store.extend(self.if_wanted(*slot, quote!(#ds[#i] = #acc;)));
        }
        let code_iter = code::iter(ir, iter);
        quote!(if #krate::__private::trip_count(&#code_iter) > 0 { #load #the_loop #store })
    }
}

/// A closure of the adjoint's parts around its body: `move |seed, shadows|`, what passes the
/// seeds on and binds the shadows (`head`), and what runs last (`tail`).
pub(super) struct Heading {
    pub signature: TokenStream,
    pub head: TokenStream,
    pub tail: TokenStream,
}

/// An adjoint element a loop keeps in a scalar: its slot, index, and the scalar.
pub(super) type Kept = (crate::ir::SlotId, Operand, syn::Ident);

impl Render<'_, '_> {
    /// `for var in iter.rev() { body }` (or, `forwards`, `for var in iter { body }`) sliding
    /// over its windows' elements in registers (see `views::windows`): loaded before the loop
    /// and as it reaches them, stored as it leaves them and after it.
    pub(super) fn sliding(
        &self,
        views: &views::Views,
        iter: &crate::ir::Iter,
        var: &syn::Ident,
        body: TokenStream,
        forwards: bool,
    ) -> TokenStream {
        let ir = self.plan.ir;
        let code_iter = code::iter(ir, iter);
        let (mut before, mut enter, mut leave, mut after) =
            (TokenStream::new(), TokenStream::new(), TokenStream::new(), TokenStream::new());
        for w in &views.windows {
            let store = |code: TokenStream| self.if_wanted(w.slot, code);
            let w = w.walked(forwards);
            before.extend(w.before(ir, iter));
            enter.extend(w.enter(ir, iter, var));
            leave.extend(w.leave(ir, iter, var, &store));
            after.extend(w.after(ir, iter, &store));
        }
        let range = if forwards { code_iter } else { quote!(#code_iter.rev()) };
        quote!(#before for #var in #range { #enter #body #leave } #after)
    }
}

fn positive(tokens: TokenStream) -> Term {
    Term { negative: false, tokens }
}

fn is_ident(tokens: &TokenStream) -> bool {
    let mut iter = tokens.clone().into_iter();
    matches!((iter.next(), iter.next()), (Some(TokenTree::Ident(_)), None))
}

/// `N` of `[F; N]`.
fn array_len(ty: &syn::Type) -> TokenStream {
    match ty {
        syn::Type::Array(a) => a.len.to_token_stream(),
        syn::Type::Paren(p) => array_len(&p.elem),
        other => quote!(<#other>::LEN),
    }
}
