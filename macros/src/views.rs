//! Row views for adjoint loops. An adjoint loop such as a dense layer's
//! `dw[j * n + i] += d * x[i]; dx[i] += d * w[j * n + i];` checks four bounds per iteration,
//! and a check that may panic mid-loop stops LLVM from vectorising it. When every index of a
//! slice in the loop is the loop variable plus something the loop does not change, the
//! adjoint sweep takes the row the loop walks once, before it (`&mut dw[j * n..j * n + n]`),
//! and indexes that with the loop variable: one check per loop instead of one per access,
//! as a hand-written gradient does with its row slices.
//!
//! Only accesses made in every iteration qualify (statements directly in the body, of a
//! `for` over `a..b` with no `break`): the primal loop made them all, so the row is in
//! bounds whenever the loop runs. A slice whose adjoint is touched any other way in the loop
//! (an access in a branch or an inner loop, a write, a call) keeps plain indexing: a row
//! borrowed mutably must be the only way in.

use crate::ir::{Adapter, Block, Id, Ir, Iter, Op, Operand, SlotId, SlotKind, Stmt, ValueId};
use crate::names::Names;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::collections::{HashMap, HashSet};
use syn::Ident;

mod windows;
pub use windows::Window;

/// The rows one adjoint loop reads and writes through.
pub struct Views {
    /// Invariant values defined in the body that the rows' offsets need, in order: the
    /// adjoint computes them once more before the loop.
    prelude: Vec<ValueId>,
    /// `let` bindings of the rows, before the loop.
    rows: TokenStream,
    /// Per access (an `Index` value): the row its primal read goes through, if any.
    pub primal: HashMap<ValueId, Ident>,
    /// Per access: the row of the slice's adjoint, if the adjoint goes through one.
    pub adjoint: HashMap<ValueId, Ident>,
    /// The index into a row: the loop variable, less the range's start if not 0.
    pub local: TokenStream,
    /// `a < b`: the rows exist only if the loop runs at all.
    runs: TokenStream,
    /// The adjoint elements the loop slides over in registers (see `windows`), and per
    /// access the register its adjoint adds into.
    pub windows: Vec<Window>,
    pub window_regs: HashMap<ValueId, Ident>,
}

