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
use crate::ir::{Adapter, Block, Depth, Ir, Iter, Op, Operand, Output, Slot, SlotKind, Stmt, Value};
use crate::names::Names;
use crate::rules::{self, Syntax};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Ident, Pat, Stmt as SynStmt, Type, UnOp};

pub fn lower(func: &Function, names: &mut Names) -> syn::Result<Ir> {
    let mut lower = Lower {
        func,
        names,
        values: Vec::new(),
        slots: Vec::new(),
        scopes: vec![HashMap::new()],
        blocks: vec![Vec::new()],
        errors: Errors::default(),
        temps: 0,
        unnamed: Vec::new(),
        depth: Depth::default(),
        exits: Vec::new(),
    };
    for (i, p) in func.params.iter().enumerate() {
        let name = lower.names.user(&p.ident);
        if p.shape == Shape::Scalar {
            let id = lower.push(name, Op::Param, p.ident.span());
            lower.values[id].active = p.active;
            lower.bind(&p.ident, Binding::Value(lower.operand(id)));
        } else {
            let kind = match p.shape {
                Shape::Out => SlotKind::OutParam,
                _ => SlotKind::ArrayParam { by_value: p.shape == Shape::Array },
            };
            let slot = lower.slot(Slot { name, ty: None, kind, active: p.active, param: Some(i) });
            lower.bind(&p.ident, Binding::Slot(slot));
        }
    }
    let stmts = &func.item.block.stmts;
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
    let body = lower.blocks.pop().unwrap_or_default();
    lower.errors.finish()?;
    let output =
        output.ok_or_else(|| syn::Error::new_spanned(&func.item.block, "the function must end with its value"))?;
    Ok(Ir { values: lower.values, slots: lower.slots, body, output })
}

#[derive(Clone)]
enum Binding {
    Value(Operand),
    Slot(usize),
}

struct Lower<'a> {
    func: &'a Function,
    names: &'a mut Names,
    values: Vec<Value>,
    slots: Vec<Slot>,
    /// Innermost scope last: user variable name -> its current value or slot.
    scopes: Vec<HashMap<String, Binding>>,
    /// The blocks being built, innermost last.
    blocks: Vec<Block>,
    errors: Errors,
    temps: usize,
    /// Values named by `temp`, which a following `let` may rename to the user's name.
    unnamed: Vec<usize>,
    depth: Depth,
    /// Per enclosing loop body, the (exited, broke) flags of the guarded statements being
    /// lowered: a nested `break`/`continue` sets them instead of leaving (see `guarded`).
    exits: Vec<Vec<(usize, usize)>>,
}

/// An error already reported to `Lower::errors`; lowering of the enclosing node stops.
struct Reported;

type Result<T> = std::result::Result<T, Reported>;

