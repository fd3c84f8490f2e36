//! Calls whose result is an array or a tuple of floats: `let c = cross(a, b); c[0]`,
//! `let (s, co) = sincos(t);`, `p.0`, `cross(a, b)[1]`, or the function's own result. The
//! result is kept in a local array (the call's `result`, see `Op::Call`), whose elements are
//! read like any other; its length is the pattern's arity for a tuple pattern, else the
//! callee's `RESULT_LEN`, which the macro writes beside every function with such a result.

use super::{Binding, Lower, Result};
use crate::ir::{Op, Operand, Slot, SlotId, SlotKind, Stmt};
use quote::quote;
use syn::visit::Visit;
use syn::{Expr, Ident, Stmt as SynStmt, Type};

/// How many floats a call's result array holds.
#[derive(Clone, Copy)]
pub(super) enum ResultLen {
    /// The callee's `RESULT_LEN`.
    Callee,
    /// A flat tuple pattern's arity, `let (s, c) = sincos(t);`.
    Arity(usize),
    /// A nested pattern's leaves, `let (_, (_, [gx, gy])) = g_grad(p, q);`, checked against
    /// the callee's `RESULT_LEN` at compile time: each leaf is one float, so a `_` standing
    /// for an array would shift every name after it onto the wrong float.
    Leaves(usize, proc_macro2::Span),
}

