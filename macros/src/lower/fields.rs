//! Struct parameters (`p: &Mlp` of a struct that derives `Differentiable`). The macro cannot
//! see the struct's definition, only the body: each field path the body reads (`p.w`,
//! `p.layer.b`) becomes a parameter of its own, an array if the body indexes, measures, lends
//! or iterates it, else a float. The generated bodies take them out of the struct on entry
//! (`let p_w = &p.w[..];`), their tangents out of the tangent struct, and the adjoint sweep
//! adds their gradients into the shadow struct, so nothing past the lowering knows structs.

use super::{Binding, Lower};
use crate::ir::{Field, FieldPlace, Op, Slot, SlotId, SlotKind, Stmt, StructParam};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, Ident};

impl Lower<'_> {
    /// Parameter `i`, a struct: one parameter per field path the body reads.
    pub(super) fn struct_param(&mut self, i: usize, p: &crate::ast::Param, body: &[syn::Stmt]) {
        let mut scan = Paths { root: &p.ident, found: Vec::new(), whole: Vec::new(), rows: Vec::new() };
        body.iter().for_each(|s| scan.visit_stmt(s));
        // A field also read another way is an array or a float, lent as such.
        for path in scan.whole.iter().filter(|w| !scan.found.iter().any(|(f, _)| f == *w)) {
            self.whole_fields.push((i, path.clone()));
        }
        for (path, array) in scan.found {
            let joined: Vec<String> = path.iter().map(Ident::to_string).collect();
            let name = self.names.fresh(&format!("{}_{}", p.ident, joined.join("_")), p.ident.span());
            let rows = scan.rows.contains(&path);
            let row_len = rows.then(|| self.names.fresh(&format!("{}_row_len", name), p.ident.span()));
            let place = if array {
                let kind = SlotKind::ArrayParam { by_value: false };
                FieldPlace::Array(self.slot(Slot { name, ty: None, kind, active: p.active, param: None }))
            } else {
                let id = self.push(name, Op::Param, p.ident.span());
                self.values[id].active = p.active;
                FieldPlace::Scalar(id)
            };
            self.fields.push(Field { param: i, path, place, row_len });
        }
        let derivative = self.names.fresh(&format!("d{}", p.ident), p.ident.span());
        let calls = self.names.fresh(&format!("d{}_calls", p.ident), p.ident.span());
        self.structs.insert(i, StructParam { name: p.ident.clone(), derivative, calls });
        self.bind(&p.ident, Binding::Struct(i));
    }

    /// `&p.layer` lent whole to a call, of a field the body reads no other way: its struct
    /// parameter and path. Such a field may be a struct or an array: the call takes the same
    /// field of the tangent and of the shadow, whichever it is.
    pub(super) fn whole_field(&self, arg: &Expr) -> Option<(usize, Vec<Ident>)> {
        let Expr::Reference(r) = arg else { return None };
        let (root, path) = field_path(&r.expr)?;
        let Binding::Struct(i) = self.lookup(&root.to_string())? else { return None };
        self.whole_fields.iter().find(|(p, q)| *p == i && *q == path).cloned()
    }

    /// Whether `e` is a field of a struct parameter (`p.layer`, `self.w`).
    pub(super) fn is_struct_field(&self, e: &Expr) -> bool {
        let Some((root, path)) = field_path(e) else { return false };
        !path.is_empty() && matches!(self.lookup(&root.to_string()), Some(Binding::Struct(_)))
    }

    /// `data.xs` of a constant struct parameter (`#[no_grad] data: &Data`) used as an array
    /// of floats (lent to a call, indexed there): a slot over `&data.xs[..]`, bound once at
    /// the top of the body, so that every sweep sees it (the adjoint reads it again, a callee's
    /// pullback may borrow it) and a field with no floats is our compile error, on the field
    /// (`__private::float_field`). `None` for anything else.
    pub(super) fn constant_field_slot(&mut self, e: &Expr) -> Option<SlotId> {
        let (root, path) = field_path(e)?;
        let Some(Binding::Value(v)) = self.lookup(&root.to_string()) else { return None };
        if path.is_empty() || v.value().is_none_or(|v| self.values[v].active) {
            return None;
        }
        let key = quote::ToTokens::to_token_stream(e).to_string();
        if let Some(&slot) = self.constant_fields.get(&key) {
            return Some(slot);
        }
        let joined: Vec<String> = std::iter::once(root.to_string()).chain(path.iter().map(Ident::to_string)).collect();
        let name = self.names.fresh(&joined.join("_"), e.span());
        let (krate, float) = (&self.func.krate, &self.func.float);
        let path = quote::quote!(#krate::__private::float_field::<#float, _>);
        let code = crate::code::call_at(path, quote::quote!(&#e), crate::code::ends(e));
        let why = "a constant field".to_string();
        let op = Op::Opaque { code, args: Vec::new(), active_ok: true, why };
        let id = self.values.push(crate::ir::Value {
            name: name.clone(),
            ty: None,
            op,
            active: false,
            depth: Default::default(),
            span: e.span(),
            origin: None,
        });
        self.blocks[0].insert(0, Stmt::Def(id));
        let kind = SlotKind::ArrayParam { by_value: false };
        let slot = self.slot(Slot { name, ty: None, kind, active: false, param: None });
        self.constant_fields.insert(key, slot);
        Some(slot)
    }

    /// `p.w` or `p.layer.b` of a struct parameter: its field's binding.
    pub(super) fn field_binding(&self, e: &Expr) -> Option<Binding> {
        let (root, path) = field_path(e)?;
        let i = match self.lookup(&root.to_string())? {
            Binding::Struct(i) => i,
            // A field of a constant (`#[no_grad] data: &Data`) is a constant, as written.
            Binding::Value(v) if !path.is_empty() && v.value().is_some_and(|v| !self.values[v].active) => {
                return Some(Binding::Value(crate::ir::Operand::Constant(quote::ToTokens::to_token_stream(e))));
            }
            _ => return None,
        };
        let field = self.fields.iter().find(|f| f.param == i && f.path == path)?;
        Some(match (field.place, &field.row_len) {
            // Rows: the flat slot, row `i` at `i * row_len`, as many rows as it holds.
            (FieldPlace::Array(slot), Some(n)) => {
                let flat = &self.slots[slot].name;
                let row = super::Row::Stride(crate::ir::Operand::constant(quote::quote!(#n)));
                let count = Some(crate::ir::Operand::constant(quote::quote!((#flat.len() / #n))));
                Binding::Rows { slot, row, name: flat.clone(), count }
            }
            (FieldPlace::Array(s), None) => Binding::Slot(s),
            (FieldPlace::Scalar(v), _) => Binding::Value(self.operand(v)),
        })
    }
}

/// `p.a.b` as its root `p` and its fields `[a, b]`.
fn field_path(e: &Expr) -> Option<(&Ident, Vec<Ident>)> {
    match e {
        Expr::Field(f) => {
            let syn::Member::Named(name) = &f.member else { return None };
            let (root, mut path) = field_path(&f.base)?;
            path.push(name.clone());
            Some((root, path))
        }
        Expr::Path(p) => Some((p.path.get_ident()?, Vec::new())),
        Expr::Paren(p) => field_path(&p.expr),
        _ => None,
    }
}

/// The methods of an array field the body may call (the rest are the field's own type's).
pub(super) const ARRAY_METHODS: [&str; 3] = ["len", "iter", "chunks_exact"];

/// The field paths of `root` a body reads, in order of first use, each with whether it is
/// used as an array.
struct Paths<'a> {
    root: &'a Ident,
    found: Vec<(Vec<Ident>, bool)>,
    /// Paths lent whole to a call, `g(&p.layer)`.
    whole: Vec<Vec<Ident>>,
    /// Paths read as rows, `p.w[i][j]`.
    rows: Vec<Vec<Ident>>,
}

impl Paths<'_> {
    /// Records `e` if it is a field path of the root; true if it was.
    fn record(&mut self, e: &Expr, array: bool) -> bool {
        let Some((root, path)) = field_path(e) else { return false };
        if root != self.root || path.is_empty() {
            return false;
        }
        match self.found.iter_mut().find(|(p, _)| *p == path) {
            Some((_, a)) => *a |= array,
            None => self.found.push((path, array)),
        }
        true
    }
}

impl Paths<'_> {
    /// An argument of a call: `&p.path` is lent whole, anything else is visited.
    fn argument(&mut self, a: &Expr) {
        if let Expr::Reference(r) = a
            && r.mutability.is_none()
            && let Some((root, path)) = field_path(&r.expr)
            && root == self.root
            && !path.is_empty()
        {
            if !self.whole.contains(&path) {
                self.whole.push(path);
            }
            return;
        }
        self.visit_expr(a);
    }
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_expr(&mut self, e: &'ast Expr) {
        if let Expr::Call(c) = e {
            self.visit_expr(&c.func);
            c.args.iter().for_each(|a| self.argument(a));
            return;
        }
        // `p.layer.forward(x)`: the field lent whole to its method (see `method_call`).
        if let Expr::MethodCall(m) = e
            && super::expr::is_field_method(&m.method)
            && let Some((root, path)) = field_path(&m.receiver)
            && root == self.root
            && !path.is_empty()
        {
            if !self.whole.contains(&path) {
                self.whole.push(path);
            }
            m.args.iter().for_each(|a| self.argument(a));
            return;
        }
        // `for r in p.w.iter() { .. r[j] .. }`: the field is rows too.
        if let Expr::ForLoop(f) = e
            && let syn::Pat::Ident(var) = &*f.pat
            && let Some((root, path)) = iterated_field(&f.expr)
            && root == self.root
            && !path.is_empty()
            && indexes(&f.body, &var.ident)
            && !self.rows.contains(&path)
        {
            self.rows.push(path);
        }
        // `p.w[i][j]`: the field is rows.
        if let Expr::Index(ix) = e
            && let Expr::Index(inner) = &*ix.expr
            && let Some((root, path)) = field_path(&inner.expr)
            && root == self.root
            && !path.is_empty()
            && !self.rows.contains(&path)
        {
            self.rows.push(path);
        }
        let array_base = match e {
            Expr::Index(ix) => Some(&*ix.expr),
            Expr::Reference(r) => Some(&*r.expr),
            Expr::MethodCall(m) if ARRAY_METHODS.contains(&m.method.to_string().as_str()) => Some(&*m.receiver),
            Expr::ForLoop(f) => Some(&*f.expr),
            _ => None,
        };
        if let Some(base) = array_base {
            self.record(base, true);
        }
        if self.record(e, false) {
            return;
        }
        syn::visit::visit_expr(self, e);
    }
}

/// The field a `for` loop iterates, `p.w.iter()`.
fn iterated_field(e: &Expr) -> Option<(&Ident, Vec<Ident>)> {
    match e {
        Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => field_path(&m.receiver),
        _ => None,
    }
}

/// Whether `body` indexes the variable `var` (`var[j]`).
fn indexes(body: &syn::Block, var: &Ident) -> bool {
    crate::ast::any_expr(
        body,
        &|e| matches!(e, Expr::Index(ix) if matches!(&*ix.expr, Expr::Path(p) if p.path.is_ident(var))),
    )
}
