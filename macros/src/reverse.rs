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

use crate::ast::Function;
use crate::code::Term;
use crate::ir::{BlockId, IdVec, Ir, Nest, Op, Operand, Output, SlotId, SlotKind, Stmt, ValueId};
use crate::names::Names;
use crate::rules::Partial;
use crate::views;
use loops::History;

mod adjoint;
mod calls;
mod choices;
mod fused;
mod increments;
mod loops;
mod names;
mod primal;
mod promote;
mod reread;
mod rerun;
mod storage;
#[cfg(test)]
mod tests;
mod twins;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::collections::{HashMap, HashSet};
use syn::Ident;

pub struct Pullback {
    /// The primal sweep: statements before the closure.
    pub primal: TokenStream,
    /// The closure `move |seed: F, shadows| -> gradients { ... }`.
    pub closure: TokenStream,
    /// For `f_vjp`, when a loop can run with its adjoint (see `fused`): a closure
    /// `move |seed: F, shadows| -> (value, gradients)` that does both sweeps in one.
    pub fused: Option<TokenStream>,
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
    to: ValueId,
    from: Option<ValueId>,
    block: BlockId,
}

/// Everything reverse mode decides before writing code: where each value the adjoint sweep
/// needs is kept, how many adjoint contributions each value receives, the rows loops read
/// through, and every name the two sweeps bind. Built by `Plan::new`, then only read by the
/// renderers (`primal.rs`, `adjoint.rs`).
struct Plan<'a> {
    ir: &'a Ir,
    /// Every generated name comes from here, so none can capture a user's variable.
    names: &'a mut Names,
    func: &'a Function,
    derivs: &'a IdVec<ValueId, Option<Ident>>,
    slot_derivs: &'a IdVec<SlotId, Option<Ident>>,
    /// Defining block of each value.
    block_of: IdVec<ValueId, BlockId>,
    edges: Vec<Edge>,
    needed: IdVec<ValueId, bool>,
    storage: IdVec<ValueId, Storage>,
    /// Per call value: the variable (or stack) holding its pullback.
    pullbacks: IdVec<ValueId, Option<Ident>>,
    pullback_needed: IdVec<ValueId, bool>,
    /// Per call value in a loop: the name of its pullback popped in the adjoint loop.
    popped: IdVec<ValueId, Option<Ident>>,
    /// Per stacked value: its stack.
    stacks: IdVec<ValueId, Option<Ident>>,
    /// Values defined in a `for` loop without `break` (not in a `while` nested in it): their
    /// stacks get room for the loop's trip count before it starts, and the body pushes
    /// without growing.
    reserved: IdVec<ValueId, bool>,
    /// Accesses that adjoint loops make through rows (see `views`): per `Index` value, the
    /// row of its primal read and of its slice's adjoint, and the index into them.
    primal_rows: HashMap<ValueId, (Ident, TokenStream)>,
    adjoint_rows: HashMap<ValueId, (Ident, TokenStream)>,
    /// Per access: the register of a window its adjoint adds into (see `views::windows`).
    window_regs: HashMap<ValueId, Ident>,
    /// `for` loops (by loop variable) whose body's own float stacks are written and read as
    /// slices (see `histories`).
    histories: HashMap<ValueId, History>,
    /// The rows the primal sweep's `for` loops read parameters through (by loop variable),
    /// and per read its row and index.
    sweep_views: HashMap<ValueId, views::Views>,
    sweep_rows: HashMap<ValueId, (Ident, TokenStream)>,
    /// Per value: its history slice, and the index it is written at and read from.
    history_of: HashMap<ValueId, (Ident, TokenStream, TokenStream)>,
    /// Adjoint contributions each value receives, and whether one comes from another block.
    uses: IdVec<ValueId, usize>,
    nested: IdVec<ValueId, bool>,
    /// Slots declared in each block.
    slots_of: IdVec<BlockId, Vec<SlotId>>,
    /// The adjoint sweep's names (see `names.rs`): the results' seeds, in order; per call,
    /// the bindings of its gradient slots; per (call, argument), the scratch shadow of an
    /// array lent twice; per adjoint loop (by loop variable), its rows.
    seeds: Vec<Ident>,
    call_slots: HashMap<ValueId, Vec<Option<Ident>>>,
    scratch: HashMap<(ValueId, usize), Ident>,
    /// Per (call, argument): the buffer lent as the shadow of an array of floats that is
    /// not differentiated, one per call site, reused by every call it makes.
    discards: std::collections::BTreeMap<(ValueId, usize), Ident>,
    adjoint_views: HashMap<ValueId, views::Views>,
    /// Per loop variable of a `for` that can `break`: the stack of the values it took, which
    /// the adjoint loop pops (a range with `break` cannot in general be walked backwards:
    /// `(a..=b).take(n)` is not double-ended).
    visited: std::collections::BTreeMap<ValueId, Ident>,
    /// Scratch names for short-lived bindings in generated code: `(value, pullback)` of a
    /// call, the pair of elements in a scratch add.
    tmp: [Ident; 4],
    /// The parameter differentiated forwards in the primal sweep (see `mixed`), if any.
    tangent: Option<&'a Tangent<'a>>,
    /// Reads of local arrays the adjoint sweep makes again (see `reread`), and per snapshot
    /// that some recomputed read uses, its stack and the name of the copy popped from it.
    rereads: reread::Rereads,
    snapshot_names: std::collections::BTreeMap<usize, (Ident, Ident)>,
    /// Per adjoint `for` loop (by loop variable): the adjoint elements it accumulates in a
    /// scalar (see `promote`), with their index and the scalar's name.
    promoted: HashMap<ValueId, Vec<(SlotId, Operand, Ident)>>,
    /// Values that index one of the function's arrays somewhere, so are `usize`s.
    indexes: IdVec<ValueId, bool>,
    /// The reads and the sums of in-place increments `a[i] += e` (see `increments`).
    increment_reads: HashSet<ValueId>,
    increment_writes: HashSet<ValueId>,
    /// Copies deferred calls in loops take of a local array the closure owns: pushed as
    /// floats and copied back into the array itself before the call's pullback is made, so
    /// that no copy allocates (see `restorable`).
    restored: HashSet<ValueId>,
    /// Copies deferred calls in loops take of an `&mut` parameter they read, pushed as floats
    /// and read back as a slice of the stack for the call's pullback (the closure cannot
    /// borrow the parameter), with the name of its length, taken before the closure (see
    /// `storage::sliceable`).
    sliced: HashMap<ValueId, Ident>,
    /// Copies a deferred call takes of a local `Vec` it is lent to write, with the callee
    /// and the argument's position: not taken when the callee's `OVERWRITES` says it never
    /// reads what the array held; its pullback then re-runs the call in `scratch`, one
    /// buffer per copy reused by every call (see `storage::overwrites`).
    overwritable: HashMap<ValueId, (syn::Path, usize, Ident)>,
    /// Calls made again in the adjoint sweep rather than keeping their pullbacks (see
    /// `rerun`).
    reruns: IdVec<ValueId, bool>,
    /// The `&mut [usize]` parameters a re-run recursive call is lent, by call and argument:
    /// their elements at the call, pushed before it and popped for its re-run (see `rerun`).
    lent_indexes: HashMap<(ValueId, usize), rerun::LentIndexes>,
    /// `min`s and `max`s in loops whose adjoint reads which argument they picked, kept as a
    /// byte per iteration, rather than the arguments (see `rules::Choice`): the stack, and the
    /// byte's name in the adjoint sweep.
    choices: HashMap<ValueId, (Ident, Ident)>,
    /// Partials another value of the same block holds (see `twins`).
    twins: twins::Twins,
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