impl Lower<'_> {
    /// Lowers the call `c` with its result written into a new local array `name`.
    pub(super) fn call_into(
        &mut self,
        name: Ident,
        ty: Option<&Type>,
        c: &syn::ExprCall,
        len: ResultLen,
    ) -> Result<SlotId> {
        let Expr::Path(path) = &*c.func else { return Err(self.fenced(&c.func)) };
        let path = &path.path;
        let len = match len {
            ResultLen::Arity(n) => Operand::constant(quote!(#n)),
            ResultLen::Callee => Operand::constant(quote!(#path::RESULT_LEN)),
            ResultLen::Leaves(n, span) => {
                self.check_leaves(path, n, span);
                Operand::constant(quote!(#path::RESULT_LEN))
            }
        };
        let kind = SlotKind::Array { init: Operand::constant(quote!(0.0)), len, vec: false };
        let slot = self.slot(Slot { name, ty: ty.cloned(), kind, active: false, param: None });
        self.emit(Stmt::Declare(slot));
        let span = syn::spanned::Spanned::span(c);
        let call = self.call(c, span)?;
        let v = call.value().filter(|&v| matches!(self.values[v].op, Op::Call { .. }));
        let Some(v) = v else {
            return Err(self.error(c, "only the array or tuple a differentiable function returns can be kept here"));
        };
        if let Op::Call { result, .. } = &mut self.values[v].op {
            *result = Some(slot);
        }
        self.call_results.insert(slot, path.clone());
        Ok(slot)
    }

    /// The compile-time check of `ResultLen::Leaves`, a statement of its own (in an array
    /// length, a constant block inside a generic function is refused). A constant item is
    /// evaluated by `cargo check` too; under `Self::` (which an item cannot name) a constant
    /// block, evaluated when the function is compiled.
    fn check_leaves(&mut self, path: &syn::Path, n: usize, span: proc_macro2::Span) {
        let message = format!(
            "this pattern names {n} floats, but the call returns another number of them: a `_` stands for one float; write `[_, _]` for the elements of an array, `(_, _)` for a tuple's"
        );
        let check = quote::quote_spanned!(span=> ::core::assert!(#path::RESULT_LEN == #n, #message));
        let code = if path.segments.first().is_some_and(|s| s.ident == "Self") {
            quote::quote_spanned!(span=> const { #check })
        } else {
            quote::quote_spanned!(span=> { const _: () = #check; })
        };
        self.value(Op::Opaque { code, args: Vec::new(), active_ok: true, why: String::new() }, span);
    }

    /// A call's result in a hidden local array, for `cross(a, b)[1]`, `sincos(t).0` or a
    /// function's result.
    pub(super) fn call_result(&mut self, c: &syn::ExprCall, len: ResultLen) -> Result<SlotId> {
        let name = self.names.fresh("__result", syn::spanned::Spanned::span(c));
        self.call_into(name, None, c, len)
    }

    /// `let (a, b) = f(..);`: the result kept, then each element bound to its name.
    /// A nested pattern, `let (v, (gx, gy)) = g_grad(x, y);` or `let (v, [gx, gy]) =
    /// g_grad(p);`, takes the floats of the result in order, one per name or `_`, as many as
    /// the callee's `RESULT_LEN` says.
    pub(super) fn destructure_call(&mut self, pat: &syn::PatTuple, c: &syn::ExprCall) -> Result<()> {
        let mut names = Vec::new();
        leaves(pat, &mut names);
        let nested = pat.elems.iter().any(|p| matches!(p, syn::Pat::Tuple(_) | syn::Pat::Slice(_)));
        let len = if nested {
            ResultLen::Leaves(names.len(), syn::spanned::Spanned::span(pat))
        } else {
            ResultLen::Arity(names.len())
        };
        let slot = self.call_result(c, len)?;
        for (i, p) in names.into_iter().enumerate() {
            let Some(p) = p else { continue };
            let start = self.values.next_id();
            let index = Operand::constant(quote!(#i));
            let value = self.value(Op::Index { slot, index }, p.ident.span());
            self.bind_local(p, None, value, start);
        }
        Ok(())
    }

    /// `p.0` of a result kept in an array: its element.
    pub(super) fn tuple_field(&mut self, f: &syn::ExprField) -> Result<Operand> {
        // `p.b` of a struct parameter.
        match self.field_binding(&Expr::Field(f.clone())) {
            Some(Binding::Value(v)) => return Ok(v),
            Some(Binding::Slot(s)) => {
                return Ok(Operand::Array { slot: s, access: crate::ir::Access::Name, part: None });
            }
            _ => {}
        }
        let syn::Member::Unnamed(index) = &f.member else {
            return Err(self.error(f, "only fields of a struct parameter that derives `Differentiable` can be read"));
        };
        let i = index.index as usize;
        if let Some(Binding::Tuple(elements)) = self.binding(&f.base) {
            return elements.get(i).cloned().ok_or_else(|| self.error(f, "the tuple has no such field"));
        }
        let slot = match &*f.base {
            Expr::Call(c) => self.call_result(c, ResultLen::Callee)?,
            base => match self.binding(base) {
                Some(Binding::Slot(s)) if matches!(self.slots[s].kind, SlotKind::Array { .. }) => s,
                _ => return Err(self.error(f, "only the tuple a differentiable call returns has fields here")),
            },
        };
        let index = Operand::constant(quote!(#i));
        Ok(self.value(Op::Index { slot, index }, syn::spanned::Spanned::span(f)))
    }
}

/// Whether the statements after `let name = f(..);` use `name` as an array or a tuple:
/// indexed, a field taken, lent (`&name`), measured or iterated. Scanning stops where a
/// `let` shadows the name.
pub(super) fn kept_as_array(name: &Ident, rest: &[SynStmt]) -> bool {
    let mut scan = Uses { name, found: false };
    for stmt in rest {
        if let SynStmt::Local(l) = stmt
            && binds(&l.pat, name)
        {
            if let Some(init) = &l.init {
                scan.visit_expr(&init.expr);
            }
            return scan.found;
        }
        scan.visit_stmt(stmt);
    }
    scan.found
}

fn binds(pat: &syn::Pat, name: &Ident) -> bool {
    match pat {
        syn::Pat::Ident(p) => p.ident == *name,
        syn::Pat::Type(t) => binds(&t.pat, name),
        syn::Pat::Tuple(t) => t.elems.iter().any(|p| binds(p, name)),
        _ => false,
    }
}

struct Uses<'a> {
    name: &'a Ident,
    found: bool,
}

impl Uses<'_> {
    fn is_name(&self, e: &Expr) -> bool {
        match e {
            Expr::Path(p) => p.path.is_ident(self.name),
            Expr::Paren(p) => self.is_name(&p.expr),
            Expr::Reference(r) => self.is_name(&r.expr),
            _ => false,
        }
    }
}

impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_expr(&mut self, e: &'ast Expr) {
        let array_use = match e {
            Expr::Index(ix) => self.is_name(&ix.expr),
            Expr::Field(f) => matches!(f.member, syn::Member::Unnamed(_)) && self.is_name(&f.base),
            Expr::Reference(r) => self.is_name(&r.expr),
            Expr::MethodCall(m) => {
                self.is_name(&m.receiver) && ["len", "iter"].contains(&m.method.to_string().as_str())
            }
            Expr::ForLoop(f) => self.is_name(&f.expr),
            _ => false,
        };
        self.found |= array_use;
        syn::visit::visit_expr(self, e);
    }
}

/// The names of a tuple pattern in order, nested ones flattened (`None` for `_`).
fn leaves<'p>(pat: &'p syn::PatTuple, out: &mut Vec<Option<&'p syn::PatIdent>>) {
    for p in &pat.elems {
        match p {
            syn::Pat::Tuple(t) => leaves(t, out),
            // `[gx, gy]` of an array in the result (a companion's gradient of an array).
            syn::Pat::Slice(s) => {
                for p in &s.elems {
                    out.push(match p {
                        syn::Pat::Ident(i) => Some(i),
                        _ => None,
                    });
                }
            }
            syn::Pat::Ident(i) => out.push(Some(i)),
            _ => out.push(None),
        }
    }
}
