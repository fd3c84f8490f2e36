//! Reverse mode, JAX-style: `pullback` runs the primal sweep and returns the value with a
//! closure (the pullback) that runs the adjoint sweep. The closure captures the primal
//! values the adjoints need (the residuals), with no tape. A call to another
//! differentiable function `g` runs `g::pullback` in the primal sweep and calls the closure
//! it returned in the adjoint sweep, so each function's primal runs once however deep the
//! call chain: the gradient costs a constant factor over the primal, not one that grows with
//! the depth.
//!
//! Where a needed value lives decides how the adjoint sweep gets it back:
//! - at the top of the function: the closure captures it;
//! - in a branch outside any loop: it is hoisted (declared before, assigned in the branch);
//! - in a loop: each iteration overwrites it, so it is recomputed in the adjoint loop when
//!   that is free (integer index arithmetic, reads of parameters), else pushed on a stack in
//!   the primal loop and popped in the adjoint loop. An accumulator `s += w[i] * x[i]`
//!   thus stores nothing; a recurrence `y = (y * a[i]).sin()` stores its history. Float
//!   stacks come from a per-thread pool, so their buffers are reused across calls.
//!
//! Adjoints accumulate: a value used twice receives two contributions (`dx += ...`), the
//! lecture's "gradients add at branches". A value whose contributions all come from its own
//! region is bound at the first one with `let`, so straight-line code reads like a
//! hand-written gradient.
//!
//! One scalar parameter read in a loop may be differentiated forwards instead (see `mixed`):
//! the primal sweep then also runs its tangents (`Tangent`), and the closure returns the
//! seeds times the results' tangents as its gradient.

use crate::ast::{Function, Shape};
use crate::code::{self, Term};
use crate::ir::{Block, Ir, Op, Operand, Output, SlotKind, Stmt};
use crate::names::Names;
use crate::rules::Partial;
use crate::views;
use loops::History;

mod loops;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use std::collections::{HashMap, HashSet};
use syn::Ident;

pub struct Pullback {
    /// The primal sweep: statements before the closure.
    pub primal: TokenStream,
    /// The closure `move |seed: F, shadows| -> gradients { ... }`.
    pub closure: TokenStream,
}

#[derive(Clone, Copy, PartialEq)]
enum Storage {
    /// Not needed by the adjoint sweep, or defined where the closure captures it.
    Captured,
    Hoisted,
    Stack,
    Recompute,
}

/// A contribution to a value's adjoint, made by the statement in block `block`; `from` is
/// the value whose adjoint it propagates (`None`: always made).
struct Edge {
    to: usize,
    from: Option<usize>,
    block: usize,
}

struct Rev<'a> {
    ir: &'a Ir,
    /// Every generated name comes from here, so none can capture a user's variable.
    names: &'a mut Names,
    func: &'a Function,
    derivs: &'a [Option<Ident>],
    slot_derivs: &'a [Option<Ident>],
    /// Defining block of each value; block ids are the blocks' addresses.
    block_of: Vec<usize>,
    edges: Vec<Edge>,
    needed: Vec<bool>,
    storage: Vec<Storage>,
    /// Per call value: the variable (or stack) holding its pullback.
    pullbacks: Vec<Option<Ident>>,
    pullback_needed: Vec<bool>,
    /// Per call value in a loop: the name of its pullback popped in the adjoint loop.
    popped: Vec<Option<Ident>>,
    /// Per stacked value: its stack.
    stacks: Vec<Option<Ident>>,
    /// Values defined in a `for` loop (not in a `while` nested in it): their stacks get room
    /// for the loop's trip count before it starts, and the body pushes without growing.
    reserved: Vec<bool>,
    /// Whether `analyse` is inside a `for` loop's body (rather than a `while` loop's).
    in_for: bool,
    /// Scalar slots whose adjoint this straight-line stretch of the adjoint sweep has just
    /// reset to zero: the next contribution assigns instead of adding, so the compiler has no
    /// `0.0 + x` to keep (it may not fold it: `0.0 + -0.0` is `0.0`).
    zeroed: HashSet<usize>,
    /// Accesses that adjoint loops make through rows (see `views`): per `Index` value, the
    /// row of its primal read and of its slice's adjoint, and the index into them.
    primal_rows: HashMap<usize, (Ident, TokenStream)>,
    adjoint_rows: HashMap<usize, (Ident, TokenStream)>,
    /// `for` loops (by loop variable) whose body's own float stacks are written and read as
    /// slices (see `histories`).
    histories: HashMap<usize, History>,
    /// The rows the primal sweep's `for` loops read parameters through (by loop variable),
    /// and per read its row and index.
    sweep_views: HashMap<usize, views::Views>,
    sweep_rows: HashMap<usize, (Ident, TokenStream)>,
    /// Per value: its history slice, and the index it is written at and read from.
    history_of: HashMap<usize, (Ident, TokenStream, TokenStream)>,
    /// Adjoint contributions each value receives, and whether one comes from another block.
    uses: Vec<usize>,
    nested: Vec<bool>,
    started: Vec<bool>,
    /// A value whose only contribution is another adjoint negated (`a - b`'s `b`) is not
    /// bound: its uses take that adjoint with the sign flipped (`dx -= d * p`), which spares
    /// a negation the compiler may not fold away.
    alias: Vec<Option<Term>>,
    /// Slots declared in each block.
    slots_of: HashMap<usize, Vec<usize>>,
    /// `dout = seed;` for an array result, once its adjoint is declared.
    top_seed: TokenStream,
    /// Per loop variable of a `for` that can `break`: the stack of the values it took, which
    /// the adjoint loop pops (a range with `break` cannot in general be walked backwards:
    /// `(a..=b).take(n)` is not double-ended).
    visited: std::collections::BTreeMap<usize, Ident>,
    /// Scratch names for short-lived bindings in generated code: `(value, pullback)` of a
    /// call, the pair of elements in a scratch add.
    tmp: [Ident; 4],
    /// The parameter differentiated forwards in the primal sweep (see `mixed`), if any.
    tangent: Option<&'a Tangent<'a>>,
}