/// The emission state of the adjoint sweep over an immutable plan: which adjoints are bound
/// already (the first contribution is a `let`, later ones add), which are aliases, which
/// slots' adjoints were just reset. It follows the order the code is written in, so it lives
/// here rather than in the plan.
struct Render<'p, 'a> {
    plan: &'p Plan<'a>,
    started: IdVec<ValueId, bool>,
    /// A value whose only contribution is another adjoint negated (`a - b`'s `b`) is not
    /// bound: its uses take that adjoint with the sign flipped (`dx -= d * p`), which spares
    /// a negation the compiler may not fold away.
    alias: IdVec<ValueId, Option<Term>>,
    /// Scalar slots whose adjoint this straight-line stretch of the adjoint sweep has just
    /// reset to zero: the next contribution assigns instead of adding, so the compiler has no
    /// `0.0 + x` to keep (it may not fold it: `0.0 + -0.0` is `0.0`).
    zeroed: HashSet<SlotId>,
    /// Likewise the element of an array's adjoint that the last statement reset (`dqx[row] =
    /// 0.0;` for `qx[row] = qx[row] + ..`), by slot and index as written.
    zeroed_element: Option<(SlotId, String)>,
    /// The adjoint elements the loops being written accumulate in scalars (see `promote`).
    promoting: HashMap<SlotId, Ident>,
    /// `dout = seed;` for an array result, once its adjoint is declared.
    top_seed: TokenStream,
}

