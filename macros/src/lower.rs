//! Lowering: a fenced function body becomes the IR. Expressions are flattened into
//! single-assignment values; `let` bindings name them; a variable reassigned in the same
//! region is renamed (`y`, `y_2`), one assigned inside a branch or loop becomes a mutable
//! slot; arrays are slots. `break`/`continue` are made structured here: the statements after
//! `if c { break; }` move into its `else`, so every region has one way out, which is what
//! lets reverse mode run a loop body backwards.
//!
//! Lowering decides nothing about activity: `activity` does that afterwards, because in a
//! loop a value can become active through an assignment further down.

use crate::ast::{Errors, Function, Returns, Shape};
use crate::ir::{
    Block, BlockId, Depth, Id, IdVec, Ir, Op, Operand, Output, Slot, SlotId, SlotKind, Stmt, Value, ValueId,
};
use crate::names::Names;
use crate::rules;
use proc_macro2::Span;
use quote::{ToTokens, quote};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Pat, Stmt as SynStmt, Type};

mod control;
mod expr;
use control::{
    assigned_in_region, block_has_value, diverges, else_diverges, if_has_value, last_region_assignments,
    match_has_value, may_exit,
};
use expr::compound;

pub fn lower(func: &Function, names: &mut Names) -> syn::Result<Ir> {
    let mut lower = Lower {
        func,
        names,
        values: IdVec::new(),
        slots: IdVec::new(),
        scopes: vec![HashMap::new()],
        blocks: vec![Vec::new()],
        block_ids: 1,
        errors: Errors::default(),
        temps: 0,
        unnamed: Vec::new(),
        depth: Depth::default(),
        exits: Vec::new(),
        later: Vec::new(),
    };
    let stmts = &func.item.block.stmts;
    for (i, p) in func.params.iter().enumerate() {
        let name = lower.names.user(&p.ident);
        if p.shape == Shape::Scalar {
            let id = lower.push(name, Op::Param, p.ident.span());
            lower.values[id].active = p.active;
            let value = lower.operand(id);
            // A `mut` parameter reassigned in a branch or loop is a slot, as a `let mut`
            // local would be, starting from the parameter's value.
            if p.mutable && assigned_in_region(stmts, &p.ident) {
                let name = lower.names.user(&p.ident);
                let kind = SlotKind::Scalar { init: value };
                let slot = lower.slot(Slot { name, ty: Some(p.ty.clone()), kind, active: false, param: None });
                lower.emit(Stmt::Declare(slot));
                lower.bind(&p.ident, Binding::Slot(slot));
            } else {
                lower.bind(&p.ident, Binding::Value(value));
            }
        } else {
            let kind = match p.shape {
                Shape::Out => SlotKind::OutParam,
                _ => SlotKind::ArrayParam { by_value: p.shape == Shape::Array },
            };
            let slot = lower.slot(Slot { name, ty: None, kind, active: p.active, param: Some(i) });
            lower.bind(&p.ident, Binding::Slot(slot));
        }
    }
    let output = match (&func.returns, stmts.split_last()) {
        (Returns::Unit, _) => {
            lower.stmts(stmts);
            Some(Output::Unit)
        }
        (Returns::Scalar, _) | (_, None) => lower.stmts(stmts).map(Output::Scalar),
        (shape, Some((last, init))) => {
            lower.stmts(init);
            lower.output(shape, last)
        }
    };
    let body = Block { id: BlockId::new(0), stmts: lower.blocks.pop().unwrap_or_default() };
    lower.errors.finish()?;
    let output =
        output.ok_or_else(|| syn::Error::new_spanned(&func.item.block, "the function must end with its value"))?;
    Ok(Ir { values: lower.values, slots: lower.slots, body, blocks: lower.block_ids, output })
}

#[derive(Clone)]
enum Binding {
    Value(Operand),
    Slot(SlotId),
}

struct Lower<'a> {
    func: &'a Function,
    names: &'a mut Names,
    values: IdVec<ValueId, Value>,
    slots: IdVec<SlotId, Slot>,
    /// Innermost scope last: user variable name -> its current value or slot.
    scopes: Vec<HashMap<String, Binding>>,
    /// The statements of the blocks being built, innermost last.
    blocks: Vec<Vec<Stmt>>,
    /// Blocks numbered so far (the body is block 0).
    block_ids: usize,
    errors: Errors,
    temps: usize,
    /// Values named by `temp`, which a following `let` may rename to the user's name.
    unnamed: Vec<ValueId>,
    depth: Depth,
    /// Per enclosing loop body, the (exited, broke) flags of the guarded statements being
    /// lowered: a nested `break`/`continue` sets them instead of leaving (see `guarded`).
    exits: Vec<Vec<(SlotId, SlotId)>>,
    /// Per statement list being lowered, innermost last: the last statement that assigns
    /// each name inside a branch or loop (see `last_region_assignments`), and the index of
    /// the statement being lowered; `None` while a statement is lowered without its rest.
    later: Vec<Option<(HashMap<String, usize>, usize)>>,
}

