//! Statements: `let` bindings, assignments and the other statement kinds (control flow is
//! in `control`), the tuple or array a function returns, the arguments of a call, and
//! arrays: their declarations and the slots that expressions name.

use super::control::{block_has_value, if_has_value, match_has_value};
use super::expr::compound;
use super::{Binding, Lower, Result};
use crate::ast::Returns;
use crate::ir::{Access, Id, Op, Operand, Output, Slot, SlotId, SlotKind, Stmt, ValueId};
use proc_macro2::Span;
use quote::{ToTokens, quote};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Pat, Stmt as SynStmt, Type};

impl Lower<'_> {
    /// One statement; `rest`, the statements after it in its list, decides whether an `if`,
    /// a `match` or a block is the list's value or a statement of its own.
    pub(super) fn stmt(&mut self, stmt: &SynStmt, rest: &[SynStmt]) -> Result<Option<Operand>> {
        match stmt {
            SynStmt::Local(local) => self.local(local, rest).map(|_| None),
            // `(a, b) = (e1, e2);`: every value computed, then each assigned.
            SynStmt::Expr(Expr::Assign(a), _) if matches!(&*a.left, Expr::Tuple(_)) => {
                let (Expr::Tuple(left), Expr::Tuple(right)) = (&*a.left, &*a.right) else {
                    return Err(self.fenced(a));
                };
                let mut values = Vec::new();
                for e in &right.elems {
                    values.push(self.expr(e)?);
                }
                for (target, value) in left.elems.iter().zip(values) {
                    self.assign(target, value)?;
                }
                Ok(None)
            }
            SynStmt::Expr(Expr::Assign(a), _) => {
                let value = self.expr(&a.right)?;
                self.assign(&a.left, value).map(|_| None)
            }
            SynStmt::Expr(Expr::Binary(b), _) if compound(&b.op).is_some() => {
                let Some(rule) = compound(&b.op) else {
                    return Err(self.fenced(b.op));
                };
                let current = self.expr(&b.left)?;
                let rhs = self.expr(&b.right)?;
                let value = self.binary(rule, current, rhs, b.span());
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
            SynStmt::Macro(m) if crate::rules::is_assertion(&m.mac.path) => self.assertion(&m.mac).map(|_| None),
            other => Err(self.fenced(other)),
        }
    }

    /// `let name = value;`: an array, a slot if the name is assigned in a branch or loop
    /// further on, else the value under the user's name.
    fn local(&mut self, local: &syn::Local, rest: &[SynStmt]) -> Result<()> {
        let (pat, ty) = match &local.pat {
            Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
            p => (p, None),
        };
        let Some(init) = &local.init else { return Err(self.fenced(local)) };
        let p = match pat {
            Pat::Ident(p) => p,
            // `let _ = e;`: `e` is computed (its value, unused, gets no derivative).
            Pat::Wild(_) => return self.expr(&init.expr).map(|_| ()),
            Pat::Tuple(t) => match &*init.expr {
                Expr::Call(c) => return self.destructure_call(t, c),
                e => return self.destructure(t, e),
            },
            _ => return Err(self.fenced(local)),
        };
        if let Some(kind) = self.array_init(&init.expr)? {
            return self.declare_array(&p.ident, ty, kind, &init.expr);
        }
        // `let row = &x[a..b];`: a view of the array, read and lent as the sub-slice itself;
        // `let o = &mut out[a..b];` also written through and lent to be written.
        if let Expr::Reference(r) = &*init.expr
            && let Some((base, range)) = crate::fence::sub_slice(&r.expr)
        {
            let view = self.view_of(base, range, r.mutability.is_some())?;
            self.bind(&p.ident, view);
            return Ok(());
        }
        // `let p = (a, b);`: its elements, read as `p.0` or passed on whole.
        if let Expr::Tuple(t) = &*init.expr {
            let elements = t.elems.iter().map(|e| self.expr(e)).collect::<Result<Vec<_>>>()?;
            self.bind(&p.ident, Binding::Tuple(elements));
            return Ok(());
        }
        // `let c = cross(a, b);` with `c` used as an array further on, or returned as the
        // function's array or tuple (by a `let` of the function's own, not of a block).
        let returned = self.scopes.len() == 1 && self.result_name.as_ref() == Some(&p.ident);
        if let Expr::Call(c) = &*init.expr
            && (returned || super::results::kept_as_array(&p.ident, rest))
        {
            let name = self.names.user(&p.ident);
            let slot = self.call_into(name, ty, c, super::results::ResultLen::Callee)?;
            self.bind(&p.ident, Binding::Slot(slot));
            return Ok(());
        }
        let start = self.values.next_id();
        let value = self.expr(&init.expr)?;
        self.bind_local(p, ty, value, start);
        Ok(())
    }

    /// Binds a `let`'s name to its value: a slot if it is `mut` and assigned in a later
    /// branch or loop, else the value itself under the user's name.
    pub(super) fn bind_local(&mut self, p: &syn::PatIdent, ty: Option<&Type>, value: Operand, start: ValueId) {
        if p.mutability.is_some() && self.assigned_later(&p.ident) {
            let name = self.names.user(&p.ident);
            let kind = SlotKind::Scalar { init: value };
            let slot = self.slot(Slot { name, ty: ty.cloned(), kind, active: false, param: None });
            self.emit(Stmt::Declare(slot));
            self.bind(&p.ident, Binding::Slot(slot));
        } else {
            let value = self.named(&p.ident, ty, value, start);
            self.bind(&p.ident, Binding::Value(value));
        }
    }

    /// `let (a, b) = (e1, e2);`: every element computed, then each bound to its name (so
    /// `let (a, b) = (b, a);` swaps).
    fn destructure(&mut self, pat: &syn::PatTuple, init: &Expr) -> Result<()> {
        let Expr::Tuple(t) = init else { return Err(self.fenced(init)) };
        let mut values = Vec::new();
        for e in &t.elems {
            let start = self.values.next_id();
            values.push((self.expr(e)?, start));
        }
        for (p, (value, start)) in pat.elems.iter().zip(values) {
            if let Pat::Ident(p) = p {
                self.bind_local(p, None, value, start);
            }
        }
        Ok(())
    }

    /// `assert!(..)` and its kin: kept in the primal code over the values they test.
    pub(super) fn assertion(&mut self, mac: &syn::Macro) -> Result<()> {
        let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        let Ok(args) = mac.parse_body_with(parser) else { return Err(self.fenced(mac)) };
        let mut operands = Vec::new();
        for a in &args {
            operands.push(match a {
                // The message is written as is; its arguments are positional (the fence
                // refuses `{name}`), so they are lowered like any operand.
                Expr::Lit(l) => Operand::Constant(l.to_token_stream()),
                a => self.expr(a)?,
            });
        }
        let path = &mac.path;
        let tokens = operands.iter().map(|o| self.tokens(o));
        let code = quote!(::core::#path!(#(#tokens),*));
        let why = String::new();
        self.value_from(Op::Opaque { code, args: operands, active_ok: true, why }, mac);
        Ok(())
    }

    /// The final expression of a function returning a tuple or an array: a tuple of
    /// values, a local array, or an array literal.
    pub(super) fn output(&mut self, shape: &Returns, last: &SynStmt) -> Option<Output> {
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
            // A call's array or tuple result, returned as it is.
            (Returns::Array, Expr::Call(c)) => {
                self.call_result(c, super::results::ResultLen::Callee).ok().map(Output::Array)
            }
            (Returns::Tuple(n), Expr::Call(c)) => {
                let slot = self.call_result(c, super::results::ResultLen::Arity(*n)).ok()?;
                Some(self.tuple_of(slot, *n))
            }
            (Returns::Tuple(n), Expr::Path(_)) if self.array_slot(e).is_ok() => {
                let slot = self.array_slot(e).ok()?;
                Some(self.tuple_of(slot, *n))
            }
            (Returns::Array, Expr::Array(_)) => {
                let ident = self.names.fresh("__result", e.span());
                let init = self.array_init(e).ok()??;
                self.declare_array(&ident, None, init, e).ok()?;
                match self.lookup(&ident.to_string()) {
                    Some(Binding::Slot(s) | Binding::Rows { slot: s, .. }) => Some(Output::Array(s)),
                    _ => None,
                }
            }
            // Local rows, returned as rows.
            (Returns::Array, _) if self.func.result_rows().is_some() => match self.binding(e) {
                Some(Binding::Rows { slot, .. }) if matches!(self.slots[slot].kind, SlotKind::Array { .. }) => {
                    Some(Output::Array(slot))
                }
                _ => {
                    let _ = self.error(
                        e,
                        "return local rows by name (`let mut r = [[0.0; N]; M]; ... r`) or rows written out (`[[a, b], [c, d]]`)",
                    );
                    None
                }
            },
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

    /// Whether `e` names a constant `&mut` parameter (`#[no_grad] used: &mut [usize]`).
    fn constant_mut_param(&self, e: &Expr) -> bool {
        match self.binding(e) {
            Some(Binding::Value(o)) => o.value().is_some_and(|v| self.values[v].is_mutable_param()),
            _ => false,
        }
    }

    /// The first `n` elements of an array slot, as a tuple result.
    fn tuple_of(&mut self, slot: SlotId, n: usize) -> Output {
        let span = self.slots[slot].name.span();
        Output::Tuple(
            (0..n).map(|i| self.value(Op::Index { slot, index: Operand::constant(quote!(#i)) }, span)).collect(),
        )
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
                    Some(Binding::Value(old)) => {
                        // The new value keeps the variable's type: `a = 1.5; a.sin()` must
                        // not leave `1.5` an ambiguous `{float}` in the generated code.
                        let ty = old.value().and_then(|v| self.type_of(v));
                        let start = ValueId::new(self.values.len().saturating_sub(1));
                        let value = self.named(ident, ty.as_ref(), value, start);
                        self.rebind(ident, Binding::Value(value));
                        Ok(())
                    }
                    _ => Err(self.error(ident, "only a local `let mut` variable can be assigned to")),
                }
            }
            // An element of a constant `&mut` array (`#[no_grad] used: &mut [usize]`): constant
            // code, run in order in every generated function.
            Expr::Index(ix) if self.constant_mut_param(&ix.expr) => {
                let array = self.expr(&ix.expr)?;
                let index = self.expr(&ix.index)?;
                let (a, i, v) = (self.tokens(&array), self.tokens(&index), self.tokens(&value));
                let code = quote!(#a[#i] = #v);
                let why = "a constant (`#[no_grad]`) array cannot hold a differentiated value; write `stop_gradient(..)` around it, or make the array a local one".to_owned();
                self.value_from(Op::Opaque { code, args: vec![array, index, value], active_ok: false, why }, target);
                Ok(())
            }
            Expr::Index(ix) => {
                // `r[i][j] = v` of a local `[[F; N]; M]`: element `i * N + j` of its flat slot.
                if let Expr::Index(outer) = &*ix.expr
                    && let Some(Binding::Rows { slot, row, .. }) = self.binding(&outer.expr)
                {
                    if !matches!(self.slots[slot].kind, SlotKind::Array { .. }) {
                        return Err(
                            self.error(&outer.expr, "parameters cannot be written; copy into a local array first")
                        );
                    }
                    let (i, j) = (self.expr(&outer.index)?, self.expr(&ix.index)?);
                    let start = self.row_start(&row, i, ix.span());
                    let index = self.opaque_int(quote!(+), start, j, ix.span());
                    self.emit(Stmt::Write { slot, index, value });
                    return Ok(());
                }
                // `o[i] = v` of a view bound for writing: the element `offset + i` of its array.
                if let Some(Binding::View { slot, offset, mutable: true, .. }) = self.binding(&ix.expr) {
                    let i = self.expr(&ix.index)?;
                    let index = self.opaque_int(quote!(+), offset, i, ix.span());
                    self.emit(Stmt::Write { slot, index, value });
                    return Ok(());
                }
                let slot = self.array_slot(&ix.expr)?;
                let index = self.expr(&ix.index)?;
                if matches!(self.slots[slot].kind, SlotKind::ArrayParam { .. }) {
                    return Err(self.error(&ix.expr, "parameters cannot be written; copy into a local array first"));
                }
                self.emit(Stmt::Write { slot, index, value });
                Ok(())
            }
            // `*o = v` of an element `iter_mut` yields.
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => match self.binding(&u.expr) {
                Some(Binding::Place { slot, index }) => {
                    if matches!(self.slots[slot].kind, SlotKind::ArrayParam { .. }) {
                        return Err(self.error(&u.expr, "parameters cannot be written; copy into a local array first"));
                    }
                    self.emit(Stmt::Write { slot, index, value });
                    Ok(())
                }
                _ => Err(self.error(u, "only an element of `iter_mut()` can be written through `*`")),
            },
            other => Err(self.error(other, "only a local variable or an array element can be assigned to")),
        }
    }

    /// An argument of a call. An array lent mutably (`&mut h`, or a `&mut` parameter passed
    /// on) is an output the callee writes. An array of this function's own lent for reading
    /// makes the call *deferred* in reverse mode (see `Op::Call`).
    pub(super) fn argument(&mut self, a: &Expr) -> Result<Operand> {
        let (inner, explicit_mut) = match a {
            Expr::Reference(r) => (&*r.expr, r.mutability.is_some()),
            other => (other, false),
        };
        if let Some((base, range)) = crate::fence::sub_slice(inner) {
            return self.part_argument(a, base, range, explicit_mut);
        }
        if !explicit_mut && let Some(array) = self.array_argument(inner, !std::ptr::eq(inner, a))? {
            return Ok(array);
        }
        // `&a[i]` of rows: that part of the flat slice.
        if let Expr::Index(ix) = inner
            && let Some(Binding::Rows { slot, row, .. }) = self.binding(&ix.expr)
        {
            let local = matches!(self.slots[slot].kind, SlotKind::Array { .. });
            if explicit_mut && !local {
                return Err(self.error(a, "parameters cannot be written; copy into a local array first"));
            }
            let i = self.expr(&ix.index)?;
            let span = a.span();
            let start = self.row_start(&row, i.clone(), span);
            let len = self.row_len(&row, i, span);
            let end = self.opaque_int(quote!(+), start.clone(), len, span);
            let part = Some(Box::new(crate::ir::Part { start, end: Some(end) }));
            let access = if explicit_mut { Access::Mutable } else { Access::Shared };
            return Ok(Operand::Array { slot, access, part });
        }
        if let Some(Binding::Struct(param)) = self.binding(inner) {
            let name = self.structs[&param].name.clone();
            return Ok(Operand::Struct { param, name, path: Vec::new() });
        }
        // A tuple for a tuple parameter: written out, or a tuple parameter or local.
        if let Expr::Tuple(t) = inner
            && !explicit_mut
        {
            let elements = t.elems.iter().map(|e| self.expr(e)).collect::<Result<Vec<_>>>()?;
            return Ok(Operand::Tuple(elements));
        }
        if let Some(Binding::Tuple(elements)) = self.binding(inner) {
            return Ok(Operand::Tuple(elements));
        }
        // `&p.layer`: a field the body only lends whole (see `fields`).
        if let Some((param, path)) = self.whole_field(a) {
            let name = self.structs[&param].name.clone();
            return Ok(Operand::Struct { param, name, path });
        }
        // `&data.xs` of a constant struct: its floats, lent for reading.
        if !explicit_mut
            && !std::ptr::eq(inner, a)
            && let Some(slot) = self.constant_field_slot(inner)
        {
            return Ok(Operand::Array { slot, access: Access::Shared, part: None });
        }
        // `&mut *out`: a `&mut` parameter reborrowed, passed on to be written.
        if let Expr::Unary(syn::ExprUnary { op: syn::UnOp::Deref(_), expr, .. }) = inner
            && explicit_mut
            && let Some(Binding::Slot(s)) = self.binding(expr)
            && matches!(self.slots[s].kind, SlotKind::OutParam)
        {
            return Ok(Operand::Array { slot: s, access: Access::Reborrow, part: None });
        }
        if let Some(Binding::Slot(s)) = self.binding(inner) {
            match self.slots[s].kind {
                SlotKind::Array { .. } if explicit_mut => {
                    return Ok(Operand::Array { slot: s, access: Access::Mutable, part: None });
                }
                SlotKind::OutParam => {
                    return Ok(Operand::Array { slot: s, access: Access::Reborrow, part: None });
                }
                SlotKind::ArrayParam { by_value: false } => {}
                _ if explicit_mut => {
                    return Err(self.error(a, "only local arrays and `&mut` parameters can be lent mutably; copy this one into a local array (`let mut a = [0.0; N];`) and lend that"));
                }
                _ => return self.expr(a),
            }
        }
        if explicit_mut {
            return Err(self.error(a, "only local arrays and `&mut` parameters can be lent mutably; copy this one into a local array (`let mut a = [0.0; N];`) and lend that"));
        }
        self.expr(a)
    }

    /// The view `&base[range]` binds: of an array, or of another view (offsets add up). A
    /// view is read-only, which the borrow checker holds the user's code to: the array is not
    /// written while it lives, so each read through it is a read of the array then.
    fn view_of(&mut self, base: &Expr, range: &syn::ExprRange, mutable: bool) -> Result<Binding> {
        let span = range.span();
        let (slot, offset, len) = match self.binding(base) {
            Some(Binding::View { slot, offset, len, mutable: base_mutable }) if base_mutable || !mutable => {
                (slot, offset, len)
            }
            _ => {
                let slot = self.array_slot(base)?;
                (slot, Operand::constant(quote::quote!(0)), self.value(Op::Len(slot), span))
            }
        };
        // Refused, but bound all the same, so that its uses raise nothing more (nothing is
        // generated from a function with an error).
        if mutable && !matches!(self.slots[slot].kind, SlotKind::Array { .. } | SlotKind::OutParam) {
            let _ = self.error(base, "only local arrays and `&mut` parameters can be lent mutably; copy this one into a local array (`let mut a = [0.0; N];`) and lend that");
        }
        let start = match &range.start {
            Some(start) => self.expr(start)?,
            None => Operand::constant(quote::quote!(0)),
        };
        let len = match &range.end {
            Some(end) => {
                let end = self.expr(end)?;
                self.opaque_int(quote::quote!(-), end, start.clone(), span)
            }
            None => self.opaque_int(quote::quote!(-), len, start.clone(), span),
        };
        let offset = self.opaque_int(quote::quote!(+), offset, start, span);
        Ok(Binding::View { slot, offset, len, mutable })
    }

    /// `&x[a..b]` or `&mut out[a..]` as a call's argument: the callee reads (or writes)
    /// that part of the array, and its shadow is the same part of the array's adjoint.
    fn part_argument(&mut self, a: &Expr, base: &Expr, range: &syn::ExprRange, mutable: bool) -> Result<Operand> {
        let slot = self.array_slot(base)?;
        match self.slots[slot].kind {
            SlotKind::Array { .. } | SlotKind::OutParam if mutable => {}
            _ if mutable => {
                return Err(self.error(a, "only local arrays and `&mut` parameters can be lent mutably; copy this one into a local array (`let mut a = [0.0; N];`) and lend that"));
            }
            _ => {}
        }
        let start = match &range.start {
            Some(start) => self.expr(start)?,
            None => Operand::constant(quote::quote!(0)),
        };
        let end = &range.end;
        let end = match end {
            Some(e) => Some(self.expr(e)?),
            None => None,
        };
        let access = if mutable { Access::Mutable } else { Access::Shared };
        Ok(Operand::Array { slot, access, part: Some(Box::new(crate::ir::Part { start, end })) })
    }

    /// What a plain variable name refers to.
    pub(super) fn binding(&self, e: &Expr) -> Option<Binding> {
        match e {
            Expr::Paren(p) => self.binding(&p.expr),
            Expr::Path(p) => self.lookup(&p.path.get_ident()?.to_string()),
            Expr::Field(_) => self.field_binding(e),
            _ => None,
        }
    }

    /// The array slot an expression names (`a`, `&a`, `(a)`).
    pub(super) fn array_slot(&mut self, e: &Expr) -> Result<SlotId> {
        match e {
            Expr::Reference(r) if r.mutability.is_none() => self.array_slot(&r.expr),
            Expr::Paren(p) => self.array_slot(&p.expr),
            Expr::Path(p) if p.path.get_ident().is_some() => match self.lookup(&p.path.segments[0].ident.to_string()) {
                Some(Binding::Slot(s)) if !matches!(self.slots[s].kind, SlotKind::Scalar { .. }) => Ok(s),
                _ => Err(self.error(e, "not an array: index local arrays and array or slice parameters")),
            },
            // An array field of a struct parameter.
            Expr::Field(_) => {
                match self.field_binding(e) {
                    Some(Binding::Slot(s)) => Ok(s),
                    _ => match self.constant_field_slot(e) {
                        Some(s) => Ok(s),
                        None => Err(self
                            .error(e, "not an array: index local arrays, array or slice parameters and array fields")),
                    },
                }
            }
            other => Err(self.error(other, "index a named array: bind it with `let` first")),
        }
    }

    /// `[init; len]`, `vec![init; len]` or `[a, b, c]` as a `let` initialiser.
    fn array_init(&mut self, e: &Expr) -> Result<Option<ArrayInit>> {
        Ok(match e {
            // `[[x; N]; M]`: rows of a flat array.
            Expr::Repeat(r) if matches!(&*r.expr, Expr::Repeat(_)) => {
                let Expr::Repeat(inner) = &*r.expr else { unreachable!("matched") };
                Some(ArrayInit::Rows(inner.expr.clone(), inner.len.clone(), r.len.clone(), false))
            }
            Expr::Repeat(r) => Some(ArrayInit::Repeat(r.expr.clone(), r.len.clone(), false)),
            Expr::Macro(m) if m.mac.path.is_ident("vec") => {
                let parsed = m.mac.parse_body_with(|input: syn::parse::ParseStream| {
                    let init: Expr = input.parse()?;
                    input.parse::<syn::Token![;]>()?;
                    let len: Expr = input.parse()?;
                    Ok((init, len))
                });
                match parsed {
                    // `vec![[x; N]; n]`: rows of a flat `Vec`, as many as `n` says at run time.
                    Ok((Expr::Repeat(row), len)) => Some(ArrayInit::Rows(row.expr, row.len, Box::new(len), true)),
                    Ok((init, len)) => Some(ArrayInit::Repeat(Box::new(init), Box::new(len), true)),
                    Err(_) => return Err(self.error(m, "write a local vector as `vec![0.0; n]`")),
                }
            }
            // `[[a, b], [c, d]]`: rows written out, each as long as the first.
            Expr::Array(a) if a.elems.first().is_some_and(|r| matches!(r, Expr::Array(_))) => {
                let mut rows = Vec::new();
                for r in &a.elems {
                    match r {
                        Expr::Array(row) if rows.first().is_none_or(|f: &Vec<Expr>| f.len() == row.elems.len()) => {
                            rows.push(row.elems.iter().cloned().collect());
                        }
                        other => return Err(self.error(other, "every row must be written out, as long as the first")),
                    }
                }
                Some(ArrayInit::RowList(rows))
            }
            Expr::Array(a) => Some(ArrayInit::List(a.elems.iter().cloned().collect())),
            _ => None,
        })
    }

    fn declare_array(&mut self, ident: &Ident, ty: Option<&Type>, init: ArrayInit, node: &Expr) -> Result<()> {
        let name = self.names.user(ident);
        let init = match init {
            ArrayInit::Rows(init, row, rows, vec) => return self.declare_rows(ident, &init, &row, &rows, vec, node),
            ArrayInit::RowList(rows) => return self.declare_row_list(ident, &rows),
            flat => flat,
        };
        let slot = self.flat_array(name, ty, init)?;
        self.bind(ident, Binding::Slot(slot));
        Ok(())
    }

    /// A local array of `init`'s elements (a flat `ArrayInit`), declared under `name`.
    fn flat_array(&mut self, name: Ident, ty: Option<&Type>, init: ArrayInit) -> Result<SlotId> {
        let (init_value, len, vec, elems) = match init {
            ArrayInit::Repeat(init, len, vec) => {
                let init = self.expr(&init)?;
                let len = self.expr(&len)?;
                (init, len, vec, Vec::new())
            }
            ArrayInit::Rows(..) | ArrayInit::RowList(_) => unreachable!("rows are declared by `declare_array`"),
            ArrayInit::List(elems) => {
                let n = elems.len();
                let zero = Operand::constant(quote!(0.0));
                let len = Operand::constant(quote!(#n));
                (zero, len, false, elems)
            }
        };
        let kind = SlotKind::Array { init: init_value, len, vec };
        let slot = self.slot(Slot { name, ty: ty.cloned(), kind, active: false, param: None });
        self.emit(Stmt::Declare(slot));
        for (i, e) in elems.iter().enumerate() {
            let value = self.expr(e)?;
            let index = Operand::constant(quote!(#i));
            self.emit(Stmt::Write { slot, index, value });
        }
        Ok(slot)
    }

    /// An array written out as a call's argument (`norm([x, y])`, `dot(&[a, b], w)`): a local
    /// array of its own, passed by value or lent for reading.
    fn array_argument(&mut self, e: &Expr, shared: bool) -> Result<Option<Operand>> {
        // Rows written out are refused by the fence.
        let init = match e {
            Expr::Array(_) | Expr::Repeat(_) => self.array_init(e)?,
            _ => return Ok(None),
        };
        let Some(init) = init else { return Ok(None) };
        let name = self.names.fresh("__arg", e.span());
        let slot = self.flat_array(name, None, init)?;
        let access = if shared { Access::Shared } else { Access::Name };
        Ok(Some(Operand::Array { slot, access, part: None }))
    }
}

impl Lower<'_> {
    /// `let mut r = [[init; N]; M];` (or `vec![[init; N]; m]`, `vec`): one flat array of
    /// `N * M` floats (`r_flat`), which `r[i][j]` reads and writes at `i * N + j` (the rows of
    /// a parameter, see `Binding::Rows`).
    fn declare_rows(
        &mut self,
        ident: &Ident,
        init: &Expr,
        row: &Expr,
        rows: &Expr,
        vec: bool,
        node: &Expr,
    ) -> Result<()> {
        let name = self.names.fresh(&format!("{ident}_flat"), ident.span());
        let (init, row, count) = (self.expr(init)?, self.expr(row)?, self.expr(rows)?);
        let len = self.opaque_int(quote!(*), row.clone(), count.clone(), node.span());
        let kind = SlotKind::Array { init, len, vec };
        let slot = self.slot(Slot { name, ty: None, kind, active: false, param: None });
        self.emit(Stmt::Declare(slot));
        let row = super::Row::Stride(row);
        self.bind(ident, Binding::Rows { slot, row, name: ident.clone(), count: Some(count) });
        Ok(())
    }

    /// `let r = [[a, b], [c, d]];`: rows of a flat array, written element by element.
    fn declare_row_list(&mut self, ident: &Ident, rows: &[Vec<Expr>]) -> Result<()> {
        let name = self.names.fresh(&format!("{ident}_flat"), ident.span());
        let (n, m) = (rows.first().map_or(0, Vec::len), rows.len());
        let (row, count) = (Operand::constant(quote!(#n)), Operand::constant(quote!(#m)));
        let len = n * m;
        let init = Operand::constant(quote!(0.0));
        let kind = SlotKind::Array { init, len: Operand::constant(quote!(#len)), vec: false };
        let slot = self.slot(Slot { name, ty: None, kind, active: false, param: None });
        self.emit(Stmt::Declare(slot));
        for (k, e) in rows.iter().flatten().enumerate() {
            let value = self.expr(e)?;
            self.emit(Stmt::Write { slot, index: Operand::constant(quote!(#k)), value });
        }
        self.bind(ident, Binding::Rows { slot, row: super::Row::Stride(row), name: ident.clone(), count: Some(count) });
        Ok(())
    }

    /// Where row `i` of rows starts in their flat slot.
    pub(super) fn row_start(&mut self, row: &super::Row, i: Operand, span: Span) -> Operand {
        match row {
            super::Row::Stride(n) => self.opaque_int(quote!(*), i, n.clone(), span),
            super::Row::Starts(starts) => self.starts_at(starts, i, span),
        }
    }

    /// How many floats row `i` of rows holds.
    pub(super) fn row_len(&mut self, row: &super::Row, i: Operand, span: Span) -> Operand {
        match row {
            super::Row::Stride(n) => n.clone(),
            super::Row::Starts(starts) => {
                let start = self.starts_at(starts, i.clone(), span);
                let next = self.opaque_int(quote!(+), i, Operand::constant(quote!(1)), span);
                let end = self.starts_at(starts, next, span);
                self.opaque_int(quote!(-), end, start, span)
            }
        }
    }

    fn starts_at(&mut self, starts: &Ident, i: Operand, span: Span) -> Operand {
        let t = self.tokens(&i);
        let why = "a row's start cannot depend on a differentiated value".to_owned();
        self.value(Op::Opaque { code: quote!(#starts[#t]), args: vec![i], active_ok: false, why }, span)
    }
}

enum ArrayInit {
    Repeat(Box<Expr>, Box<Expr>, bool),
    List(Vec<Expr>),
    /// `[[init; row]; rows]`, or `vec![[init; row]; rows]` (true).
    Rows(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    /// `[[a, b], [c, d]]`.
    RowList(Vec<Vec<Expr>>),
}