/// A parameter that reverse mode differentiates forwards (see `mixed`): the primal sweep
/// runs `forward`'s tangents beside its values, starting from `one`, the parameter's own
/// tangent; the closure binds its gradient to `gradient`.
pub struct Tangent<'a> {
    pub param: usize,
    pub forward: &'a crate::forward::Forward<'a>,
    pub one: Ident,
    pub gradient: Ident,
}

fn id(block: &Block) -> usize {
    block as *const Block as usize
}

pub fn build(
    ir: &Ir,
    func: &Function,
    derivs: &[Option<Ident>],
    slot_derivs: &[Option<Ident>],
    names: &mut Names,
    tangent: Option<&Tangent>,
) -> Pullback {
    let n = ir.values.len();
    let tmp = ["__value", "__pullback", "__a", "__b"].map(|n| names.fresh(n, Span::call_site()));
    let mut rev = Rev {
        ir,
        names,
        func,
        derivs,
        slot_derivs,
        block_of: vec![id(&ir.body); n],
        edges: Vec::new(),
        needed: vec![false; n],
        storage: vec![Storage::Captured; n],
        pullbacks: vec![None; n],
        pullback_needed: vec![false; n],
        popped: vec![None; n],
        stacks: vec![None; n],
        reserved: vec![false; n],
        in_for: false,
        zeroed: HashSet::new(),
        primal_rows: HashMap::new(),
        adjoint_rows: HashMap::new(),
        histories: HashMap::new(),
        sweep_views: HashMap::new(),
        sweep_rows: HashMap::new(),
        history_of: HashMap::new(),
        uses: vec![0; n],
        nested: vec![false; n],
        started: vec![false; n],
        alias: vec![None; n],
        slots_of: HashMap::new(),
        top_seed: TokenStream::new(),
        tmp,
        visited: std::collections::BTreeMap::new(),
        tangent,
    };
    rev.analyse(&ir.body);
    let outputs: Vec<&Operand> = match &ir.output {
        Output::Scalar(o) => vec![o],
        Output::Tuple(items) => items.iter().collect(),
        Output::Array(_) | Output::Unit => Vec::new(),
    };
    for o in outputs.into_iter().filter_map(|o| ir.active(o)) {
        rev.edges.push(Edge { to: o, from: None, block: id(&ir.body) });
    }
    rev.count_uses();
    rev.choose_storage();
    rev.histories(&ir.body);
    rev.plan_sweep(&ir.body);
    let mut primal = TokenStream::new();
    if let Some(Tangent { one, .. }) = tangent {
        let f = &func.float;
        primal.extend(quote!(let #one: #f = 1.0;));
    }
    primal.extend(rev.primal_block(&ir.body));
    let closure = rev.closure();
    Pullback { primal, closure }
}

impl Rev<'_> {
    fn float(&self) -> &Ident {
        &self.func.float
    }

    fn active(&self, o: &Operand) -> Option<usize> {
        self.ir.active(o)
    }

    fn slot_active(&self, s: usize) -> bool {
        self.ir.slots[s].active
    }

    fn need(&mut self, o: &Operand) {
        if let Some(v) = o.value {
            self.needed[v] = true;
        }
    }

    /// Records defining blocks, adjoint edges and the values the adjoint sweep reads.
    fn analyse(&mut self, block: &Block) {
        let b = id(block);
        for stmt in block {
            match stmt {
                Stmt::Def(v) => {
                    let v = *v;
                    self.block_of[v] = b;
                    self.reserved[v] = self.in_for;
                    let value = &self.ir.values[v];
                    if !value.active {
                        continue;
                    }
                    match &value.op {
                        Op::Prim { args, .. } => {
                            let partials = code::partials(self.ir, value, self.float());
                            let mut read = HashSet::new();
                            for (a, p) in args.iter().zip(&partials) {
                                if let (Some(a), Partial::Expr(t)) = (self.active(a), p) {
                                    let _ = a;
                                    idents(t.clone(), &mut read);
                                }
                                if let (Some(a), false) = (self.active(a), matches!(p, Partial::Zero)) {
                                    self.edges.push(Edge { to: a, from: Some(v), block: b });
                                }
                            }
                            for a in args.iter().filter_map(|a| a.value).chain([v]) {
                                if read.contains(&self.ir.values[a].name.to_string()) {
                                    self.needed[a] = true;
                                }
                            }
                        }
                        Op::Call { args, .. } => {
                            let active: Vec<usize> = args.iter().filter_map(|a| self.ir.active(a)).collect();
                            for a in active {
                                self.edges.push(Edge { to: a, from: Some(v), block: b });
                            }
                        }
                        Op::Index { index, .. } => {
                            let index = index.clone();
                            self.need(&index);
                        }
                        _ => {}
                    }
                }
                Stmt::Declare(s) => {
                    self.slots_of.entry(b).or_default().push(*s);
                    if !self.slot_active(*s) {
                        continue;
                    }
                    match &self.ir.slots[*s].kind {
                        SlotKind::Scalar { init } => {
                            if let Some(a) = self.active(init) {
                                self.edges.push(Edge { to: a, from: None, block: b });
                            }
                        }
                        SlotKind::Array { len, .. } => {
                            let len = len.clone();
                            self.need(&len);
                        }
                        SlotKind::ArrayParam { .. } | SlotKind::OutParam => {}
                    }
                }
                Stmt::Set { slot, value } => {
                    if let (true, Some(a)) = (self.slot_active(*slot), self.active(value)) {
                        self.edges.push(Edge { to: a, from: None, block: b });
                    }
                }
                Stmt::Write { slot, index, value, .. } => {
                    if self.slot_active(*slot) {
                        self.need(index);
                        if let Some(a) = self.active(value) {
                            self.edges.push(Edge { to: a, from: None, block: b });
                        }
                    }
                }
                Stmt::If { cond, then, els } => {
                    self.need(cond);
                    self.analyse(then);
                    self.analyse(els);
                }
                Stmt::For { var, iter, body, count } => {
                    self.block_of[*var] = id(body);
                    self.need(&iter.start);
                    self.need(&iter.end);
                    for a in &iter.adapters {
                        if let crate::ir::Adapter::StepBy(k) = a {
                            self.need(k);
                        }
                    }
                    if let Some(c) = count {
                        self.block_of[*c] = b;
                        self.needed[*c] = true;
                        let base = self.ir.values[*var].name.to_string();
                        let stack =
                            self.names.fresh(&format!("__{}_visited", base.trim_start_matches('_')), Span::call_site());
                        self.visited.insert(*var, stack);
                    }
                    let outer = std::mem::replace(&mut self.in_for, true);
                    self.analyse(body);
                    self.in_for = outer;
                }
                Stmt::While { cond, body, count, .. } => {
                    // The condition has no adjoint: a comparison ends every derivative.
                    for s in cond {
                        if let Stmt::Def(v) = s {
                            self.block_of[*v] = id(cond);
                        }
                    }
                    self.block_of[*count] = b;
                    self.needed[*count] = true;
                    let outer = std::mem::replace(&mut self.in_for, false);
                    self.analyse(body);
                    self.in_for = outer;
                }
                Stmt::Break | Stmt::Continue => {}
            }
        }
    }

    /// Which contributions are made at all (a value whose adjoint is never reached makes
    /// none), and how many each value receives.
    fn count_uses(&mut self) {
        let n = self.ir.values.len();
        let mut reached = vec![false; n];
        loop {
            let mut changed = false;
            for e in &self.edges {
                if !reached[e.to] && e.from.is_none_or(|f| reached[f]) {
                    reached[e.to] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for e in &self.edges {
            if e.from.is_none_or(|f| reached[f]) {
                self.uses[e.to] += 1;
                if e.block != self.block_of[e.to] {
                    self.nested[e.to] = true;
                }
            }
        }
        // A call whose result is unreached needs no pullback.
        for (v, value) in self.ir.values.iter().enumerate() {
            // A call that writes `&mut` arguments passes their adjoints back even when its
            // own result is unused.
            let writes = matches!(&value.op, Op::Call { args, .. } if args.iter().any(|a| a.lent_mut));
            if matches!(value.op, Op::Call { .. }) && value.active && (self.uses[v] > 0 || writes) {
                self.pullback_needed[v] = true;
            }
        }
    }

    /// Storage for each needed value; recomputing a value needs its arguments in turn.
    fn choose_storage(&mut self) {
        let values = &self.ir.values;
        loop {
            let mut changed = false;
            for (v, value) in values.iter().enumerate() {
                if !self.needed[v] || value.depth.loops == 0 || !self.recomputable(v) {
                    continue;
                }
                for a in self.args(v) {
                    if !self.needed[a] {
                        self.needed[a] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        for (v, value) in values.iter().enumerate() {
            self.storage[v] = if !self.needed[v] || matches!(value.op, Op::Param | Op::LoopVar) {
                Storage::Captured
            } else if value.depth.loops > 0 && self.recomputable(v) {
                Storage::Recompute
            } else if value.depth.loops > 0 {
                Storage::Stack
            } else if value.depth.branches > 0 {
                Storage::Hoisted
            } else {
                Storage::Captured
            };
            let base = value.name.to_string();
            let base = base.trim_start_matches('_');
            if self.pullback_needed[v] {
                let suffix = if value.depth.loops > 0 { "pullbacks" } else { "pullback" };
                self.pullbacks[v] = Some(self.names.fresh(&format!("__{base}_{suffix}"), value.name.span()));
                if value.depth.loops > 0 {
                    self.popped[v] = Some(self.names.fresh(&format!("__{base}_pullback"), value.name.span()));
                }
            }
            if self.storage[v] == Storage::Stack {
                self.stacks[v] = Some(self.names.fresh(&format!("__{base}_stack"), value.name.span()));
            }
        }
    }

    fn args(&self, v: usize) -> Vec<usize> {
        match &self.ir.values[v].op {
            Op::Const { args, .. } | Op::Prim { args, .. } | Op::Call { args, .. } => {
                args.iter().filter_map(|a| a.value).collect()
            }
            Op::Index { index, .. } => index.value.into_iter().collect(),
            _ => Vec::new(),
        }
    }

    /// Cheap and pure given values the adjoint loop already has: index arithmetic, lengths,
    /// reads of parameters (which nothing overwrites), one arithmetic operation on those.
    fn recomputable(&self, v: usize) -> bool {
        let value = &self.ir.values[v];
        let pure = match &value.op {
            Op::Const { .. } | Op::Len(_) => true,
            // Inactive arithmetic (`j * n + i`) is integer or constant work; one add, subtract
            // or multiply of values at hand (`t[i] - o[i]`) is cheaper than a push and a pop.
            Op::Prim { rule, .. } => !value.active || ["+", "-", "*", "neg", "copy", "as"].contains(&rule.name),
            Op::Index { slot, .. } => matches!(self.ir.slots[*slot].kind, SlotKind::ArrayParam { .. }),
            _ => false,
        };
        pure && self.args(v).into_iter().all(|a| {
            let arg = &self.ir.values[a];
            arg.depth.loops == 0 || matches!(arg.op, Op::LoopVar) || (a < v && self.recomputable(a))
        })
    }

    // ---- primal sweep ----

    fn primal_block(&self, block: &Block) -> TokenStream {
        let mut out = TokenStream::new();
        if std::ptr::eq(block, &self.ir.body) {
            out.extend(self.hoisted_declarations());
        }
        for stmt in block {
            out.extend(self.primal_stmt(stmt));
        }
        out
    }

    fn hoisted_declarations(&self) -> TokenStream {
        let mut out = TokenStream::new();
        let krate = &self.func.krate;
        for stack in self.visited.values() {
            out.extend(quote!(let mut #stack = #krate::__private::AnyStack::new();));
        }
        for (v, value) in self.ir.values.iter().enumerate() {
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
                    out.extend(if value.active {
                        let f = self.float();
                        quote!(let mut #stack = #krate::__private::Stack::<#f>::new();)
                    } else {
                        quote!(let mut #stack = #krate::__private::AnyStack::new();)
                    });
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
            Stmt::Def(v) => {
                let v = *v;
                let value = &ir.values[v];
                let name = &value.name;
                let mut out = match &value.op {
                    Op::Call { func, args } => {
                        let args = args.iter().map(|a| &a.tokens);
                        let top = value.depth.loops == 0 && value.depth.branches == 0;
                        let [tmp_value, tmp_pullback, _, _] = &self.tmp;
                        let bind = if self.storage[v] == Storage::Hoisted {
                            quote!(#name = #tmp_value;)
                        } else {
                            quote!(let #name = #tmp_value;)
                        };
                        match &self.pullbacks[v] {
                            Some(pb) if top => quote!(let (#name, #pb) = #func::pullback(#(#args),*);),
                            Some(pb) => {
                                let store = if self.reserved[v] {
                                    quote!(#pb.push_reserved(#tmp_pullback);)
                                } else if value.depth.loops > 0 {
                                    quote!(#pb.push(#tmp_pullback);)
                                } else {
                                    quote!(#pb = ::core::option::Option::Some(#tmp_pullback);)
                                };
                                quote!(let (#tmp_value, #tmp_pullback) = #func::pullback(#(#args),*); #bind #store)
                            }
                            None if self.storage[v] == Storage::Hoisted => quote!(#name = #func(#(#args),*);),
                            None => quote!(let #name = #func(#(#args),*);),
                        }
                    }
                    _ => {
                        let rhs = match self.sweep_rows.get(&v) {
                            Some((row, local)) => quote!(#row[#local]),
                            None => code::primal(ir, value, self.float()),
                        };
                        if self.storage[v] == Storage::Hoisted { quote!(#name = #rhs;) } else { code::bind(value, rhs) }
                    }
                };
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
            Stmt::Declare(s) => code::declare(&ir.slots[*s]).unwrap_or_default(),
            Stmt::Set { slot, value } => {
                let (name, value) = (&ir.slots[*slot].name, &value.tokens);
                quote!(#name = #value;)
            }
            Stmt::Write { slot, index, value, add } => {
                let (name, index, value) = (&ir.slots[*slot].name, &index.tokens, &value.tokens);
                if *add { quote!(#name[#index] += #value;) } else { quote!(#name[#index] = #value;) }
            }
            Stmt::If { cond, then, els } => {
                let (cond, then, els) = (&cond.tokens, self.primal_block(then), self.primal_block(els));
                quote!(if #cond { #then } else { #els })
            }
            Stmt::For { var, iter, body, count } => {
                let var_id = *var;
                let mut reserve = self.reserve(body, &code::iter(iter));
                let (var, iter, mut body) = (&ir.values[*var].name, code::iter(iter), self.primal_block(body));
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
                        let (start, c_name) = self.count_start(*c);
                        let push = self.count_push(*c);
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
            Stmt::While { cond, test, body, count } => {
                let (cond, test, body) = (self.primal_block(cond), &test.tokens, self.primal_block(body));
                let (start, c_name) = self.count_start(*count);
                let push = self.count_push(*count);
                quote!(#start loop { #cond if !(#test) { break; } #c_name += 1; #body } #push)
            }
            Stmt::Break => quote!(break;),
            Stmt::Continue => quote!(continue;),
        }
    }

    fn count_start(&self, c: usize) -> (TokenStream, &Ident) {
        let name = &self.ir.values[c].name;
        let start =
            if self.storage[c] == Storage::Hoisted { quote!(#name = 0usize;) } else { quote!(let mut #name = 0usize;) };
        (start, name)
    }

    fn count_push(&self, c: usize) -> TokenStream {
        let name = &self.ir.values[c].name;
        match &self.stacks[c] {
            Some(stack) => quote!(#stack.push(#name);),
            None => TokenStream::new(),
        }
    }

    // ---- adjoint sweep ----

    fn closure(&mut self) -> TokenStream {
        let ir = self.ir;
        let float = self.float().clone();
        let mut head = TokenStream::new();
        // The seed: the adjoint of the result, shaped like it.
        let output_type = self.func.output_type();
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
                    let seed = self.names.fresh("seed", Span::call_site());
                    head.extend(self.add(o, positive(quote!(#seed))));
                    seeds.push(quote!(#seed));
                    quote!(#seed)
                }
                // A constant result: the seed has nowhere to go.
                None if !named => quote!(_),
                None => {
                    let seed = self.names.fresh("seed", Span::call_site());
                    seeds.push(quote!(#seed));
                    quote!(#seed)
                }
            },
            Output::Tuple(items) => {
                let mut pattern = Vec::new();
                for (i, o) in items.iter().enumerate() {
                    let seed = self.names.fresh(&format!("seed{i}"), Span::call_site());
                    seeds.push(quote!(#seed));
                    if let Some(o) = ir.active(o) {
                        head.extend(self.add(o, positive(quote!(#seed))));
                        pattern.push(quote!(#seed));
                    } else if named {
                        pattern.push(quote!(#seed));
                    } else {
                        pattern.push(quote!(_));
                    }
                }
                quote!((#(#pattern,)*))
            }
            Output::Array(s) => match &self.slot_derivs[*s] {
                Some(d) => {
                    let seed = self.names.fresh("seed", Span::call_site());
                    self.top_seed = quote!(#d = #seed;);
                    quote!(#seed)
                }
                None => quote!(_),
            },
            Output::Unit => quote!(_),
        };
        let forward_gradient = self.tangent.map(|t| {
            let outputs: Vec<&Operand> = match &ir.output {
                Output::Scalar(o) => vec![o],
                Output::Tuple(items) => items.iter().collect(),
                Output::Array(_) | Output::Unit => Vec::new(),
            };
            let terms: Vec<TokenStream> = outputs
                .into_iter()
                .zip(&seeds)
                .filter_map(|(o, seed)| t.forward.tangent(o).map(|d| quote!(#seed * #d)))
                .collect();
            let g = t.gradient.clone();
            let sum = if terms.is_empty() { quote!(0.0) } else { quote!(#(#terms)+*) };
            head.extend(quote!(let #g = #sum;));
            (t.param, g)
        });
        // Adjoints of by-value array parameters start at zero; slices arrive as shadows.
        let mut shadows = Vec::new();
        let mut shadow_types = Vec::new();
        for (i, p) in self.func.params.iter().enumerate() {
            let slot = ir.slots.iter().position(|s| s.param == Some(i));
            match (p.active, &p.shape, slot.and_then(|s| self.slot_derivs[s].clone())) {
                (true, Shape::Slice | Shape::Out, Some(d)) => {
                    shadows.push(quote!(#d));
                    shadow_types.push(quote!(&mut [#float]));
                }
                (true, Shape::Array, Some(d)) => {
                    let len = array_len(&p.ty);
                    head.extend(quote!(let mut #d = [0.0; #len];));
                    shadows.push(quote!(_));
                    shadow_types.push(quote!(()));
                }
                _ => {
                    shadows.push(quote!(_));
                    shadow_types.push(quote!(()));
                }
            }
        }
        let body = self.adjoint_block(&ir.body);
        let grads = self.func.params.iter().enumerate().map(|(i, p)| {
            if !p.active {
                return quote!(());
            }
            if let Some((_, g)) = forward_gradient.as_ref().filter(|(param, _)| *param == i) {
                return quote!(#g);
            }
            match p.shape {
                Shape::Scalar => {
                    let v = ir.values.iter().position(|v| matches!(v.op, Op::Param) && v.name == p.ident);
                    match v {
                        Some(v) if self.uses[v] > 0 => self.adjoint(v).to_tokens(),
                        _ => quote!(0.0),
                    }
                }
                Shape::Array => {
                    let s = ir.slots.iter().position(|s| s.param == Some(i));
                    let d = s.and_then(|s| self.slot_derivs[s].clone());
                    quote!(#d)
                }
                Shape::Slice | Shape::Out => quote!(()),
            }
        });
        quote!(move |#seed: #output_type, (#(#shadows,)*): (#(#shadow_types,)*)| {
            #head
            #body
            (#(#grads,)*)
        })
    }

    /// Emits a contribution to `value`'s adjoint.
    fn add(&mut self, value: usize, term: Term) -> TokenStream {
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
    fn adjoint(&self, value: usize) -> Term {
        match &self.alias[value] {
            Some(term) => term.clone(),
            None => {
                let d = &self.derivs[value];
                Term { negative: false, tokens: quote!(#d) }
            }
        }
    }

    fn adjoint_block(&mut self, block: &Block) -> TokenStream {
        let ir = self.ir;
        let b = id(block);
        // A branch's `then` and `else` each start afresh.
        self.zeroed.clear();
        let mut out = TokenStream::new();
        let here: Vec<usize> = (0..ir.values.len()).filter(|&v| self.block_of[v] == b).collect();
        // Restore what this region's primal values were, then bind early adjoints.
        for &v in &here {
            let name = &ir.values[v].name;
            if let Some((history, _, read)) = self.history_of.get(&v) {
                out.extend(quote!(let #name = #history[#read];));
            } else if let Some(stack) = &self.stacks[v] {
                let krate = &self.func.krate;
                out.extend(quote!(let #name = #krate::__private::pop(&mut #stack);));
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
                let rhs = match self.primal_rows.get(&v) {
                    Some((row, local)) => quote!(#row[#local]),
                    None => code::primal(ir, value, self.float()),
                };
                out.extend(code::bind(value, rhs));
            }
        }
        for &v in &here {
            if ir.values[v].active && self.nested[v] && !self.started[v] {
                let d = &self.derivs[v];
                out.extend(quote!(let mut #d = 0.0;));
                self.started[v] = true;
            }
        }
        for &s in self.slots_of.get(&b).cloned().unwrap_or_default().iter() {
            if let Some(d) = &self.slot_derivs[s] {
                out.extend(code::declare_derivative(&ir.slots[s], d));
            }
        }
        if std::ptr::eq(block, &ir.body) {
            out.extend(std::mem::take(&mut self.top_seed));
        }
        for stmt in block.iter().rev() {
            out.extend(self.adjoint_stmt(stmt));
        }
        out
    }

    fn adjoint_stmt(&mut self, stmt: &Stmt) -> TokenStream {
        let ir = self.ir;
        let krate = self.func.krate.clone();
        let float = self.float().clone();
        let mut out = TokenStream::new();
        match stmt {
            Stmt::Def(v) => {
                let v = *v;
                let value = &ir.values[v];
                if !value.active || (self.uses[v] == 0 && !self.pullback_needed[v]) {
                    return out;
                }
                let d = self.derivs[v].clone().expect("active values have derivative names");
                // An unused result of a call run for its outputs: its adjoint is zero.
                let seed = if self.uses[v] == 0 {
                    quote!(::core::default::Default::default())
                } else {
                    self.adjoint(v).to_tokens()
                };
                match &value.op {
                    Op::Prim { args, .. } => {
                        let adjoint = self.adjoint(v);
                        let partials = code::partials(ir, value, &float);
                        for (a, p) in code::by_target(args.iter().map(|a| self.active(a)).zip(partials)) {
                            if let Some(term) = code::scale_term(&p, &adjoint) {
                                out.extend(self.add(a, term));
                            }
                        }
                    }
                    Op::Call { args, .. } => {
                        let pb = match &self.pullbacks[v] {
                            Some(_) if value.depth.loops > 0 => {
                                let single = &self.popped[v];
                                quote!(#single)
                            }
                            Some(pb) if value.depth.branches > 0 => {
                                quote!(#krate::__private::take(&mut #pb))
                            }
                            Some(pb) => quote!(#pb),
                            None => return out,
                        };
                        let base = d.to_string();
                        let base = base.trim_start_matches('_');
                        // One binding per gradient slot we use: active scalars, and active
                        // arrays (a by-value array parameter returns its gradient here; a
                        // slice parameter's went into the shadow and its slot is `()`).
                        let slots: Vec<Option<Ident>> = args
                            .iter()
                            .enumerate()
                            .map(|(i, a)| {
                                let used = self.active(a).is_some() || a.slot.is_some_and(|s| self.slot_active(s));
                                used.then(|| self.names.fresh(&format!("__{base}_{i}"), Span::call_site()))
                            })
                            .collect();
                        let pattern = slots.iter().map(|s| match s {
                            Some(s) => quote!(#s),
                            None => quote!(_),
                        });
                        // An array passed twice (`dot(&a, &a)`) cannot lend its adjoint twice:
                        // the second shadow is a scratch buffer, added in afterwards.
                        let mut lent = HashSet::new();
                        let mut after = TokenStream::new();
                        let shadows: Vec<TokenStream> = args
                            .iter()
                            .enumerate()
                            .map(|(i, a)| match a.slot {
                                Some(s) => match &self.slot_derivs[s] {
                                    Some(ds) if lent.insert(s) => quote!(#krate::__private::shadow(&mut #ds[..])),
                                    Some(ds) => {
                                        let scratch =
                                            self.names.fresh(&format!("__{base}_scratch{i}"), Span::call_site());
                                        out.extend(quote!(let mut #scratch = ::std::vec![0.0; #ds.len()];));
                                        let [_, _, a, b] = &self.tmp;
                                        after.extend(
                                            quote!(for (#a, #b) in #ds.iter_mut().zip(&#scratch) { *#a += *#b; }),
                                        );
                                        quote!(#krate::__private::shadow(&mut #scratch[..]))
                                    }
                                    None => {
                                        let name = &ir.slots[s].name;
                                        quote!(#krate::__private::shadow(&mut ::std::vec![0.0; #name.len()][..]))
                                    }
                                },
                                None => quote!(()),
                            })
                            .collect();
                        out.extend(quote!(let (#(#pattern,)*) = #pb(#seed, (#(#shadows,)*));));
                        out.extend(after);
                        for (a, slot) in args.iter().zip(&slots) {
                            let Some(slot) = slot else { continue };
                            if let Some(a) = self.active(a) {
                                let tokens = quote!(#krate::__private::cotangent::<#float, _>(#slot));
                                out.extend(self.add(a, Term { negative: false, tokens }));
                            } else if let Some(Some(ds)) = a.slot.map(|s| &self.slot_derivs[s]) {
                                out.extend(quote!(#krate::__private::accumulate(&mut #ds[..], #slot);));
                            }
                        }
                    }
                    Op::Read(s) => {
                        if let Some(ds) = &self.slot_derivs[*s] {
                            let term = self.adjoint(v);
                            let Term { negative, tokens } = &term;
                            out.extend(if self.zeroed.remove(s) {
                                let t = term.to_tokens();
                                quote!(#ds = #t;)
                            } else if *negative {
                                quote!(#ds -= #tokens;)
                            } else {
                                quote!(#ds += #tokens;)
                            });
                        }
                    }
                    Op::Index { slot, index } => {
                        if let Some(ds) = &self.slot_derivs[*slot] {
                            let i = &index.tokens;
                            let (ds, i) = match self.adjoint_rows.get(&v) {
                                Some((row, local)) => (row, local),
                                None => (ds, i),
                            };
                            let Term { negative, tokens } = self.adjoint(v);
                            out.extend(if negative {
                                quote!(#ds[#i] -= #tokens;)
                            } else {
                                quote!(#ds[#i] += #tokens;)
                            });
                        }
                    }
                    _ => {}
                }
            }
            Stmt::Declare(s) => {
                if let (SlotKind::Scalar { init }, Some(ds)) = (&ir.slots[*s].kind, &self.slot_derivs[*s]) {
                    if let Some(a) = self.active(init) {
                        let ds = ds.clone();
                        out.extend(self.add(a, positive(quote!(#ds))));
                    }
                }
            }
            Stmt::Set { slot, value } => {
                if let Some(ds) = self.slot_derivs[*slot].clone() {
                    if let Some(a) = self.active(value) {
                        out.extend(self.add(a, positive(quote!(#ds))));
                    }
                    out.extend(quote!(#ds = 0.0;));
                    self.zeroed.insert(*slot);
                }
            }
            Stmt::Write { slot, index, value, add } => {
                if let Some(ds) = self.slot_derivs[*slot].clone() {
                    let i = &index.tokens;
                    if let Some(a) = self.active(value) {
                        out.extend(self.add(a, positive(quote!(#ds[#i]))));
                    }
                    if !add {
                        out.extend(quote!(#ds[#i] = 0.0;));
                    }
                }
            }
            Stmt::If { cond, then, els } => {
                self.zeroed.clear();
                let (then, els) = (self.adjoint_block(then), self.adjoint_block(els));
                self.zeroed.clear();
                if !(then.is_empty() && els.is_empty()) {
                    let cond = &cond.tokens;
                    out.extend(quote!(if #cond { #then } else { #els }));
                }
            }
            Stmt::For { var, iter, body, count } => {
                self.zeroed.clear();
                let views = match count {
                    None => {
                        let storage = &self.storage;
                        let slot_derivs = self.slot_derivs;
                        let recomputed = |v: usize| storage[v] == Storage::Recompute;
                        let derivative = |s: usize| slot_derivs[s].clone();
                        views::plan(ir, *var, iter, body, &recomputed, &derivative, self.names)
                    }
                    Some(_) => None,
                };
                if let Some(views) = &views {
                    for (v, row) in &views.primal {
                        self.primal_rows.insert(*v, (row.clone(), views.local.clone()));
                    }
                    for (v, row) in &views.adjoint {
                        self.adjoint_rows.insert(*v, (row.clone(), views.local.clone()));
                    }
                }
                let mut body = self.adjoint_block(body);
                self.zeroed.clear();
                // The history this loop's body wrote as slices, read back from them.
                let mut histories = TokenStream::new();
                if let (Some(History { trips, at, values }), false) = (self.histories.get(var), body.is_empty()) {
                    let code_iter = code::iter(iter);
                    histories.extend(quote!(let #trips = #krate::__private::trip_count(&#code_iter);));
                    for v in values {
                        let (stack, (history, _, _)) = (&self.stacks[*v], &self.history_of[v]);
                        histories.extend(quote!(let #history = #stack.pop_slice(#trips);));
                    }
                    if let Some(at) = at {
                        histories.extend(quote!(let mut #at = #trips;));
                        body = quote!(#at -= 1; #body);
                    }
                }
                if let (Some(views), false) = (&views, body.is_empty()) {
                    let (var, iter) = (&ir.values[*var].name, code::iter(iter));
                    let the_loop = views.around(ir, &float, quote!(for #var in #iter.rev() { #body }));
                    out.extend(quote!(#histories #the_loop));
                } else if !body.is_empty() {
                    let var_id = *var;
                    let (var, iter) = (&ir.values[*var].name, code::iter(iter));
                    out.extend(match count {
                        Some(c) => {
                            let c = &ir.values[*c].name;
                            let visited = &self.visited[&var_id];
                            let krate = &self.func.krate;
                            quote!(for _ in 0..#c { let #var = #krate::__private::pop(&mut #visited); #body })
                        }
                        None => quote!(#histories for #var in #iter.rev() { #body }),
                    });
                }
            }
            Stmt::While { body, count, .. } => {
                self.zeroed.clear();
                let body = self.adjoint_block(body);
                self.zeroed.clear();
                if !body.is_empty() {
                    let c = &ir.values[*count].name;
                    out.extend(quote!(for _ in 0..#c { #body }));
                }
            }
            Stmt::Break | Stmt::Continue => {}
        }
        out
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

fn idents(ts: TokenStream, out: &mut HashSet<String>) {
    for tt in ts {
        match tt {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}