impl<'a> std::ops::Deref for Render<'_, 'a> {
    type Target = Plan<'a>;
    fn deref(&self) -> &Plan<'a> {
        self.plan
    }
}

/// The pullback of a function: reverse mode over the whole IR, or, where `mixed` finds a
/// scalar parameter read in loops, forwards for that parameter and backwards for the rest.
pub fn build(
    ir: &Ir,
    func: &Function,
    derivs: &IdVec<ValueId, Option<Ident>>,
    slot_derivs: &IdVec<SlotId, Option<Ident>>,
    names: &mut Names,
) -> Pullback {
    let Some(plan) = crate::mixed::plan(ir, func) else {
        return sweeps(ir, func, derivs, slot_derivs, names, None);
    };
    // Adjoint names are the tangents' of the full function, for what stays active.
    let rev_derivs: IdVec<ValueId, _> =
        plan.reverse.values.iter().map(|(v, value)| derivs[v].clone().filter(|_| value.active)).collect();
    let rev_slot_derivs: IdVec<SlotId, _> =
        plan.reverse.slots.iter().map(|(s, slot)| slot_derivs[s].clone().filter(|_| slot.active)).collect();
    let (fwd_derivs, fwd_slot_derivs) = crate::mixed::tangent_names(&plan, func, names);
    // Mixed mode applies to functions that call no differentiable function: no zeros to lend.
    let no_calls = std::collections::BTreeMap::new();
    let forward = crate::forward::Forward {
        ir: &plan.forward,
        derivs: &fwd_derivs,
        slot_derivs: &fwd_slot_derivs,
        float: &func.float,
        krate: &func.krate,
        zeros: &no_calls,
    };
    let one = fwd_derivs[plan.value].clone().expect("the parameter is active in its own plan");
    let gradient = derivs[plan.value].clone().expect("an active parameter has a derivative name");
    let tangent = Tangent { param: plan.param, forward: &forward, one, gradient };
    sweeps(&plan.reverse, func, &rev_derivs, &rev_slot_derivs, names, Some(&tangent))
}