/// An error already reported to `Lower::errors`; lowering of the enclosing node stops.
struct Reported;

type Result<T> = std::result::Result<T, Reported>;

impl Lower<'_> {
    fn emit(&mut self, stmt: Stmt) {
        self.blocks.last_mut().expect("the body block is never popped").push(stmt);
    }

    /// A new value, defined here.
    fn push(&mut self, name: Ident, op: Op, span: Span) -> ValueId {
        let id = self.values.push(Value { name, ty: None, op, active: false, depth: self.depth, span, origin: None });
        if !matches!(self.values[id].op, Op::Param | Op::LoopVar | Op::Count) {
            self.emit(Stmt::Def(id));
        }
        id
    }

    fn slot(&mut self, slot: Slot) -> SlotId {
        self.slots.push(slot)
    }

    fn operand(&self, id: ValueId) -> Operand {
        Operand { tokens: self.values[id].name.to_token_stream(), value: Some(id), slot: None, lent_mut: false }
    }

    fn error(&mut self, node: impl ToTokens, msg: impl std::fmt::Display) -> Reported {
        self.errors.push(syn::Error::new_spanned(node, msg));
        Reported
    }

    /// Syntax the fence refuses with a message of its own, so that lowering never meets it.
    /// Should one slip through, this is still a compile error, never a panic.
    fn fenced(&mut self, node: impl ToTokens) -> Reported {
        self.error(node, "this is not supported by #[differentiable]")
    }

    fn temp(&mut self, span: Span) -> Ident {
        self.temps += 1;
        self.unnamed.push(self.values.next_id());
        self.names.fresh(&format!("__t{}", self.temps), span)
    }

    /// The iteration count of a loop ending here: defined by the loop statement itself.
    fn count(&mut self, span: Span) -> ValueId {
        let name = self.names.fresh("__iterations", span);
        self.values.push(Value { name, ty: None, op: Op::Count, active: false, depth: self.depth, span, origin: None })
    }

    /// A new temporary value computed by `op`.
    fn value(&mut self, op: Op, span: Span) -> Operand {
        let name = self.temp(span);
        let id = self.push(name, op, span);
        self.operand(id)
    }

    /// A value whose errors (if its arguments turn out active) cover all of `node`.
    fn value_from(&mut self, op: Op, node: &dyn ToTokens) -> Operand {
        let o = self.value(op, node.to_token_stream().span());
        if let Some(v) = o.value {
            self.values[v].origin = Some(node.to_token_stream());
        }
        o
    }

    fn lookup(&self, name: &str) -> Option<Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name).cloned())
    }

    fn bind(&mut self, ident: &Ident, b: Binding) {
        self.scopes.last_mut().expect("the function scope is never popped").insert(ident.to_string(), b);
    }

    /// Reassignment of a renamed variable: updates it in the scope that declared it.
    fn rebind(&mut self, ident: &Ident, b: Binding) {
        let key = ident.to_string();
        if let Some(scope) = self.scopes.iter_mut().rev().find(|s| s.contains_key(&key)) {
            scope.insert(key, b);
        }
    }

    /// Binds the result of `init` to a user variable. A value created by the expression
    /// itself takes the user's name; an existing value or a literal is copied, so the
    /// name survives in the generated code.
    fn named(&mut self, ident: &Ident, ty: Option<&Type>, init: Operand, created_after: ValueId) -> Operand {
        if let Some(v) =
            // `unnamed` is ascending: `temp` pushes the index the next value takes.
            init.value.filter(|&v| {
                v >= created_after && v.index() + 1 == self.values.len() && self.unnamed.binary_search(&v).is_ok()
            })
        {
            self.values[v].name = self.names.user(ident);
            self.values[v].ty = ty.cloned();
            return self.operand(v);
        }
        let name = self.names.user(ident);
        let copy = rules::copy();
        let id = self.push(name, Op::Prim { rule: copy, args: vec![init], callee: None }, ident.span());
        self.values[id].ty = ty.cloned();
        self.operand(id)
    }

    /// Whether a name is assigned inside a branch or loop after the statement being lowered
    /// (in the rest of its statement list).
    fn assigned_later(&self, ident: &Ident) -> bool {
        match self.later.last() {
            Some(Some((last, at))) => last.get(&ident.to_string()).is_some_and(|&j| j > *at),
            _ => false,
        }
    }

    /// A block of the given statements, with the next block id.
    fn block(&mut self, stmts: Vec<Stmt>) -> Block {
        self.block_ids += 1;
        Block { id: BlockId::new(self.block_ids - 1), stmts }
    }

    /// Runs `f` inside a new region (block and scope) and returns the block it built.
    fn region(&mut self, loops: usize, f: impl FnOnce(&mut Self) -> Option<Operand>) -> (Block, Option<Operand>) {
        let saved = self.depth;
        self.depth.loops += loops;
        self.depth.branches += 1 - loops;
        self.blocks.push(Vec::new());
        self.scopes.push(HashMap::new());
        let value = f(self);
        self.scopes.pop();
        self.depth = saved;
        let stmts = self.blocks.pop().unwrap_or_default();
        (self.block(stmts), value)
    }

    /// Lowers statements; returns the value of the trailing expression or `return`.
    fn stmts(&mut self, stmts: &[SynStmt]) -> Option<Operand> {
        self.later.push(Some((last_region_assignments(stmts), 0)));
        let result = self.stmts_in(stmts);
        self.later.pop();
        result
    }

    fn stmts_in(&mut self, stmts: &[SynStmt]) -> Option<Operand> {
        let mut result = None;
        for (i, stmt) in stmts.iter().enumerate() {
            if let Some(Some((_, at))) = self.later.last_mut() {
                *at = i;
            }
            // `if c { ..; break; }` followed by more: the rest belongs to the `else`.
            if let SynStmt::Expr(Expr::If(e), _) = stmt {
                let rest = &stmts[i + 1..];
                if !rest.is_empty() && (diverges(&e.then_branch.stmts) || else_diverges(e)) {
                    let _ = self.if_stmt(e, rest);
                    return None;
                }
            }
            // A `break`/`continue` nested deeper in `stmt`: the rest runs under `if !exited`,
            // so the adjoint loop knows which statements the last iteration skipped.
            let rest = &stmts[i + 1..];
            if !rest.is_empty() && !self.exits.is_empty() && may_exit(stmt) {
                let _ = self.guarded(stmt, rest);
                return None;
            }
            match self.stmt(stmt, &stmts[i + 1..]) {
                Ok(Some(value)) => result = Some(value),
                Ok(None) => result = None,
                Err(Reported) => {}
            }
            // What follows a `break`/`continue` in the same block never runs.
            if matches!(stmt, SynStmt::Expr(Expr::Break(_) | Expr::Continue(_), _)) {
                return None;
            }
        }
        result
    }

    /// `stmt`, then `rest` only if `stmt` did not leave the iteration. A `break`/`continue`
    /// inside `stmt` only sets flags: the iteration then ends after the guarded `rest`
    /// (`if broke { break; }`), so every iteration the adjoint loop replays ran its body to
    /// the end and recorded what the adjoint needs.
    fn guarded(&mut self, stmt: &SynStmt, rest: &[SynStmt]) -> Result<()> {
        let exited = self.flag("__exited", stmt);
        let broke = self.flag("__broke", stmt);
        // The flags stay in force over `rest` too: a `break` there must not leave before
        // the `if broke` below either.
        self.exits.last_mut().expect("inside a loop body").push((exited, broke));
        self.later.push(None);
        let lowered = self.stmt(stmt, &[]);
        self.later.pop();
        if lowered.is_ok() {
            let read = self.value(Op::Read(exited), stmt.span());
            let t = &read.tokens;
            let code = quote!(!#t);
            let cond =
                self.value(Op::Const { code, args: vec![read], active_ok: true, why: String::new() }, stmt.span());
            let (then, _) = self.region(0, |l| {
                l.stmts(rest);
                None
            });
            let els = self.block(Vec::new());
            self.emit(Stmt::If { cond, then, els });
        }
        self.exits.last_mut().expect("inside a loop body").pop();
        lowered?;
        // Leaving for real, or, inside an enclosing guard, through its flags.
        let cond = self.value(Op::Read(broke), stmt.span());
        let (then, _) = self.region(0, |l| {
            l.exit(true);
            None
        });
        let els = self.block(Vec::new());
        self.emit(Stmt::If { cond, then, els });
        Ok(())
    }

    /// A `bool` slot declared `false` here.
    fn flag(&mut self, base: &str, node: &SynStmt) -> SlotId {
        let name = self.names.fresh(base, node.span());
        let init = Operand::constant(quote!(false));
        let flag = self.slot(Slot { name, ty: None, kind: SlotKind::Scalar { init }, active: false, param: None });
        self.emit(Stmt::Declare(flag));
        flag
    }

    /// `break` (or `continue`): a real one, or inside a guarded statement, flags that the
    /// enclosing guard acts on.
    fn exit(&mut self, is_break: bool) {
        match self.exits.last().and_then(|flags| flags.last()).copied() {
            Some((exited, broke)) => {
                // Every guard between here and the loop body learns that the iteration ended.
                let flags = self.exits.last().cloned().unwrap_or_default();
                for (e, _) in flags {
                    self.emit(Stmt::Set { slot: e, value: Operand::constant(quote!(true)) });
                }
                let _ = exited;
                if is_break {
                    self.emit(Stmt::Set { slot: broke, value: Operand::constant(quote!(true)) });
                }
            }
            None => self.emit(if is_break { Stmt::Break } else { Stmt::Continue }),
        }
    }

    fn stmt(&mut self, stmt: &SynStmt, rest: &[SynStmt]) -> Result<Option<Operand>> {
        match stmt {
            SynStmt::Local(local) => {
                let (pat, ty) = match &local.pat {
                    Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
                    p => (p, None),
                };
                let (Pat::Ident(p), Some(init)) = (pat, &local.init) else {
                    return Err(self.fenced(local));
                };
                if let Some(kind) = self.array_init(&init.expr)? {
                    return self.declare_array(&p.ident, ty, kind, &init.expr).map(|_| None);
                }
                let start = self.values.next_id();
                let value = self.expr(&init.expr)?;
                if p.mutability.is_some() && self.assigned_later(&p.ident) {
                    let name = self.names.user(&p.ident);
                    let slot = self.slot(Slot {
                        name,
                        ty: ty.cloned(),
                        kind: SlotKind::Scalar { init: value },
                        active: false,
                        param: None,
                    });
                    self.emit(Stmt::Declare(slot));
                    self.bind(&p.ident, Binding::Slot(slot));
                } else {
                    let value = self.named(&p.ident, ty, value, start);
                    self.bind(&p.ident, Binding::Value(value));
                }
                Ok(None)
            }
            SynStmt::Expr(Expr::Assign(a), _) => {
                let value = self.expr(&a.right)?;
                self.assign(&a.left, value).map(|_| None)
            }
            SynStmt::Expr(Expr::Binary(b), _) if compound(&b.op).is_some() => {
                let Some(symbol) = compound(&b.op) else {
                    return Err(self.fenced(b.op));
                };
                let current = self.expr(&b.left)?;
                let rhs = self.expr(&b.right)?;
                let value = self.binary(symbol, current, rhs, b.span());
                self.assign(&b.left, value).map(|_| None)
            }
            SynStmt::Expr(Expr::Return(r), _) => match &r.expr {
                Some(e) => self.expr(e).map(Some),
                None => Err(self.fenced(r)),
            },
            // The fence has refused labels and values.
            SynStmt::Expr(Expr::Break(_), _) => {
                self.exit(true);
                Ok(None)
            }
            SynStmt::Expr(Expr::Continue(_), _) => {
                self.exit(false);
                Ok(None)
            }
            SynStmt::Expr(Expr::If(e), semi) if semi.is_some() || !rest.is_empty() || !if_has_value(e) => {
                self.if_stmt(e, &[]).map(|_| None)
            }
            SynStmt::Expr(Expr::Match(m), semi) if semi.is_some() || !rest.is_empty() || !match_has_value(m) => {
                let desugared = self.desugar_match(m)?;
                let r = match &desugared {
                    Expr::If(e) => self.if_stmt(e, &[]),
                    _ => self.expr(&desugared).map(|_| ()),
                };
                self.scopes.pop();
                r.map(|_| None)
            }
            SynStmt::Expr(Expr::ForLoop(f), _) => self.for_loop(f).map(|_| None),
            // A call run for what it writes into `&mut` arguments.
            SynStmt::Expr(Expr::Call(c), Some(_)) => self.expr(&Expr::Call(c.clone())).map(|_| None),
            SynStmt::Expr(Expr::While(w), _) => self.while_loop(Some(&w.cond), &w.body.stmts, w).map(|_| None),
            SynStmt::Expr(Expr::Loop(l), _) => self.while_loop(None, &l.body.stmts, l).map(|_| None),
            SynStmt::Expr(Expr::Block(b), None) if !rest.is_empty() || !block_has_value(&b.block.stmts) => {
                self.scopes.push(HashMap::new());
                self.stmts(&b.block.stmts);
                self.scopes.pop();
                Ok(None)
            }
            SynStmt::Expr(e, None) => self.expr(e).map(Some),
            other => Err(self.fenced(other)),
        }
    }

    /// The final expression of a function returning a tuple or an array: a tuple of
    /// values, a local array, or an array literal.
    fn output(&mut self, shape: &Returns, last: &SynStmt) -> Option<Output> {
        let e = match last {
            SynStmt::Expr(Expr::Return(r), _) => r.expr.as_deref(),
            SynStmt::Expr(e, None) => Some(e),
            _ => None,
        };
        let e = match e {
            Some(Expr::Paren(p)) => &*p.expr,
            Some(e) => e,
            None => {
                let _ = self.error(last, "the function must end with its value");
                return None;
            }
        };
        match (shape, e) {
            (Returns::Tuple(n), Expr::Tuple(t)) if t.elems.len() == *n => {
                let mut values = Vec::new();
                for elem in &t.elems {
                    values.push(self.expr(elem).ok()?);
                }
                Some(Output::Tuple(values))
            }
            (Returns::Array, Expr::Array(_)) => {
                let ident = self.names.fresh("__result", e.span());
                let init = self.array_init(e).ok()??;
                self.declare_array(&ident, None, init, e).ok()?;
                match self.lookup(&ident.to_string()) {
                    Some(Binding::Slot(s)) => Some(Output::Array(s)),
                    _ => None,
                }
            }
            (Returns::Array, _) => match self.array_slot(e) {
                Ok(s) if matches!(self.slots[s].kind, SlotKind::Array { vec: false, .. }) => Some(Output::Array(s)),
                _ => {
                    let _ = self.error(
                        e,
                        "return a local array by name (`let mut out = [0.0; N]; ... out`) or an array literal",
                    );
                    None
                }
            },
            _ => {
                let _ = self.error(e, "return a tuple literal `(a, b)` matching the return type");
                None
            }
        }
    }

    /// `x = value`, `a[i] = value`.
    fn assign(&mut self, target: &Expr, value: Operand) -> Result<()> {
        match target {
            Expr::Path(p) if p.path.get_ident().is_some() => {
                let ident = &p.path.segments[0].ident;
                match self.lookup(&ident.to_string()) {
                    Some(Binding::Slot(slot)) if matches!(self.slots[slot].kind, SlotKind::Scalar { .. }) => {
                        self.emit(Stmt::Set { slot, value });
                        Ok(())
                    }
                    Some(Binding::Value(_)) => {
                        let start = ValueId::new(self.values.len().saturating_sub(1));
                        let value = self.named(ident, None, value, start);
                        self.rebind(ident, Binding::Value(value));
                        Ok(())
                    }
                    _ => Err(self.error(ident, "only a local `let mut` variable can be assigned to")),
                }
            }
            Expr::Index(ix) => {
                let slot = self.array_slot(&ix.expr)?;
                let index = self.expr(&ix.index)?;
                if matches!(self.slots[slot].kind, SlotKind::ArrayParam { .. }) {
                    return Err(self.error(&ix.expr, "parameters cannot be written; copy into a local array first"));
                }
                self.emit(Stmt::Write { slot, index, value });
                Ok(())
            }
            other => Err(self.error(other, "only a local variable or an array element can be assigned to")),
        }
    }

    /// An argument of a call. An array lent mutably (`&mut h`, or a `&mut` parameter passed
    /// on) is an output the callee writes. An array lent for reading must be a slice
    /// parameter: the callee's pullback borrows it until the adjoint sweep, after this
    /// function's locals are gone.
    fn argument(&mut self, a: &Expr) -> Result<Operand> {
        let (inner, explicit_mut) = match a {
            Expr::Reference(r) => (&*r.expr, r.mutability.is_some()),
            other => (other, false),
        };
        if let Some(Binding::Slot(s)) = self.binding(inner) {
            let kind = self.slots[s].kind.clone();
            let name = self.slots[s].name.clone();
            match kind {
                SlotKind::Array { .. } if explicit_mut => {
                    return Ok(Operand { tokens: quote!(&mut #name), value: None, slot: Some(s), lent_mut: true });
                }
                SlotKind::OutParam => {
                    return Ok(Operand { tokens: quote!(&mut *#name), value: None, slot: Some(s), lent_mut: true });
                }
                SlotKind::ArrayParam { by_value: false } => {}
                _ if explicit_mut => {
                    return Err(self.error(a, "only local arrays and `&mut` parameters can be lent mutably; copy this one into a local array (`let mut a = [0.0; N];`) and lend that"));
                }
                _ => {
                    let o = self.expr(a)?;
                    if o.tokens.to_string().starts_with('&') {
                        return Err(self.error(
                            a,
                            format!(
                                "only slice parameters can be lent to a differentiable call for reading yet; make `{name}` a `&[f64]` parameter of this function, or inline the call"
                            ),
                        ));
                    }
                    return Ok(o);
                }
            }
        }
        if explicit_mut {
            return Err(self.error(a, "only local arrays and `&mut` parameters can be lent mutably; copy this one into a local array (`let mut a = [0.0; N];`) and lend that"));
        }
        self.expr(a)
    }

    /// What a plain variable name refers to.
    fn binding(&self, e: &Expr) -> Option<Binding> {
        match e {
            Expr::Paren(p) => self.binding(&p.expr),
            Expr::Path(p) => self.lookup(&p.path.get_ident()?.to_string()),
            _ => None,
        }
    }

    /// The array slot an expression names (`a`, `&a`, `(a)`).
    fn array_slot(&mut self, e: &Expr) -> Result<SlotId> {
        match e {
            Expr::Reference(r) if r.mutability.is_none() => self.array_slot(&r.expr),
            Expr::Paren(p) => self.array_slot(&p.expr),
            Expr::Path(p) if p.path.get_ident().is_some() => match self.lookup(&p.path.segments[0].ident.to_string()) {
                Some(Binding::Slot(s)) if !matches!(self.slots[s].kind, SlotKind::Scalar { .. }) => Ok(s),
                _ => Err(self.error(e, "not an array: index local arrays and array or slice parameters")),
            },
            other => Err(self.error(other, "index a named array: bind it with `let` first")),
        }
    }

    /// `[init; len]`, `vec![init; len]` or `[a, b, c]` as a `let` initialiser.
    fn array_init(&mut self, e: &Expr) -> Result<Option<ArrayInit>> {
        Ok(match e {
            Expr::Repeat(r) => Some(ArrayInit::Repeat(r.expr.clone(), r.len.clone(), false)),
            Expr::Macro(m) if m.mac.path.is_ident("vec") => {
                let parsed = m.mac.parse_body_with(|input: syn::parse::ParseStream| {
                    let init: Expr = input.parse()?;
                    input.parse::<syn::Token![;]>()?;
                    let len: Expr = input.parse()?;
                    Ok((init, len))
                });
                match parsed {
                    Ok((init, len)) => Some(ArrayInit::Repeat(Box::new(init), Box::new(len), true)),
                    Err(_) => return Err(self.error(m, "write a local vector as `vec![0.0; n]`")),
                }
            }
            Expr::Array(a) => Some(ArrayInit::List(a.elems.iter().cloned().collect())),
            _ => None,
        })
    }

    fn declare_array(&mut self, ident: &Ident, ty: Option<&Type>, init: ArrayInit, node: &Expr) -> Result<()> {
        let name = self.names.user(ident);
        let (init_value, len, vec, elems) = match init {
            ArrayInit::Repeat(init, len, vec) => {
                let init = self.expr(&init)?;
                let len = self.expr(&len)?;
                (init, len, vec, Vec::new())
            }
            ArrayInit::List(elems) => {
                let n = elems.len();
                let zero = Operand::constant(quote!(0.0));
                let len = Operand::constant(quote!(#n));
                (zero, len, false, elems)
            }
        };
        let _ = node;
        let kind = SlotKind::Array { init: init_value, len, vec };
        let slot = self.slot(Slot { name, ty: ty.cloned(), kind, active: false, param: None });
        self.emit(Stmt::Declare(slot));
        for (i, e) in elems.iter().enumerate() {
            let value = self.expr(e)?;
            let index = Operand::constant(quote!(#i));
            self.emit(Stmt::Write { slot, index, value });
        }
        self.bind(ident, Binding::Slot(slot));
        Ok(())
    }
}

enum ArrayInit {
    Repeat(Box<Expr>, Box<Expr>, bool),
    List(Vec<Expr>),
}