impl Lower<'_> {
    fn emit(&mut self, stmt: Stmt) {
        self.blocks.last_mut().expect("the body block is never popped").push(stmt);
    }

    /// A new value, defined here.
    fn push(&mut self, name: Ident, op: Op, span: Span) -> usize {
        self.values.push(Value { name, ty: None, op, active: false, depth: self.depth, span, origin: None });
        let id = self.values.len() - 1;
        if !matches!(self.values[id].op, Op::Param | Op::LoopVar | Op::Count) {
            self.emit(Stmt::Def(id));
        }
        id
    }

    fn slot(&mut self, slot: Slot) -> usize {
        self.slots.push(slot);
        self.slots.len() - 1
    }

    fn operand(&self, id: usize) -> Operand {
        Operand { tokens: self.values[id].name.to_token_stream(), value: Some(id), slot: None, lent_mut: false }
    }

    fn error(&mut self, node: impl ToTokens, msg: impl std::fmt::Display) -> Reported {
        self.errors.push(syn::Error::new_spanned(node, msg));
        Reported
    }

    fn temp(&mut self, span: Span) -> Ident {
        self.temps += 1;
        self.unnamed.push(self.values.len());
        self.names.fresh(&format!("__t{}", self.temps), span)
    }

    /// The iteration count of a loop ending here: defined by the loop statement itself.
    fn count(&mut self, span: Span) -> usize {
        let name = self.names.fresh("__iterations", span);
        self.values.push(Value { name, ty: None, op: Op::Count, active: false, depth: self.depth, span, origin: None });
        self.values.len() - 1
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
    fn named(&mut self, ident: &Ident, ty: Option<&Type>, init: Operand, created_after: usize) -> Operand {
        if let Some(v) =
            init.value.filter(|&v| v >= created_after && v + 1 == self.values.len() && self.unnamed.contains(&v))
        {
            self.values[v].name = self.names.user(ident);
            self.values[v].ty = ty.cloned();
            return self.operand(v);
        }
        let name = self.names.user(ident);
        let copy = rules::find("copy", Syntax::Copy).expect("copy is in the rule table");
        let id = self.push(name, Op::Prim { rule: copy, args: vec![init] }, ident.span());
        self.values[id].ty = ty.cloned();
        self.operand(id)
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
        (self.blocks.pop().unwrap_or_default(), value)
    }

    /// Lowers statements; returns the value of the trailing expression or `return`.
    fn stmts(&mut self, stmts: &[SynStmt]) -> Option<Operand> {
        let mut result = None;
        for (i, stmt) in stmts.iter().enumerate() {
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
        let lowered = self.stmt(stmt, &[]);
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
            self.emit(Stmt::If { cond, then, els: Vec::new() });
        }
        self.exits.last_mut().expect("inside a loop body").pop();
        lowered?;
        // Leaving for real, or, inside an enclosing guard, through its flags.
        let cond = self.value(Op::Read(broke), stmt.span());
        let (then, _) = self.region(0, |l| {
            l.exit(true);
            None
        });
        self.emit(Stmt::If { cond, then, els: Vec::new() });
        Ok(())
    }

    /// A `bool` slot declared `false` here.
    fn flag(&mut self, base: &str, node: &SynStmt) -> usize {
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
                    return Err(self.error(local, "unsupported `let`"));
                };
                if let Some(kind) = self.array_init(&init.expr)? {
                    return self.declare_array(&p.ident, ty, kind, &init.expr).map(|_| None);
                }
                let start = self.values.len();
                let value = self.expr(&init.expr)?;
                if p.mutability.is_some() && assigned_in_region(rest, &p.ident) {
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
                    return Err(self.error(b.op, "unsupported compound assignment"));
                };
                let current = self.expr(&b.left)?;
                let rhs = self.expr(&b.right)?;
                let value = self.binary(symbol, current, rhs, b.span());
                self.assign(&b.left, value).map(|_| None)
            }
            SynStmt::Expr(Expr::Return(r), _) => match &r.expr {
                Some(e) => self.expr(e).map(Some),
                None => Err(self.error(r, "return the function's value")),
            },
            SynStmt::Expr(Expr::Break(b), _) => {
                if b.label.is_some() || b.expr.is_some() {
                    return Err(self.error(b, "only a plain `break;` is supported: no label, no value"));
                }
                self.exit(true);
                Ok(None)
            }
            SynStmt::Expr(Expr::Continue(c), _) => {
                if c.label.is_some() {
                    return Err(self.error(c, "only a plain `continue;` is supported: no label"));
                }
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
            other => Err(self.error(other, "unsupported statement")),
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
                        let start = self.values.len().saturating_sub(1);
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
                self.emit(Stmt::Write { slot, index, value, add: false });
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
    fn array_slot(&mut self, e: &Expr) -> Result<usize> {
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
            self.emit(Stmt::Write { slot, index, value, add: false });
        }
        self.bind(ident, Binding::Slot(slot));
        Ok(())
    }

    /// `match` on an integer becomes an `if` chain over the scrutinee, evaluated once and
    /// bound in a new scope (which the caller pops). The last arm needs no test: the match is
    /// exhaustive, or the user's own function would not compile.
    fn desugar_match(&mut self, m: &syn::ExprMatch) -> Result<Expr> {
        let scrutinee = self.expr(&m.expr)?;
        let ident = self.names.fresh("__matched", m.match_token.span);
        self.scopes.push(HashMap::new());
        self.bind(&ident, Binding::Value(scrutinee));
        let mut chain: Option<Expr> = None;
        for (i, arm) in m.arms.iter().enumerate().rev() {
            let block: syn::Block = match &*arm.body {
                Expr::Block(b) if b.label.is_none() => b.block.clone(),
                body => syn::parse_quote!({ #body }),
            };
            let test = match (i + 1 == m.arms.len() && arm.guard.is_none(), self.pattern(&arm.pat, &ident)) {
                (true, _) => None,
                (false, Ok(t)) => Some(t),
                (false, Err(e)) => return Err(e),
            };
            let test = match (test, &arm.guard) {
                (Some(t), Some((_, g))) => Some(syn::parse_quote!((#t) && (#g))),
                (Some(t), None) => Some(t),
                (None, _) => None,
            };
            chain = Some(match (test, chain) {
                (None, _) => Expr::Block(syn::ExprBlock { attrs: Vec::new(), label: None, block }),
                (Some(t), Some(Expr::Block(rest))) => syn::parse_quote!(if #t #block else #rest),
                (Some(t), Some(rest)) => syn::parse_quote!(if #t #block else { #rest }),
                (Some(t), None) => syn::parse_quote!(if #t #block),
            });
        }
        chain.ok_or_else(|| self.error(m, "a `match` needs at least one arm"))
    }

    fn pattern(&mut self, pat: &Pat, m: &Ident) -> Result<Expr> {
        Ok(match pat {
            Pat::Lit(l) => syn::parse_quote!(#m == #l),
            Pat::Path(p) => syn::parse_quote!(#m == #p),
            Pat::Range(r) => {
                let lo: Option<Expr> = r.start.as_ref().map(|s| syn::parse_quote!(#m >= #s));
                let hi: Option<Expr> = r.end.as_ref().map(|e| match r.limits {
                    syn::RangeLimits::Closed(_) => syn::parse_quote!(#m <= #e),
                    syn::RangeLimits::HalfOpen(_) => syn::parse_quote!(#m < #e),
                });
                match (lo, hi) {
                    (Some(a), Some(b)) => syn::parse_quote!(#a && #b),
                    (Some(a), None) | (None, Some(a)) => a,
                    (None, None) => syn::parse_quote!(true),
                }
            }
            Pat::Or(o) => {
                let mut cases = Vec::new();
                for c in &o.cases {
                    cases.push(self.pattern(c, m)?);
                }
                syn::parse_quote!(#(#cases)||*)
            }
            Pat::Paren(p) => self.pattern(&p.pat, m)?,
            Pat::Wild(_) => syn::parse_quote!(true),
            other => {
                return Err(self.error(
                    other,
                    "`match` patterns may be literals, ranges, constants, `|` and `_`; bind values with `let` before the match",
                ));
            }
        })
    }

    /// `if` as a statement; `rest` (statements after a diverging branch) joins the branch
    /// that falls through.
    fn if_stmt(&mut self, e: &syn::ExprIf, rest: &[SynStmt]) -> Result<()> {
        let cond = self.condition(&e.cond)?;
        let then_diverges = diverges(&e.then_branch.stmts);
        let (then, _) = self.region(0, |l| {
            l.stmts(&e.then_branch.stmts);
            if !then_diverges {
                l.stmts(rest);
            }
            None
        });
        let (els, _) = self.region(0, |l| {
            match e.else_branch.as_ref().map(|(_, b)| &**b) {
                Some(Expr::If(inner)) => {
                    let _ = l.if_stmt(inner, if then_diverges { rest } else { &[] });
                }
                Some(Expr::Block(b)) => {
                    l.stmts(&b.block.stmts);
                    if then_diverges && !diverges(&b.block.stmts) {
                        l.stmts(rest);
                    }
                }
                Some(other) => {
                    let _ = l.error(other, "unsupported `else`");
                }
                None => {
                    if then_diverges {
                        l.stmts(rest);
                    }
                }
            }
            None
        });
        self.emit(Stmt::If { cond, then, els });
        Ok(())
    }

    /// `if` as an expression: each branch sets a result slot, read after the `if`.
    fn if_expr(&mut self, e: &syn::ExprIf) -> Result<Operand> {
        let Some((_, else_branch)) = &e.else_branch else {
            return Err(self.error(e, "an `if` used as a value needs an `else`"));
        };
        let cond = self.condition(&e.cond)?;
        let name = self.temp(e.span());
        self.unnamed.pop();
        let init = Operand::constant(quote!(::core::default::Default::default()));
        let slot = self.slot(Slot { name, ty: None, kind: SlotKind::Scalar { init }, active: false, param: None });
        self.emit(Stmt::Declare(slot));
        let (then, _) = self.region(0, |l| {
            if let Some(v) = l.stmts(&e.then_branch.stmts) {
                l.emit(Stmt::Set { slot, value: v });
            }
            None
        });
        let (els, _) = self.region(0, |l| {
            let v = match &**else_branch {
                Expr::If(inner) => l.if_expr(inner).ok(),
                Expr::Block(b) => l.stmts(&b.block.stmts),
                other => l.expr(other).ok(),
            };
            if let Some(v) = v {
                l.emit(Stmt::Set { slot, value: v });
            }
            None
        });
        self.emit(Stmt::If { cond, then, els });
        Ok(self.value(Op::Read(slot), e.span()))
    }

    fn condition(&mut self, cond: &Expr) -> Result<Operand> {
        if let Expr::Let(l) = cond {
            return Err(self.error(l, "`if let`/`while let` are not supported; compare values with `==`, `<`, ..."));
        }
        self.expr(cond)
    }

    fn for_loop(&mut self, f: &syn::ExprForLoop) -> Result<()> {
        // A label is harmless: labelled `break`/`continue` are what the fence rejects.
        let var_ident = match &*f.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
            Pat::Wild(_) => None,
            other => return Err(self.error(other, "loop over a range with a plain variable: `for i in 0..n`")),
        };
        let iter = self.iter(&f.expr)?;
        let breaks = has_break(&f.body.stmts);
        let mut var = 0;
        let (body, _) = self.region(1, |l| {
            let name = match &var_ident {
                Some(i) => l.names.user(i),
                None => l.names.fresh("__i", f.span()),
            };
            var = l.push(name, Op::LoopVar, f.span());
            if let Some(i) = &var_ident {
                let o = l.operand(var);
                l.bind(i, Binding::Value(o));
            }
            l.exits.push(Vec::new());
            l.stmts(&f.body.stmts);
            l.exits.pop();
            None
        });
        let count = breaks.then(|| self.count(f.span()));
        self.emit(Stmt::For { var, iter, body, count });
        Ok(())
    }

    fn iter(&mut self, e: &Expr) -> Result<Iter> {
        let mut adapters = Vec::new();
        let mut e = e;
        loop {
            match e {
                Expr::Paren(p) => e = &p.expr,
                Expr::MethodCall(m) if m.method == "rev" && m.args.is_empty() => {
                    adapters.push(None);
                    e = &m.receiver;
                }
                Expr::MethodCall(m) if m.method == "step_by" && m.args.len() == 1 => {
                    adapters.push(Some(&m.args[0]));
                    e = &m.receiver;
                }
                Expr::Range(r) => {
                    let (Some(start), Some(end)) = (&r.start, &r.end) else {
                        return Err(self.error(r, "loop over a bounded range: `a..b` or `a..=b`"));
                    };
                    let start = self.expr(start)?;
                    let end = self.expr(end)?;
                    let mut out = Vec::new();
                    for a in adapters.into_iter().rev() {
                        out.push(match a {
                            None => Adapter::Rev,
                            Some(step) => Adapter::StepBy(self.expr(step)?),
                        });
                    }
                    let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
                    return Ok(Iter { start, end, inclusive, adapters: out });
                }
                other => {
                    return Err(self.error(
                        other,
                        "loops run over index ranges: write `for i in 0..xs.len() { ... xs[i] ... }` (with `.rev()` or `.step_by(k)` if needed)",
                    ));
                }
            }
        }
    }

    /// `while cond { body }` and `loop { body }` (with `cond` `None`).
    fn while_loop(&mut self, cond: Option<&Expr>, stmts: &[SynStmt], node: &dyn ToTokens) -> Result<()> {
        let mut test = Operand::constant(quote!(true));
        let (cond_block, _) = self.region(1, |l| {
            if let Some(c) = cond {
                if let Ok(t) = l.condition(c) {
                    test = t;
                }
            }
            None
        });
        let (body, _) = self.region(1, |l| {
            l.exits.push(Vec::new());
            l.stmts(stmts);
            l.exits.pop();
            None
        });
        let count = self.count(node.to_token_stream().span());
        self.emit(Stmt::While { cond: cond_block, test, body, count });
        Ok(())
    }

    fn binary(&mut self, symbol: &str, l: Operand, r: Operand, span: Span) -> Operand {
        let rule = rules::find(symbol, Syntax::Infix).expect("arithmetic operators are in the rule table");
        if l.value.is_none() && r.value.is_none() && l.slot.is_none() && r.slot.is_none() {
            let (lt, rt, op) = (&l.tokens, &r.tokens, symbol.parse::<TokenStream>().unwrap_or_default());
            return literal(quote!(#lt #op #rt));
        }
        self.value(Op::Prim { rule, args: vec![l, r] }, span)
    }

    fn expr(&mut self, e: &Expr) -> Result<Operand> {
        let span = e.span();
        match e {
            Expr::Lit(l) => Ok(literal(l.to_token_stream())),
            Expr::Path(p) => match p.path.get_ident().and_then(|i| self.lookup(&i.to_string())) {
                Some(Binding::Value(o)) => Ok(o),
                Some(Binding::Slot(s)) => match self.slots[s].kind {
                    SlotKind::Scalar { .. } => Ok(self.value(Op::Read(s), span)),
                    _ => Ok(Operand {
                        tokens: self.slots[s].name.to_token_stream(),
                        value: None,
                        slot: Some(s),
                        lent_mut: false,
                    }),
                },
                // Not a local: a `const`, a `static` or an associated constant like `PI`.
                None => Ok(literal(p.to_token_stream())),
            },
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Reference(r) if r.mutability.is_none() => {
                let mut o = self.expr(&r.expr)?;
                if o.slot.is_some() {
                    let t = &o.tokens;
                    o.tokens = quote!(&#t);
                    return Ok(o);
                }
                Err(self.error(r, "references are supported to arrays only; use the value itself"))
            }
            Expr::Block(b) => {
                self.scopes.push(HashMap::new());
                let v = self.stmts(&b.block.stmts);
                self.scopes.pop();
                v.ok_or_else(|| self.error(b, "this block has no value"))
            }
            Expr::If(i) => self.if_expr(i),
            Expr::Match(m) => {
                let desugared = self.desugar_match(m)?;
                let v = self.expr(&desugared);
                self.scopes.pop();
                v
            }
            Expr::Index(ix) => {
                // A constant array (a `#[no_grad]` slice, an array of integers) is read as a
                // constant; only float arrays that can be differentiated are slots.
                if let Some(Binding::Value(array)) = self.binding(&ix.expr) {
                    let index = self.expr(&ix.index)?;
                    let (a, i) = (&array.tokens, &index.tokens);
                    let code = quote!(#a[#i]);
                    let why = "indexing this array cannot be differentiated".to_owned();
                    return Ok(self.value(Op::Const { code, args: vec![array, index], active_ok: false, why }, span));
                }
                let slot = self.array_slot(&ix.expr)?;
                let index = self.expr(&ix.index)?;
                Ok(self.value(Op::Index { slot, index }, span))
            }
            Expr::Unary(u) => {
                let a = self.expr(&u.expr)?;
                match u.op {
                    UnOp::Neg(_) if a.value.is_none() && a.slot.is_none() => {
                        let t = &a.tokens;
                        Ok(literal(quote!(-#t)))
                    }
                    UnOp::Neg(_) => {
                        let rule = rules::find("neg", Syntax::Prefix).expect("neg is in the rule table");
                        Ok(self.value(Op::Prim { rule, args: vec![a] }, span))
                    }
                    op => {
                        let t = &a.tokens;
                        let why = "`!` cannot be applied to a differentiated float".to_owned();
                        Ok(self.value(Op::Const { code: quote!(#op #t), args: vec![a], active_ok: false, why }, span))
                    }
                }
            }
            Expr::Binary(b) => self.binary_expr(b),
            Expr::Cast(c) => {
                let a = self.expr(&c.expr)?;
                let float = &self.func.float;
                let (t, ty) = (&a.tokens, &c.ty);
                match crate::ast::classify(ty) {
                    crate::ast::Kind::Float(f) if &f == float => {
                        let rule = rules::find("as", Syntax::Cast).expect("as is in the rule table");
                        if a.value.is_none() {
                            return Ok(literal(quote!(#t as #ty)));
                        }
                        Ok(self.value(Op::Prim { rule, args: vec![a] }, span))
                    }
                    crate::ast::Kind::Float(f) => {
                        let why = format!(
                            "mixed precision is not supported: this function differentiates `{float}`, not `{f}`; keep the value `{float}`"
                        );
                        Ok(self
                            .value_from(Op::Const { code: quote!(#t as #ty), args: vec![a], active_ok: false, why }, c))
                    }
                    _ => {
                        let why = format!(
                            "casting a differentiated value to `{}` would silently drop its derivative; keep it `{float}` (use `.floor()`/`.round()` for a piecewise-constant value)",
                            ty.to_token_stream()
                        );
                        Ok(self
                            .value_from(Op::Const { code: quote!(#t as #ty), args: vec![a], active_ok: false, why }, c))
                    }
                }
            }
            Expr::MethodCall(m) => {
                if m.method == "len" && m.args.is_empty() {
                    if let Some(Binding::Slot(slot)) = self.binding(&m.receiver) {
                        return Ok(self.value(Op::Len(slot), span));
                    }
                }
                if let Some(msg) = iterator_idiom(m) {
                    return Err(self.error(m, msg));
                }
                let mut args = vec![self.expr(&m.receiver)?];
                for a in &m.args {
                    args.push(self.expr(a)?);
                }
                Ok(self.method(&m.method, args, m))
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return Err(self.error(&c.func, "only functions called by name can be differentiated through"));
                };
                let mut args = Vec::new();
                for a in &c.args {
                    args.push(self.argument(a)?);
                }
                let segments: Vec<_> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
                // `stop_gradient(x)`: `x` as a constant.
                if segments.last().is_some_and(|name| name == "stop_gradient") {
                    return match &args[..] {
                        [x] if x.slot.is_none() => {
                            let (path, t) = (&p.path, &x.tokens);
                            let code = quote!(#path(#t));
                            Ok(self.value(Op::Const { code, args: args.clone(), active_ok: true, why: String::new() }, span))
                        }
                        _ => Err(self.error(c, "`stop_gradient` takes one float, `stop_gradient(x)`; for a whole array, mark the parameter `#[no_grad]`")),
                    };
                }
                // `f64::sin(x)` is the method `x.sin()`.
                if let [ty, method] = &segments[..] {
                    if (ty == "f64" || ty == "f32") && !args.is_empty() && rules::find(method, Syntax::Method).is_some()
                    {
                        let method = p.path.segments[1].ident.clone();
                        // `f64::atan2(2.0, x)`: the path typed the literal receiver.
                        if args[0].value.is_none() {
                            let (t, ty) = (&args[0].tokens, &p.path.segments[0].ident);
                            args[0].tokens = quote!((#t as #ty));
                        }
                        return Ok(self.method(&method, args, c));
                    }
                }
                Ok(self.value(Op::Call { func: p.path.clone(), args }, span))
            }
            other => Err(self.error(other, "this expression is not supported by #[differentiable]")),
        }
    }

    fn binary_expr(&mut self, b: &syn::ExprBinary) -> Result<Operand> {
        let span = b.span();
        // `&&`/`||` short-circuit: `i < n && a[i] > 0.0` must not read `a[n]`.
        if let BinOp::And(_) | BinOp::Or(_) = b.op {
            let is_and = matches!(b.op, BinOp::And(_));
            let l = self.expr(&b.left)?;
            let name = self.temp(span);
            self.unnamed.pop();
            let init = Operand::constant(quote!(#is_and));
            let slot = self.slot(Slot {
                name,
                ty: None,
                kind: SlotKind::Scalar { init: l.clone() },
                active: false,
                param: None,
            });
            let _ = init;
            self.emit(Stmt::Declare(slot));
            let (rhs, _) = self.region(0, |lw| {
                if let Ok(r) = lw.expr(&b.right) {
                    lw.emit(Stmt::Set { slot, value: r });
                }
                None
            });
            let (then, els) = if is_and { (rhs, Vec::new()) } else { (Vec::new(), rhs) };
            self.emit(Stmt::If { cond: l, then, els });
            return Ok(self.value(Op::Read(slot), span));
        }
        let l = self.expr(&b.left)?;
        let r = self.expr(&b.right)?;
        let symbol = b.op.to_token_stream().to_string();
        if rules::find(&symbol, Syntax::Infix).is_some() {
            return Ok(self.binary(&symbol, l, r, span));
        }
        let (lt, rt, op) = (&l.tokens, &r.tokens, b.op);
        let code = quote!(#lt #op #rt);
        if l.value.is_none() && r.value.is_none() {
            return Ok(literal(code));
        }
        let span = b.op.span();
        let comparison =
            matches!(b.op, BinOp::Eq(_) | BinOp::Ne(_) | BinOp::Lt(_) | BinOp::Le(_) | BinOp::Gt(_) | BinOp::Ge(_));
        let why = binary_message(&b.op).to_owned();
        Ok(self.value(Op::Const { code, args: vec![l, r], active_ok: comparison, why }, span))
    }

    fn method(&mut self, method: &Ident, args: Vec<Operand>, node: &dyn ToTokens) -> Operand {
        let name = method.to_string();
        match rules::find(&name, Syntax::Method).filter(|r| r.arity == args.len()) {
            // Errors about its arguments (`powi`'s exponent) cover the whole call.
            Some(rule) => self.value_from(Op::Prim { rule, args }, node),
            None => {
                let (recv, rest) = (&args[0].tokens, args[1..].iter().map(|a| &a.tokens));
                let code = quote!(#recv.#method(#(#rest),*));
                let why = match rules::find(&name, Syntax::Method) {
                    Some(rule) => format!("`{name}` takes {} argument(s) besides the receiver", rule.arity - 1),
                    None => format!(
                        "`{name}` has no derivative rule; the differentiable float methods are: {}",
                        rules::methods()
                    ),
                };
                // The error, if any, points at the method name.
                self.value(Op::Const { code, args, active_ok: false, why }, method.span())
            }
        }
    }
}

enum ArrayInit {
    Repeat(Box<Expr>, Box<Expr>, bool),
    List(Vec<Expr>),
}

fn binary_message(op: &BinOp) -> &'static str {
    match op {
        BinOp::Rem(_) => "`%` on a differentiated value is not supported; write `x - (x / y).trunc() * y`",
        _ => "this operator cannot be applied to a differentiated float; use `+ - * /`",
    }
}

fn compound(op: &BinOp) -> Option<&'static str> {
    Some(match op {
        BinOp::AddAssign(_) => "+",
        BinOp::SubAssign(_) => "-",
        BinOp::MulAssign(_) => "*",
        BinOp::DivAssign(_) => "/",
        _ => return None,
    })
}

/// Whether an `if` produces a value (its branches end in an expression), as opposed to
/// one run for its assignments.
fn if_has_value(e: &syn::ExprIf) -> bool {
    e.else_branch.is_some() && block_has_value(&e.then_branch.stmts)
}

/// Whether a `match` produces a value: an arm is a value expression.
fn match_has_value(m: &syn::ExprMatch) -> bool {
    m.arms.iter().any(|arm| expr_has_value(&arm.body))
}

/// Whether a block ends in an expression with a value.
fn block_has_value(stmts: &[SynStmt]) -> bool {
    matches!(stmts.last(), Some(SynStmt::Expr(e, None)) if expr_has_value(e))
}

/// Whether an expression in tail position is a value, not a statement.
fn expr_has_value(e: &Expr) -> bool {
    match e {
        Expr::Assign(_) | Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) | Expr::Break(_) | Expr::Continue(_) => {
            false
        }
        Expr::Binary(b) => compound(&b.op).is_none(),
        Expr::If(i) => if_has_value(i),
        Expr::Match(m) => match_has_value(m),
        Expr::Block(b) => block_has_value(&b.block.stmts),
        Expr::Tuple(t) => !t.elems.is_empty(),
        _ => true,
    }
}

/// Whether a block always leaves through `break`/`continue` at its end.
fn diverges(stmts: &[SynStmt]) -> bool {
    matches!(stmts.last(), Some(SynStmt::Expr(Expr::Break(_) | Expr::Continue(_), _)))
}

fn else_diverges(e: &syn::ExprIf) -> bool {
    match e.else_branch.as_ref().map(|(_, b)| &**b) {
        Some(Expr::Block(b)) => diverges(&b.block.stmts),
        _ => false,
    }
}

/// Whether a statement contains a `break` or `continue` of the enclosing loop.
fn may_exit(stmt: &SynStmt) -> bool {
    exits(std::slice::from_ref(stmt), &["break", "continue"])
}

/// Whether `stmts` contain a `break` for the enclosing loop (not one of an inner loop).
fn has_break(stmts: &[SynStmt]) -> bool {
    exits(stmts, &["break"])
}

/// Whether `stmts` contain one of the `keywords` outside inner loops.
fn exits(stmts: &[SynStmt], keywords: &[&str]) -> bool {
    fn tokens(ts: TokenStream, depth: usize, keywords: &[&str]) -> bool {
        let mut inner_loop = false;
        for tt in ts {
            match tt {
                TokenTree::Ident(i) if depth == 0 && keywords.iter().any(|k| i == k) => return true,
                TokenTree::Ident(i) if i == "for" || i == "while" || i == "loop" => inner_loop = true,
                TokenTree::Group(g) => {
                    let brace = g.delimiter() == proc_macro2::Delimiter::Brace;
                    let d = if inner_loop && brace { depth + 1 } else { depth };
                    if brace {
                        inner_loop = false;
                    }
                    if tokens(g.stream(), d, keywords) {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }
    stmts.iter().any(|s| tokens(s.to_token_stream(), 0, keywords))
}

/// Whether `name` is assigned inside a branch or loop among `stmts`: such a variable must be
/// a mutable slot rather than renamed per assignment.
fn assigned_in_region(stmts: &[SynStmt], name: &Ident) -> bool {
    fn scan(ts: TokenStream, name: &Ident, in_region: bool) -> bool {
        let tts: Vec<TokenTree> = ts.into_iter().collect();
        let mut region_next = false;
        for (i, tt) in tts.iter().enumerate() {
            match tt {
                TokenTree::Ident(id)
                    if ["if", "else", "for", "while", "loop", "match"].contains(&id.to_string().as_str()) =>
                {
                    region_next = true;
                }
                TokenTree::Ident(id) if id == name && in_region => {
                    let assigns = match (tts.get(i + 1), tts.get(i + 2)) {
                        (Some(TokenTree::Punct(p)), Some(TokenTree::Punct(q))) => {
                            p.as_char() == '=' && q.as_char() != '='
                                || "+-*/".contains(p.as_char()) && q.as_char() == '='
                        }
                        (Some(TokenTree::Punct(p)), _) => p.as_char() == '=',
                        _ => false,
                    };
                    if assigns {
                        return true;
                    }
                }
                TokenTree::Group(g) => {
                    let brace = g.delimiter() == proc_macro2::Delimiter::Brace;
                    if scan(g.stream(), name, in_region || (region_next && brace)) {
                        return true;
                    }
                    if brace {
                        region_next = false;
                    }
                }
                _ => {}
            }
        }
        false
    }
    stmts.iter().any(|s| scan(s.to_token_stream(), name, false))
}

/// The iterator idioms, answered with the loop to write instead.
fn iterator_idiom(m: &syn::ExprMethodCall) -> Option<&'static str> {
    let name = m.method.to_string();
    match name.as_str() {
        "sum" | "product" | "fold" | "map" | "zip" | "iter" | "into_iter" | "for_each" => Some(
            "iterator chains are not differentiated; write the loop: `let mut s = 0.0; for i in 0..xs.len() { s += w[i] * xs[i]; }`",
        ),
        _ => None,
    }
}

/// An inline constant operand, parenthesised unless it is one token or a path, so that it
/// can stand as a method receiver or an operand of any operator.
fn literal(tokens: TokenStream) -> Operand {
    let single = tokens.clone().into_iter().count() == 1;
    let is_path = tokens.clone().into_iter().all(|t| match t {
        TokenTree::Ident(_) => true,
        TokenTree::Punct(p) => p.as_char() == ':',
        _ => false,
    });
    let tokens = if single || is_path { tokens } else { quote!((#tokens)) };
    Operand::constant(tokens)
}