/// Plans, then writes the primal sweep and the closure.
fn sweeps(
    ir: &Ir,
    func: &Function,
    derivs: &IdVec<ValueId, Option<Ident>>,
    slot_derivs: &IdVec<SlotId, Option<Ident>>,
    names: &mut Names,
    tangent: Option<&Tangent>,
) -> Pullback {
    let plan = Plan::new(ir, func, derivs, slot_derivs, names, tangent);
    let mut primal = TokenStream::new();
    if let Some(Tangent { one, .. }) = tangent {
        let f = &func.float;
        primal.extend(quote!(let #one: #f = 1.0;));
    }
    primal.extend(plan.primal_block(&ir.body));
    let closure = Render::new(&plan).closure();
    let fused = plan.fusable().map(|at| Render::new(&plan).fused_closure(at));
    Pullback { primal, closure, fused }
}

impl<'p, 'a> Render<'p, 'a> {
    /// Nothing written yet.
    fn new(plan: &'p Plan<'a>) -> Self {
        let n = plan.ir.values.len();
        Render {
            plan,
            started: IdVec::filled(n, false),
            alias: IdVec::filled(n, None),
            zeroed: HashSet::new(),
            zeroed_element: None,
            promoting: HashMap::new(),
            top_seed: TokenStream::new(),
        }
    }
}

impl<'a> Plan<'a> {
    fn new(
        ir: &'a Ir,
        func: &'a Function,
        derivs: &'a IdVec<ValueId, Option<Ident>>,
        slot_derivs: &'a IdVec<SlotId, Option<Ident>>,
        names: &'a mut Names,
        tangent: Option<&'a Tangent<'a>>,
    ) -> Self {
        let mut plan = Plan::empty(ir, func, derivs, slot_derivs, names, tangent);
        // Before the analysis: a deferred call's copy that the array itself serves is not needed.
        plan.rereads = reread::plan(ir);
        plan.plan_reruns();
        plan.find_twins();
        plan.analyse();
        plan.index_types();
        let outputs: Vec<&Operand> = match &ir.output {
            Output::Scalar(o) => vec![o],
            Output::Tuple(items) => items.iter().collect(),
            Output::Array(_) | Output::Unit => Vec::new(),
        };
        for o in outputs.into_iter().filter_map(|o| ir.active(o)) {
            plan.edges.push(Edge { to: o, from: None, block: ir.body.id });
        }
        plan.count_uses();
        plan.increments();
        plan.choose_storage();
        plan.restorable();
        plan.sliceable();
        plan.overwrites();
        plan.name_snapshots();
        plan.histories();
        plan.plan_sweep();
        plan.name_adjoint();
        plan
    }

    /// A plan that has decided nothing yet.
    fn empty(
        ir: &'a Ir,
        func: &'a Function,
        derivs: &'a IdVec<ValueId, Option<Ident>>,
        slot_derivs: &'a IdVec<SlotId, Option<Ident>>,
        names: &'a mut Names,
        tangent: Option<&'a Tangent<'a>>,
    ) -> Self {
        let n = ir.values.len();
        let per_value = |x| IdVec::filled(n, x);
        let tmp = ["__value", "__pullback", "__a", "__b"].map(|n| names.fresh(n, Span::call_site()));
        Plan {
            ir,
            names,
            func,
            derivs,
            slot_derivs,
            block_of: IdVec::filled(n, ir.body.id),
            edges: Vec::new(),
            needed: per_value(false),
            storage: IdVec::filled(n, Storage::Captured),
            pullbacks: IdVec::filled(n, None),
            pullback_needed: per_value(false),
            popped: IdVec::filled(n, None),
            stacks: IdVec::filled(n, None),
            reserved: per_value(false),
            primal_rows: HashMap::new(),
            adjoint_rows: HashMap::new(),
            window_regs: HashMap::new(),
            histories: HashMap::new(),
            sweep_views: HashMap::new(),
            sweep_rows: HashMap::new(),
            history_of: HashMap::new(),
            uses: IdVec::filled(n, 0),
            nested: per_value(false),
            slots_of: IdVec::filled(ir.blocks, Vec::new()),
            seeds: Vec::new(),
            call_slots: HashMap::new(),
            scratch: HashMap::new(),
            discards: std::collections::BTreeMap::new(),
            adjoint_views: HashMap::new(),
            tmp,
            visited: std::collections::BTreeMap::new(),
            tangent,
            rereads: reread::Rereads::default(),
            snapshot_names: std::collections::BTreeMap::new(),
            promoted: HashMap::new(),
            indexes: per_value(false),
            increment_reads: HashSet::new(),
            increment_writes: HashSet::new(),
            restored: HashSet::new(),
            sliced: HashMap::new(),
            overwritable: HashMap::new(),
            reruns: IdVec::filled(n, false),
            lent_indexes: HashMap::new(),
            choices: HashMap::new(),
            twins: HashMap::new(),
        }
    }
}

impl Plan<'_> {
    fn float(&self) -> &Ident {
        &self.func.float
    }

    fn active(&self, o: &Operand) -> Option<ValueId> {
        self.ir.active(o)
    }

    /// The active elements of a tuple operand, by position.
    fn tuple_active(&self, o: &Operand) -> Vec<(usize, ValueId)> {
        let Operand::Tuple(elements) = o else { return Vec::new() };
        elements.iter().enumerate().filter_map(|(k, e)| Some((k, self.active(e)?))).collect()
    }

    fn slot_active(&self, s: SlotId) -> bool {
        self.ir.slots[s].active
    }

    fn need(&mut self, o: &Operand) {
        if let Some(v) = o.value() {
            self.needed[v] = true;
        }
    }

    /// Records defining blocks, adjoint edges and the values the adjoint sweep reads.
    fn analyse(&mut self) {
        let ir = self.ir;
        crate::ir::walk(&ir.body, &mut |stmt, nest| self.analyse_stmt(stmt, nest));
    }

    /// An active value's adjoint edges, and which values its partials read.
    fn analyse_def(&mut self, v: ValueId, b: BlockId) {
        let value = &self.ir.values[v];
        match &value.op {
            Op::Prim { rule, args, .. } => {
                let partials = self.partials(v);
                let chosen = self.choose(v);
                for (i, ((a, p), (reads, result))) in args.iter().zip(&partials).zip(rule.reads()).enumerate() {
                    let Some(target) = self.active(a) else { continue };
                    if !matches!(p, Partial::Zero) {
                        self.edges.push(Edge { to: target, from: Some(v), block: b });
                    }
                    // A partial another value holds reads that value (see `twins`).
                    if let Some(&(twin, _)) = self.twins.get(&(v, i)).filter(|_| !chosen) {
                        self.needed[twin] = true;
                        continue;
                    }
                    // What the partial of an active argument reads, the adjoint sweep needs
                    // (of a choice, only the byte).
                    for i in reads.into_iter().filter(|_| !chosen) {
                        if let Some(read) = args[i].value() {
                            self.needed[read] = true;
                        }
                    }
                    if result {
                        self.needed[v] = true;
                    }
                }
            }
            Op::Call { args, snapshots, .. } => {
                let values = args.iter().flat_map(Operand::values);
                let active: Vec<ValueId> = values.filter(|&a| self.ir.values[a].active).collect();
                for a in active {
                    self.edges.push(Edge { to: a, from: Some(v), block: b });
                }
                // A deferred call is made again in the adjoint sweep, on the same arguments.
                if self.deferred(v) {
                    let copies: Vec<ValueId> =
                        snapshots.iter().flatten().copied().filter(|&c| !self.copy_unneeded(c)).collect();
                    for a in args.iter().flat_map(Operand::values).chain(copies) {
                        self.needed[a] = true;
                    }
                }
                // The adjoint passes the same parts of the arrays' adjoints.
                for part in args.iter().filter_map(|a| a.part()) {
                    let (start, end) = (part.start.clone(), part.end.clone());
                    self.need(&start);
                    if let Some(end) = end {
                        self.need(&end);
                    }
                }
            }
            Op::Index { index, .. } => {
                let index = index.clone();
                self.need(&index);
            }
            _ => {}
        }
    }

    /// Whether a deferred call's copy `c` of an array is the array itself at the adjoint
    /// sweep (nothing writes the array afterwards, see `reread`): then no copy is taken.
    pub(super) fn copy_unneeded(&self, c: ValueId) -> bool {
        self.rereads.of.get(&c) == Some(&reread::Reread::Array)
    }

    /// Marks the values that index an array.
    fn index_types(&mut self) {
        let ir = self.ir;
        crate::ir::walk(&ir.body, &mut |stmt, _| {
            let index = match stmt {
                Stmt::Def(v) => match &ir.values[*v].op {
                    Op::Index { index, .. } => index,
                    _ => return,
                },
                Stmt::Write { index, .. } => index,
                _ => return,
            };
            if let Some(i) = index.value() {
                self.indexes[i] = true;
            }
        });
    }

    fn analyse_stmt(&mut self, stmt: &Stmt, nest: Nest) {
        let b = nest.block;
        // A `while` loop's condition has no adjoint: a comparison ends every derivative.
        let condition = matches!(nest.innermost, Some(Stmt::While { cond, .. }) if cond.id == b);
        match stmt {
            Stmt::Def(v) => {
                self.block_of[*v] = b;
                // A `for` loop reserves its stacks, unless it can `break`: it may stop
                // long before its range ends (a Newton loop over `0..max_iter`), and
                // its stacks grow as it runs instead.
                self.reserved[*v] = matches!(nest.innermost, Some(Stmt::For { count: None, .. }));
                if self.ir.values[*v].active && !condition {
                    self.analyse_def(*v, b);
                }
            }
            Stmt::Declare(s) => {
                self.slots_of[b].push(*s);
                if !self.slot_active(*s) {
                    return;
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
            Stmt::If { cond, .. } => self.need(cond),
            Stmt::For { var, iter, body, count } => {
                self.block_of[*var] = body.id;
                self.need(&iter.start);
                self.need(&iter.end);
                for a in &iter.adapters {
                    if let crate::ir::Adapter::StepBy(k) = a {
                        self.need(k);
                    }
                }
                // A loop that can `break` keeps the values its variable took, and its count.
                if let Some(c) = count {
                    self.block_of[*c] = b;
                    self.needed[*c] = true;
                    let base = self.ir.values[*var].name.to_string();
                    let stack =
                        self.names.fresh(&format!("__{}_visited", base.trim_start_matches('_')), Span::call_site());
                    self.visited.insert(*var, stack);
                }
            }
            Stmt::While { count, .. } => {
                self.block_of[*count] = b;
                self.needed[*count] = true;
            }
            Stmt::Break | Stmt::Continue => {}
        }
    }

    /// Which contributions are made at all (a value whose adjoint is never reached makes
    /// none), and how many each value receives.
    fn count_uses(&mut self) {
        // A call that writes an active array through `&mut` is reached through that array's
        // adjoint, whether or not its own result is used: its pullback passes what it wrote
        // back to its inputs.
        let mut reached = self.ir.values.map(|v| v.active && writes_active(self.ir, v));
        loop {
            let mut changed = false;
            // Backwards: an edge's source is defined after its target, so in straight-line
            // code one pass reaches everything (forwards, one pass per value).
            for e in self.edges.iter().rev() {
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
        for (v, value) in self.ir.values.iter() {
            // A call that writes `&mut` arguments passes their adjoints back even when its
            // own result is unused.
            if matches!(value.op, Op::Call { .. })
                && value.active
                && (self.uses[v] > 0 || writes_active(self.ir, value))
            {
                self.pullback_needed[v] = true;
            }
        }
    }
}

/// Whether a value is a call that writes an active array through a `&mut` argument.
fn writes_active(ir: &Ir, value: &crate::ir::Value) -> bool {
    match &value.op {
        Op::Call { args, result, .. } => {
            args.iter().any(|a| a.lent_mut() && a.slot().is_some_and(|s| ir.slots[s].active))
                || result.is_some_and(|s| ir.slots[s].active)
        }
        _ => false,
    }
}