impl Views {
    /// No rows yet, for the loop `for var in iter`.
    fn empty(ir: &Ir, var: ValueId, iter: &Iter) -> Views {
        let (start, end) = (&ir.tokens(&iter.start), &ir.tokens(&iter.end));
        Views {
            prelude: Vec::new(),
            rows: TokenStream::new(),
            primal: HashMap::new(),
            adjoint: HashMap::new(),
            local: if iter.start.is_zero() {
                let v = &ir.values[var].name;
                quote!(#v)
            } else {
                let v = &ir.values[var].name;
                quote!((#v - #start))
            },
            runs: quote!(#start < #end),
            windows: Vec::new(),
            window_regs: HashMap::new(),
        }
    }

    /// `the_loop` (this loop, forwards or backwards) with its rows taken before it: only if
    /// it runs, after the invariant offsets they need.
    pub fn around(&self, ir: &Ir, float: &Ident, the_loop: TokenStream) -> TokenStream {
        let (runs, rows) = (&self.runs, &self.rows);
        let prelude = self.prelude.iter().map(|&v| {
            let value = &ir.values[v];
            crate::code::bind(value, crate::code::primal(ir, value, float))
        });
        quote!(if #runs { #(#prelude)* #rows #the_loop })
    }
}

/// The rows of `for var in iter { body }`, if any access qualifies.
/// `recomputed(v)`: the adjoint loop reads value `v` again; `derivative(s)`: slot `s`'s adjoint.
pub fn plan(
    ir: &Ir,
    var: ValueId,
    iter: &Iter,
    body: &Block,
    recomputed: &dyn Fn(ValueId) -> bool,
    derivative: &dyn Fn(SlotId) -> Option<Ident>,
    names: &mut Names,
) -> Option<Views> {
    if iter.inclusive || iter.adapters.iter().any(|a| matches!(a, Adapter::StepBy(_))) {
        return None;
    }
    let scope = Scope::new(ir, var, body);
    // Each access directly in the body, with its offset, and every slot touched otherwise.
    let accesses = scope.accesses(body);
    let viewed: HashSet<ValueId> = accesses.iter().map(|a| a.0).collect();
    let mut other = HashSet::new();
    touched_otherwise(ir, body, &viewed, &mut other);

    let mut rows = Rows { ir, names, views: Views::empty(ir, var, iter), primal: Vec::new(), offsets: Vec::new() };
    for (v, slot, offset) in &accesses {
        let key = offset_key(ir, offset);
        let range = row_range(ir, offset, iter);
        // The primal row: a parameter slice, which nothing in the function writes.
        let read_only = matches!(ir.slots[*slot].kind, SlotKind::ArrayParam { .. }) && !other.contains(slot);
        if recomputed(*v) && read_only {
            let row = rows.primal_row(*slot, key.clone(), offset, &range);
            rows.views.primal.insert(*v, row);
        }
        // The adjoint's row: only if every access of the slot in the loop has this offset.
        let same = accesses.iter().filter(|a| a.1 == *slot).all(|a| offset_key(ir, &a.2) == key);
        if let (Some(d), true, false) = (derivative(*slot), same, other.contains(slot)) {
            let row = rows.adjoint_row(&accesses, *slot, &d, offset, &range);
            rows.views.adjoint.insert(*v, row);
        }
    }
    let Rows { mut views, offsets, names, .. } = rows;
    (views.windows, views.window_regs) = windows::plan(iter, &accesses, &other, derivative, names);
    if views.primal.is_empty() && views.adjoint.is_empty() && views.windows.is_empty() {
        return None;
    }
    for offset in offsets.iter().flatten() {
        scope.prelude(offset, &mut views.prelude);
    }
    views.prelude.sort_unstable();
    views.prelude.dedup();
    Some(views)
}

/// An access directly in a loop body: the `Index` value, its slot, and its offset from the
/// loop variable (see `Scope::offset`).
type Access = (ValueId, SlotId, Option<Operand>);

/// The part of a slice the loop walks at one offset: `o + start..o + end`.
fn row_range(ir: &Ir, offset: &Option<Operand>, iter: &Iter) -> TokenStream {
    let (start, end) = (&ir.tokens(&iter.start), &ir.tokens(&iter.end));
    match offset {
        Some(o) if iter.start.is_zero() => {
            let o = &ir.tokens(o);
            quote!(#o..#o + #end)
        }
        Some(o) => {
            let o = &ir.tokens(o);
            quote!(#o + #start..#o + #end)
        }
        None => quote!(#start..#end),
    }
}

/// The rows `plan` takes before one loop, and the offsets they need.
struct Rows<'a, 'n> {
    ir: &'a Ir,
    names: &'n mut Names,
    views: Views,
    /// The primal rows taken: the slot, the offset's key, the row.
    primal: Vec<(SlotId, String, Ident)>,
    /// The offsets of the rows taken, whose invariant values the prelude computes.
    offsets: Vec<Option<Operand>>,
}

impl Rows<'_, '_> {
    /// The primal row of `slot` at this offset: one already taken, or a new one.
    fn primal_row(&mut self, slot: SlotId, key: String, offset: &Option<Operand>, range: &TokenStream) -> Ident {
        let existing = self.primal.iter().find(|(s, k, _)| *s == slot && *k == key).map(|r| r.2.clone());
        existing.unwrap_or_else(|| {
            let name = &self.ir.slots[slot].name;
            let row =
                self.names.fresh(&format!("__{}_row", name.to_string().trim_start_matches('_')), Span::call_site());
            self.views.rows.extend(quote!(let #row = &#name[#range];));
            self.primal.push((slot, key, row.clone()));
            self.offsets.push(offset.clone());
            row
        })
    }

    /// The row of `slot`'s adjoint `d`: the one an earlier access took, or a new one.
    fn adjoint_row(
        &mut self,
        accesses: &[Access],
        slot: SlotId,
        d: &Ident,
        offset: &Option<Operand>,
        range: &TokenStream,
    ) -> Ident {
        match accesses.iter().find(|a| a.1 == slot && self.views.adjoint.contains_key(&a.0)) {
            Some(a) => self.views.adjoint[&a.0].clone(),
            None => {
                let row =
                    self.names.fresh(&format!("__{}_row", d.to_string().trim_start_matches('_')), Span::call_site());
                self.views.rows.extend(quote!(let #row = &mut #d[#range];));
                self.offsets.push(offset.clone());
                row
            }
        }
    }
}

struct Scope<'a> {
    ir: &'a Ir,
    var: ValueId,
    /// Values defined in the loop (the loop variable included).
    inside: HashSet<ValueId>,
    /// Values defined directly in its body.
    direct: HashSet<ValueId>,
}

impl<'a> Scope<'a> {
    /// The scope of the loop over `var` with this body.
    fn new(ir: &'a Ir, var: ValueId, body: &Block) -> Self {
        let mut inside = HashSet::from([var]);
        defined(body, &mut inside);
        let direct: HashSet<ValueId> =
            body.iter().filter_map(|s| if let Stmt::Def(v) = s { Some(*v) } else { None }).collect();
        Scope { ir, var, inside, direct }
    }

    /// Each access directly in the body whose index is the loop variable plus an invariant.
    fn accesses(&self, body: &Block) -> Vec<Access> {
        let mut accesses = Vec::new();
        for stmt in body {
            if let Stmt::Def(v) = stmt
                && let Op::Index { slot, index } = &self.ir.values[*v].op
                && let Some(offset) = self.offset(index)
            {
                accesses.push((*v, *slot, offset));
            }
        }
        accesses
    }

    /// `Some(None)` for an index `i`, `Some(Some(o))` for `o + i` or `i + o` with `o`
    /// invariant; `None` otherwise.
    fn offset(&self, index: &Operand) -> Option<Option<Operand>> {
        let v = index.value()?;
        if v == self.var {
            return Some(None);
        }
        if !self.direct.contains(&v) {
            return None;
        }
        let value = &self.ir.values[v];
        match &value.op {
            Op::Prim { rule, args, .. } if rule.is_add() && !value.active && args.len() == 2 => {
                let (a, b) = (&args[0], &args[1]);
                if a.value() == Some(self.var) && self.invariant(b) {
                    Some(Some(b.clone()))
                } else if b.value() == Some(self.var) && self.invariant(a) {
                    Some(Some(a.clone()))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Not changed by the loop: a constant, a value from outside it, or integer arithmetic
    /// in its body over such values.
    fn invariant(&self, o: &Operand) -> bool {
        let Some(v) = o.value() else { return o.slot().is_none() };
        if !self.inside.contains(&v) {
            return true;
        }
        let value = &self.ir.values[v];
        self.direct.contains(&v)
            && !value.active
            && match &value.op {
                Op::Opaque { args, .. } | Op::Prim { args, .. } => args.iter().all(|a| self.invariant(a)),
                _ => false,
            }
    }

    /// The body's values an invariant offset is computed from.
    fn prelude(&self, o: &Operand, out: &mut Vec<ValueId>) {
        let Some(v) = o.value() else { return };
        if !self.inside.contains(&v) {
            return;
        }
        if let Op::Opaque { args, .. } | Op::Prim { args, .. } = &self.ir.values[v].op {
            for a in args {
                self.prelude(a, out);
            }
        }
        out.push(v);
    }
}

fn offset_key(ir: &Ir, offset: &Option<Operand>) -> String {
    match offset {
        None => String::new(),
        Some(o) => match o.value() {
            Some(v) => format!("value {}", v.index()),
            None => ir.tokens(o).to_string(),
        },
    }
}

/// The values defined anywhere in `block`, loop variables and counts included.
fn defined(block: &Block, out: &mut HashSet<ValueId>) {
    crate::ir::walk(block, &mut |stmt, _| match stmt {
        Stmt::Def(v) | Stmt::While { count: v, .. } => {
            out.insert(*v);
        }
        Stmt::For { var, count, .. } => {
            out.insert(*var);
            out.extend(*count);
        }
        _ => {}
    });
}

/// Slots the loop touches other than by the accesses in `viewed`: writes, calls, and
/// accesses in branches or inner loops.
fn touched_otherwise(ir: &Ir, block: &Block, viewed: &HashSet<ValueId>, out: &mut HashSet<SlotId>) {
    crate::ir::walk(block, &mut |stmt, _| match stmt {
        Stmt::Def(v) => match &ir.values[*v].op {
            Op::Index { slot, .. } if !viewed.contains(v) => {
                out.insert(*slot);
            }
            Op::Call { args, result, .. } => out.extend(args.iter().filter_map(|a| a.slot()).chain(*result)),
            _ => {}
        },
        Stmt::Declare(slot) | Stmt::Set { slot, .. } | Stmt::Write { slot, .. } => {
            out.insert(*slot);
        }
        _ => {}
    });
}
