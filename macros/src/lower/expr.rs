//! Expressions: operators, float methods and literals flattened into single-assignment
//! values, with a rule from the table for each operation.

use super::{Binding, Lower, Result};
use crate::code;
use crate::ir::{Access, IdVec, Op, Operand, Slot, SlotId, SlotKind, Stmt, ValueId};
use crate::rules::{self, Syntax};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Ident, Pat, UnOp};

impl Lower<'_> {
    /// `l op r` for an operator of the table: a value, or an inline constant when both
    /// operands are.
    pub(super) fn binary(&mut self, rule: &'static rules::Rule, l: Operand, r: Operand, span: Span) -> Operand {
        if l.value().is_none() && r.value().is_none() && l.slot().is_none() && r.slot().is_none() {
            let (lt, rt) = (&self.tokens(&l), &self.tokens(&r));
            return literal(rules::primal(rule, &[lt.clone(), rt.clone()], None, &self.func.float));
        }
        self.value(Op::Prim { rule, args: vec![l, r], callee: None }, span)
    }

    pub(super) fn expr(&mut self, e: &Expr) -> Result<Operand> {
        let span = e.span();
        match e {
            Expr::Lit(l) => Ok(literal(l.to_token_stream())),
            Expr::Macro(m) if m.mac.path.is_ident("cfg") => {
                let tokens = &m.mac.tokens;
                Ok(literal(quote!(::core::cfg!(#tokens))))
            }
            Expr::Macro(m) if is_matches(&m.mac.path) => self.matches(m),
            Expr::Path(p) => self.path(p, span),
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Reference(r) if r.mutability.is_none() => {
                if let Operand::Array { slot, part, .. } = self.expr(&r.expr)? {
                    return Ok(Operand::Array { slot, access: Access::Shared, part });
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
            Expr::Index(ix) => self.index(ix, span),
            Expr::Field(f) => self.tuple_field(f),
            Expr::Unary(u) => self.unary(u, span),
            Expr::Binary(b) => self.binary_expr(b),
            Expr::Cast(c) => self.cast(c, span),
            Expr::MethodCall(m) => self.method_call(m, span),
            Expr::Call(c) => self.call(c, span),
            other => Err(self.fenced(other)),
        }
    }

    /// A name: a local's value, a read of its slot, a whole array; else a constant.
    fn path(&mut self, p: &syn::ExprPath, span: Span) -> Result<Operand> {
        Ok(match p.path.get_ident().and_then(|i| self.lookup(&i.to_string())) {
            Some(Binding::Value(o)) => o,
            Some(Binding::Slot(s)) => match self.slots[s].kind {
                SlotKind::Scalar { .. } => self.value(Op::Read(s), span),
                _ => Operand::Array { slot: s, access: Access::Name, part: None },
            },
            Some(Binding::View { slot, offset, len, mutable }) => self.view_operand(slot, offset, len, mutable, span),
            // An element to write, read: `*o` (the deref is the identity here).
            Some(Binding::Place { slot, index }) => self.value(Op::Index { slot, index }, span),
            Some(Binding::Tuple(_)) => {
                return Err(self.error(p, "a tuple parameter is read by its elements here (`p.0`, `p.1`)"));
            }
            Some(Binding::Rows { .. }) => {
                return Err(self.error(
                    p,
                    "rows are read by element (`a[i][j]`), by row (`&a[i]`, `a[i].len()`) or iterated (`a.iter()`); passing them whole is not supported yet",
                ));
            }
            Some(Binding::Struct(_)) => {
                return Err(self.error(
                    p,
                    "a differentiable struct is read by its fields (`p.w[i]`, `p.b`) or passed to a call whole (`g(p, x)`); other uses of it whole are not supported yet",
                ));
            }
            // Not a local: a `const`, a `static` or an associated constant like `PI`.
            None => literal(p.to_token_stream()),
        })
    }

    /// `a[i]`: an element of an array slot, or of a constant array.
    fn index(&mut self, ix: &syn::ExprIndex, span: Span) -> Result<Operand> {
        // `a[i][j]` of rows: element `i * N + j` of the flat slice.
        if let Expr::Index(outer) = &*ix.expr
            && let Some(Binding::Rows { slot, row, .. }) = self.binding(&outer.expr)
        {
            let (i, j) = (self.expr(&outer.index)?, self.expr(&ix.index)?);
            let start = self.row_start(&row, i, span);
            let index = self.opaque_int(quote!(+), start, j, span);
            return Ok(self.value(Op::Index { slot, index }, span));
        }
        // `r[i][j]` of rows a call returned, kept in a flat array.
        if let Expr::Index(outer) = &*ix.expr
            && let Some(Binding::Slot(slot)) = self.binding(&outer.expr)
            && let Some(callee) = self.call_results.get(&slot).cloned()
        {
            let (i, j) = (self.expr(&outer.index)?, self.expr(&ix.index)?);
            let row = super::Row::Stride(Operand::constant(quote!(#callee::RESULT_ROW)));
            let start = self.row_start(&row, i, span);
            let index = self.opaque_int(quote!(+), start, j, span);
            return Ok(self.value(Op::Index { slot, index }, span));
        }
        // `cross(a, b)[1]`: the result kept in an array, then indexed.
        if let Expr::Call(c) = &*ix.expr {
            let slot = self.call_result(c, super::results::ResultLen::Callee)?;
            let index = self.expr(&ix.index)?;
            return Ok(self.value(Op::Index { slot, index }, span));
        }
        if let Some(Binding::View { slot, offset, .. }) = self.binding(&ix.expr) {
            let j = self.expr(&ix.index)?;
            return Ok(self.view_index(slot, offset, j, span));
        }
        // A constant array (a `#[no_grad]` slice, an array of integers) is read as a
        // constant; only float arrays that can be differentiated are slots.
        if let Some(Binding::Value(array)) = self.binding(&ix.expr) {
            let index = self.expr(&ix.index)?;
            let (a, i) = (&self.tokens(&array), &self.tokens(&index));
            let code = quote!(#a[#i]);
            let returned = array.value().is_some_and(|v| matches!(self.values[v].op, Op::Call { .. }));
            let why = if returned {
                "the array a differentiable call returns cannot be indexed yet; have the callee write it into a `&mut [f64]` parameter instead, and pass it a local array: `let mut c = [0.0; 3]; cross(a, b, &mut c); c[0]`"
            } else {
                "indexing this array cannot be differentiated: only float arrays and slices are, and this one is not (an integer array, or a `#[no_grad]` one)"
            }
            .to_owned();
            return Ok(self.value(Op::Opaque { code, args: vec![array, index], active_ok: false, why }, span));
        }
        let slot = self.array_slot(&ix.expr)?;
        let index = self.expr(&ix.index)?;
        Ok(self.value(Op::Index { slot, index }, span))
    }

    /// `-x` by the rule table (folded on a literal); `!b` is a constant.
    fn unary(&mut self, u: &syn::ExprUnary, span: Span) -> Result<Operand> {
        let a = self.expr(&u.expr)?;
        match u.op {
            // `*x` of an element an iterator yields: the element itself.
            UnOp::Deref(_) => Ok(a),
            UnOp::Neg(_) if a.value().is_none() && a.slot().is_none() => {
                let t = &self.tokens(&a);
                Ok(literal(quote!(-#t)))
            }
            UnOp::Neg(_) => {
                let rule = rules::neg();
                Ok(self.value(Op::Prim { rule, args: vec![a], callee: None }, span))
            }
            op => {
                let t = &self.tokens(&a);
                let why = "`!` cannot be applied to a differentiated float".to_owned();
                Ok(self.value(Op::Opaque { code: quote!(#op #t), args: vec![a], active_ok: false, why }, span))
            }
        }
    }

    /// `x as T`: differentiated to the function's own float type, a constant to any other.
    fn cast(&mut self, c: &syn::ExprCast, span: Span) -> Result<Operand> {
        let a = self.expr(&c.expr)?;
        let float = &self.func.float;
        let (t, ty) = (&self.tokens(&a), &c.ty);
        match crate::ast::classify(ty) {
            crate::ast::Kind::Float(f) if &f == float => {
                let rule = rules::cast();
                if a.value().is_none() {
                    return Ok(literal(quote!(#t as #ty)));
                }
                Ok(self.value(Op::Prim { rule, args: vec![a], callee: None }, span))
            }
            crate::ast::Kind::Float(f) => {
                let why = format!(
                    "mixed precision is not supported: this function differentiates `{float}`, not `{f}`; keep the value `{float}`"
                );
                Ok(self.value_from(Op::Opaque { code: quote!(#t as #ty), args: vec![a], active_ok: false, why }, c))
            }
            _ => {
                let why = format!(
                    "casting a differentiated value to `{}` would silently drop its derivative; keep it `{float}` (use `.floor()`/`.round()` for a piecewise-constant value)",
                    ty.to_token_stream()
                );
                Ok(self.value_from(Op::Opaque { code: quote!(#t as #ty), args: vec![a], active_ok: false, why }, c))
            }
        }
    }

    /// How many rows a rows parameter holds: its own `len()` (the flat slot's counts floats).
    pub(super) fn row_count(&mut self, name: &Ident, span: Span) -> Operand {
        let why = String::new();
        self.value(Op::Opaque { code: quote!(#name.len()), args: Vec::new(), active_ok: true, why }, span)
    }

    /// `x.method(..)`: a float method of the rule table, or `a.len()` of an array slot.
    fn method_call(&mut self, m: &syn::ExprMethodCall, span: Span) -> Result<Operand> {
        // `a.len()` counts rows, `a[i].len()` is the row's length.
        if m.method == "len" && m.args.is_empty() {
            if let Some(Binding::Rows { name, count, .. }) = self.binding(&m.receiver) {
                return Ok(count.unwrap_or_else(|| self.row_count(&name, span)));
            }
            if let Expr::Index(ix) = &*m.receiver
                && let Some(Binding::Rows { row, .. }) = self.binding(&ix.expr)
            {
                let i = self.expr(&ix.index)?;
                return Ok(self.row_len(&row, i, span));
            }
        }
        if m.method == "len" && m.args.is_empty() {
            match self.binding(&m.receiver) {
                Some(Binding::Slot(slot)) => return Ok(self.value(Op::Len(slot), span)),
                Some(Binding::View { len, .. }) => return Ok(len),
                _ => {}
            }
        }
        if let Some(reduced) = self.reduction(m)? {
            return Ok(reduced);
        }
        // `self.helper(x)`, `p.loss(x)`: a differentiable method, called by its type's path.
        if let Some(Binding::Struct(i)) = self.binding(&m.receiver) {
            let syn::Type::Path(ty) = self.func.params[i].referent() else {
                return Err(self.error(m, "call a method of a struct parameter named by its type"));
            };
            let mut path = ty.path.clone();
            // In expression position the type's arguments take a turbofish: `Model::<F>::loss`.
            for segment in &mut path.segments {
                if let syn::PathArguments::AngleBracketed(a) = &mut segment.arguments {
                    a.colon2_token.get_or_insert_with(Default::default);
                }
            }
            path.segments.push(m.method.clone().into());
            let func = Expr::Path(syn::ExprPath { attrs: Vec::new(), qself: None, path });
            let mut args: syn::punctuated::Punctuated<Expr, syn::Token![,]> = m.args.clone();
            args.insert(0, (*m.receiver).clone());
            let call = syn::ExprCall { attrs: Vec::new(), func: Box::new(func), paren_token: Default::default(), args };
            return self.call(&call, span);
        }
        // `p.layer.forward(x)`: the field's type, which a call by path needs, is not written
        // here, so the call keeps method syntax (`code::receiver_path`), the field lent whole.
        if self.is_struct_field(&m.receiver) && is_field_method(&m.method) {
            let path = code::receiver_path(&m.method);
            let func = Expr::Path(syn::ExprPath { attrs: Vec::new(), qself: None, path });
            let field = &m.receiver;
            let receiver: Expr = syn::parse_quote_spanned!(field.span()=> &#field);
            let mut args: syn::punctuated::Punctuated<Expr, syn::Token![,]> = m.args.clone();
            args.insert(0, receiver);
            let call = syn::ExprCall { attrs: Vec::new(), func: Box::new(func), paren_token: m.paren_token, args };
            return self.call(&call, span);
        }
        let mut args = vec![self.expr(&m.receiver)?];
        for a in &m.args {
            args.push(self.expr(a)?);
        }
        Ok(self.method(&m.method, args, m))
    }

    /// `f(..)`: a runtime function of the rule table, a float method called by its path, or
    /// another differentiable function.
    pub(super) fn call(&mut self, c: &syn::ExprCall, span: Span) -> Result<Operand> {
        let Expr::Path(p) = &*c.func else {
            return Err(self.fenced(&c.func));
        };
        let mut args = Vec::new();
        for a in &c.args {
            args.push(self.argument(a)?);
        }
        let segments: Vec<_> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
        // A runtime function the rule table knows (`stop_gradient`). The name is only a
        // hint: the call checks that the path is the runtime's function (a user's
        // function of that name is a compile error, not a silent detach), and under
        // another name the runtime's function is a call like any other.
        let by_name = segments.last().filter(|_| code::receiver_method(&p.path).is_none());
        if let Some(rule) = by_name.and_then(|name| rules::find(name, Syntax::Function)) {
            return self.runtime_call(rule, args, c, &p.path, span);
        }
        // `f64::sin(x)` is the method `x.sin()`. Any other associated function of a
        // float type (`f64::from(2u8)`, `f64::is_nan(x)`) is a constant, refused on a
        // differentiated argument.
        if let [ty, method] = &segments[..]
            && (ty == "f64" || ty == "f32" || self.func.float == ty)
            && !args.is_empty()
        {
            return Ok(self.float_function(ty, method, args, c, &p.path));
        }
        let spans = c.args.iter().map(code::ends).collect();
        let plain = crate::context::plain_function(&p.path);
        let snapshots = self.snapshots(&args, c);
        Ok(self.value_from(Op::Call { func: p.path.clone(), args, spans, plain, snapshots, result: None }, &p.path))
    }

    /// A copy of each array of this function's own passed to a call that reads one of them
    /// through a reference (see `Op::Call`), taken before the call: a constant value (the
    /// array's derivative is in its shadow). `None` for the other arguments, and for all of
    /// them when the call reads only slice parameters, which its pullback may borrow.
    fn snapshots(&mut self, args: &[Operand], c: &syn::ExprCall) -> Vec<Option<ValueId>> {
        let borrowable = |slot: SlotId, slots: &IdVec<SlotId, Slot>| {
            matches!(slots[slot].kind, SlotKind::ArrayParam { by_value: false })
        };
        let deferred = args.iter().any(|a| match a {
            Operand::Array { slot, access: Access::Shared, .. } => !borrowable(*slot, &self.slots),
            _ => false,
        });
        let mut out = vec![None; args.len()];
        if !deferred {
            return out;
        }
        for (a, snapshot) in args.iter().zip(&mut out) {
            let Operand::Array { slot, .. } = a else { continue };
            if borrowable(*slot, &self.slots) {
                continue;
            }
            let name = self.slots[*slot].name.clone();
            let copy = self.names.fresh(&format!("__{name}_copy"), c.span());
            let op = Op::Snapshot(*slot);
            *snapshot = Some(self.push(copy, op, c.span()));
        }
        out
    }

    /// A call of the runtime function of `rule`, on as many floats as the rule takes.
    fn runtime_call(
        &mut self,
        rule: &'static rules::Rule,
        args: Vec<Operand>,
        c: &syn::ExprCall,
        path: &syn::Path,
        span: Span,
    ) -> Result<Operand> {
        if args.len() != rule.arity || args.iter().any(|a| a.slot().is_some()) {
            let args = vec!["x"; rule.arity].join(", ");
            let msg = format!(
                "`{0}` takes {1} float{2}, `{0}({args})`; for a whole array, mark the parameter `#[no_grad]`",
                rule.name,
                ["no", "one", "two", "three"].get(rule.arity).unwrap_or(&"several"),
                if rule.arity == 1 { "" } else { "s" },
            );
            return Err(self.error(c, msg));
        }
        let callee = Some(code::detach(&self.func.krate, path));
        Ok(self.value(Op::Prim { rule, args, callee }, span))
    }

    /// `f64::method(x, ..)`, the path `ty::method`: the float method if it has a rule, else
    /// a constant.
    fn float_function(
        &mut self,
        ty: &str,
        method: &str,
        mut args: Vec<Operand>,
        c: &syn::ExprCall,
        path: &syn::Path,
    ) -> Operand {
        if rules::find(method, Syntax::Method).is_none() {
            let tokens = args.iter().map(|a| self.tokens(a));
            let code = quote!(#path(#(#tokens),*));
            let why = format!(
                "`{ty}::{method}` has no derivative rule; the differentiable float methods are: {}",
                rules::methods()
            );
            return self.value_from(Op::Opaque { code, args, active_ok: false, why }, c);
        }
        let method = path.segments[1].ident.clone();
        // `f64::atan2(2.0, x)`: the path typed the receiver, which the method call
        // written in its place must say (a literal, or a value of an untyped array).
        let ty = &path.segments[0].ident;
        match &args[0] {
            Operand::Constant(t) => args[0] = Operand::Constant(quote!((#t as #ty))),
            Operand::Value(v) if self.type_of(*v).is_none() => self.values[*v].ty = Some(syn::parse_quote!(#ty)),
            _ => {}
        }
        self.method(&method, args, c)
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
            let empty = self.block(Vec::new());
            let (then, els) = if is_and { (rhs, empty) } else { (empty, rhs) };
            self.emit(Stmt::If { cond: l, then, els });
            return Ok(self.value(Op::Read(slot), span));
        }
        let l = self.expr(&b.left)?;
        let r = self.expr(&b.right)?;
        if let Some(rule) = rules::infix(&b.op) {
            return Ok(self.binary(rule, l, r, span));
        }
        let (lt, rt, op) = (&self.tokens(&l), &self.tokens(&r), b.op);
        let code = quote!(#lt #op #rt);
        if l.value().is_none() && r.value().is_none() {
            return Ok(literal(code));
        }
        let span = b.op.span();
        let comparison =
            matches!(b.op, BinOp::Eq(_) | BinOp::Ne(_) | BinOp::Lt(_) | BinOp::Le(_) | BinOp::Gt(_) | BinOp::Ge(_));
        let why = binary_message(&b.op).to_owned();
        Ok(self.value(Op::Opaque { code, args: vec![l, r], active_ok: comparison, why }, span))
    }

    /// `matches!(e, pat)`: a constant `bool` over `e`'s value.
    fn matches(&mut self, m: &syn::ExprMacro) -> Result<Operand> {
        let parsed = m.mac.parse_body_with(|input: syn::parse::ParseStream| {
            let e: Expr = input.parse()?;
            input.parse::<syn::Token![,]>()?;
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            let _ = input.parse::<Option<syn::Token![,]>>()?;
            Ok((e, pat))
        });
        let Ok((e, pat)) = parsed else {
            return Err(self.error(m, "write `matches!(value, pattern)`; a guard (`if ..`) is not supported"));
        };
        let scrutinee = self.expr(&e)?;
        let t = &self.tokens(&scrutinee);
        let code = quote!(::core::matches!(#t, #pat));
        Ok(self.value(Op::Opaque { code, args: vec![scrutinee], active_ok: true, why: String::new() }, m.span()))
    }

    fn method(&mut self, method: &Ident, args: Vec<Operand>, node: &dyn ToTokens) -> Operand {
        let name = method.to_string();
        match rules::find(&name, Syntax::Method).filter(|r| r.arity == args.len()) {
            // Errors about its arguments (`powi`'s exponent) cover the whole call.
            Some(rule) => self.value_from(Op::Prim { rule, args, callee: None }, node),
            None if rules::is_predicate(&name) && args.len() == 1 => {
                let recv = self.tokens(&args[0]);
                let code = quote!(#recv.#method());
                self.value(Op::Opaque { code, args, active_ok: true, why: String::new() }, method.span())
            }
            None => {
                let (recv, rest) = (&self.tokens(&args[0]), args[1..].iter().map(|a| self.tokens(a)));
                let code = quote!(#recv.#method(#(#rest),*));
                let why = match rules::find(&name, Syntax::Method) {
                    Some(rule) => format!("`{name}` takes {} argument(s) besides the receiver", rule.arity - 1),
                    None => format!(
                        "`{name}` has no derivative rule; the differentiable float methods are: {}",
                        rules::methods()
                    ),
                };
                // The error, if any, points at the method name.
                self.value(Op::Opaque { code, args, active_ok: false, why }, method.span())
            }
        }
    }
}

/// `matches!` or `::core::matches!` (which `match` desugars to).
fn is_matches(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| s.ident == "matches")
        && (path.segments.len() == 1
            || path.segments.iter().next().is_some_and(|s| s.ident == "core" || s.ident == "std"))
}

fn binary_message(op: &BinOp) -> &'static str {
    match op {
        BinOp::Rem(_) => "`%` on a differentiated value is not supported; write `x - (x / y).trunc() * y`",
        _ => "this operator cannot be applied to a differentiated float; use `+ - * /`",
    }
}

pub(super) fn compound(op: &BinOp) -> Option<&'static rules::Rule> {
    rules::compound(op)
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

/// Whether `x.method(..)` on a struct field calls a method of the field's own type (a
/// differentiable method, see `method_call`) rather than a float method of the rule table, a
/// predicate, or a method of an array (`len`, `iter`).
pub(super) fn is_field_method(method: &Ident) -> bool {
    let name = method.to_string();
    rules::find(&name, Syntax::Method).is_none()
        && !rules::is_predicate(&name)
        && !super::fields::ARRAY_METHODS.contains(&name.as_str())
}
