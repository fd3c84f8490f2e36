//! Lowering: a fenced function body becomes a Wengert list ([`Ir`]). Expressions are
//! flattened into single-assignment values, `let` bindings name them, reassignment and
//! shadowing create new values, and every value learns whether it is active (depends on a
//! differentiated parameter). Checks that depend on activity live here: an active value
//! may only flow through operations that have a derivative.

use crate::ast::{Errors, Function};
use crate::ir::{Ir, Op, Operand, Value};
use crate::names::Names;
use crate::rules::{self, Rule, Syntax};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Ident, Pat, Stmt, Type, UnOp};

pub fn lower(func: &Function, names: &mut Names) -> syn::Result<Ir> {
    let mut lower = Lower {
        func,
        names,
        values: Vec::new(),
        scopes: vec![HashMap::new()],
        errors: Errors::default(),
        temps: 0,
        unnamed: Vec::new(),
    };
    for p in &func.params {
        let name = lower.names.user(&p.ident);
        let id = lower.push(Value { name, ty: None, op: Op::Param, active: p.active });
        lower.bind(&p.ident, lower.operand(id));
    }
    let output = lower.stmts(&func.item.block.stmts);
    lower.errors.finish()?;
    let output =
        output.ok_or_else(|| syn::Error::new_spanned(&func.item.block, "the function must end with its value"))?;
    Ok(Ir { values: lower.values, output })
}

struct Lower<'a> {
    func: &'a Function,
    names: &'a mut Names,
    values: Vec<Value>,
    /// Innermost scope last: user variable name -> its current value.
    scopes: Vec<HashMap<String, Operand>>,
    errors: Errors,
    temps: usize,
    /// Values named by `temp`, which a following `let` may rename to the user's name.
    unnamed: Vec<usize>,
}

/// An error already reported to `Lower::errors`; lowering of the enclosing node stops.
struct Reported;

type Result<T> = std::result::Result<T, Reported>;

impl Lower<'_> {
    fn push(&mut self, value: Value) -> usize {
        self.values.push(value);
        self.values.len() - 1
    }

    fn operand(&self, id: usize) -> Operand {
        Operand { tokens: self.values[id].name.to_token_stream(), value: Some(id) }
    }

    fn is_active(&self, o: &Operand) -> bool {
        o.value.is_some_and(|v| self.values[v].active)
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

    fn lookup(&self, name: &str) -> Option<Operand> {
        self.scopes.iter().rev().find_map(|s| s.get(name).cloned())
    }

    fn bind(&mut self, ident: &Ident, o: Operand) {
        let scope = self.scopes.last_mut().expect("the function scope is never popped");
        scope.insert(ident.to_string(), o);
    }

    /// Reassignment: updates the variable in the scope that declared it.
    fn rebind(&mut self, ident: &Ident, o: Operand) -> Result<()> {
        let key = ident.to_string();
        match self.scopes.iter_mut().rev().find(|s| s.contains_key(&key)) {
            Some(scope) => {
                scope.insert(key, o);
                Ok(())
            }
            None => Err(self.error(
                ident,
                "assignment to a variable that is not a local of this function; declare it with `let mut`",
            )),
        }
    }

    /// A new value computed by `op` from `args`: a rule application when an argument is
    /// active, otherwise a constant written out as `constant`.
    fn apply(&mut self, rule: &'static Rule, args: Vec<Operand>, constant: TokenStream, span: Span) -> Operand {
        if args.iter().any(|a| self.is_active(a)) {
            let name = self.temp(span);
            let id = self.push(Value { name, ty: None, op: Op::Prim { rule, args }, active: true });
            self.operand(id)
        } else {
            self.constant(constant, span)
        }
    }

    fn constant(&mut self, tokens: TokenStream, span: Span) -> Operand {
        let name = self.temp(span);
        let id = self.push(Value { name, ty: None, op: Op::Const(tokens), active: false });
        self.operand(id)
    }

    /// Binds the result of `init` to a user variable. A value created by the expression
    /// itself takes the user's name; an existing value or a literal is copied, so the
    /// name survives in the generated code.
    fn named(&mut self, ident: &Ident, ty: Option<&Type>, init: Operand, created_after: usize) -> Operand {
        if let Some(v) =
            init.value.filter(|&v| v >= created_after && v + 1 == self.values.len() && self.unnamed.contains(&v))
        {
            let name = self.names.user(ident);
            self.values[v].name = name;
            self.values[v].ty = ty.cloned();
            return self.operand(v);
        }
        let name = self.names.user(ident);
        let active = self.is_active(&init);
        let op = if active {
            Op::Prim { rule: rules::find("copy", Syntax::Copy).expect("copy is in the rule table"), args: vec![init] }
        } else {
            Op::Const(init.tokens)
        };
        let id = self.push(Value { name, ty: ty.cloned(), op, active });
        self.operand(id)
    }

    /// Lowers statements; returns the value of the trailing expression or `return`.
    fn stmts(&mut self, stmts: &[Stmt]) -> Option<Operand> {
        let mut result = None;
        for stmt in stmts {
            if let Ok(Some(value)) = self.stmt(stmt) {
                result = Some(value);
            }
        }
        result
    }

    fn stmt(&mut self, stmt: &Stmt) -> Result<Option<Operand>> {
        match stmt {
            Stmt::Local(local) => {
                let (pat, ty) = match &local.pat {
                    Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
                    p => (p, None),
                };
                let (Pat::Ident(p), Some(init)) = (pat, &local.init) else {
                    return Err(self.error(local, "unsupported `let`"));
                };
                let start = self.values.len();
                let value = self.expr(&init.expr)?;
                let value = self.named(&p.ident, ty, value, start);
                self.bind(&p.ident, value);
                Ok(None)
            }
            Stmt::Expr(Expr::Assign(a), Some(_)) => {
                let ident = target(&a.left);
                let start = self.values.len();
                let value = self.expr(&a.right)?;
                let value = self.named(&ident, None, value, start);
                self.rebind(&ident, value)?;
                Ok(None)
            }
            Stmt::Expr(Expr::Binary(b), Some(_)) => {
                let ident = target(&b.left);
                let (symbol, rule) =
                    compound(&b.op).ok_or_else(|| self.error(b.op, "unsupported compound assignment"))?;
                let current = self.lookup(&ident.to_string()).ok_or_else(|| {
                    self.error(&ident, "assignment to a variable that is not a local of this function")
                })?;
                let rhs = self.expr(&b.right)?;
                let start = self.values.len();
                let (l, r) = (&current.tokens, &rhs.tokens);
                let constant = quote!(#l #symbol #r);
                let value = self.apply(rule, vec![current, rhs], constant, b.span());
                let value = self.named(&ident, None, value, start);
                self.rebind(&ident, value)?;
                Ok(None)
            }
            Stmt::Expr(Expr::Return(r), _) => match &r.expr {
                Some(e) => self.expr(e).map(Some),
                None => Err(self.error(r, "return the function's value")),
            },
            Stmt::Expr(Expr::Block(b), None) if !matches!(b.block.stmts.last(), Some(Stmt::Expr(_, None))) => {
                self.block(&b.block.stmts);
                Ok(None)
            }
            Stmt::Expr(e, None) => self.expr(e).map(Some),
            other => Err(self.error(other, "unsupported statement")),
        }
    }

    fn block(&mut self, stmts: &[Stmt]) -> Option<Operand> {
        self.scopes.push(HashMap::new());
        let value = self.stmts(stmts);
        self.scopes.pop();
        value
    }

    fn expr(&mut self, e: &Expr) -> Result<Operand> {
        let span = e.span();
        match e {
            Expr::Lit(l) => Ok(literal(l.to_token_stream())),
            Expr::Path(p) => match p.path.get_ident().and_then(|i| self.lookup(&i.to_string())) {
                Some(o) => Ok(o),
                // Not a local: a `const`, a `static` or an associated constant like `PI`.
                None => Ok(literal(p.to_token_stream())),
            },
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Block(b) => self.block(&b.block.stmts).ok_or_else(|| self.error(b, "this block has no value")),
            Expr::Unary(u) => {
                let a = self.expr(&u.expr)?;
                match u.op {
                    UnOp::Neg(_) => {
                        if a.value.is_none() {
                            let t = &a.tokens;
                            return Ok(literal(quote!(-#t)));
                        }
                        let t = &a.tokens;
                        let constant = quote!(-#t);
                        let rule = rules::find("neg", Syntax::Prefix).expect("neg is in the rule table");
                        Ok(self.apply(rule, vec![a], constant, span))
                    }
                    _ if self.is_active(&a) => Err(self.error(u, "`!` cannot be applied to a differentiated float")),
                    _ => {
                        let t = &a.tokens;
                        let op = u.op;
                        Ok(self.constant(quote!(#op #t), span))
                    }
                }
            }
            Expr::Binary(b) => {
                let l = self.expr(&b.left)?;
                let r = self.expr(&b.right)?;
                let (lt, rt, op) = (&l.tokens, &r.tokens, b.op);
                let constant = quote!(#lt #op #rt);
                let symbol = op.to_token_stream().to_string();
                match rules::find(&symbol, Syntax::Infix) {
                    Some(rule) => {
                        if l.value.is_none() && r.value.is_none() {
                            return Ok(literal(constant));
                        }
                        Ok(self.apply(rule, vec![l, r], constant, span))
                    }
                    None if self.is_active(&l) || self.is_active(&r) => Err(self.error(op, binary_message(&op))),
                    None => Ok(self.constant(constant, span)),
                }
            }
            Expr::Cast(c) => {
                let a = self.expr(&c.expr)?;
                if self.is_active(&a) {
                    let float = &self.func.float;
                    return match crate::ast::classify(&c.ty) {
                        crate::ast::Kind::Float(f) if &f == float => Ok(a),
                        crate::ast::Kind::Float(f) => Err(self.error(
                            &c.ty,
                            format!("mixed precision is not supported: this function differentiates `{float}`, not `{f}`; keep the value `{float}`"),
                        )),
                        _ => Err(self.error(
                            c,
                            format!("casting a differentiated value to `{}` would silently drop its derivative; keep it `{float}` (use `.floor()`/`.round()` for a piecewise-constant value)", c.ty.to_token_stream()),
                        )),
                    };
                }
                let (t, ty) = (&a.tokens, &c.ty);
                Ok(self.constant(quote!(#t as #ty), span))
            }
            Expr::MethodCall(m) => {
                let mut args = vec![self.expr(&m.receiver)?];
                for a in &m.args {
                    args.push(self.expr(a)?);
                }
                self.method(&m.method, args, m, span)
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return Err(self.error(&c.func, "only functions called by name can be differentiated through"));
                };
                let mut args = Vec::new();
                for a in &c.args {
                    args.push(self.expr(a)?);
                }
                // `f64::sin(x)` is the method `x.sin()`.
                let segments: Vec<_> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
                if let [ty, _] = &segments[..] {
                    if (ty == "f64" || ty == "f32") && !args.is_empty() {
                        let method = p.path.segments[1].ident.clone();
                        // `f64::atan2(2.0, x)`: the path typed the literal receiver.
                        if args[0].value.is_none() {
                            let (t, ty) = (&args[0].tokens, &p.path.segments[0].ident);
                            args[0].tokens = quote!((#t as #ty));
                        }
                        return self.method(&method, args, c, span);
                    }
                }
                if args.iter().any(|a| self.is_active(a)) {
                    let name = self.temp(span);
                    let id =
                        self.push(Value { name, ty: None, op: Op::Call { func: p.path.clone(), args }, active: true });
                    return Ok(self.operand(id));
                }
                let tokens = args.iter().map(|a| &a.tokens);
                let func = &p.path;
                Ok(self.constant(quote!(#func(#(#tokens),*)), span))
            }
            other => Err(self.error(other, "this expression is not supported by #[differentiable]")),
        }
    }

    fn method(&mut self, method: &Ident, args: Vec<Operand>, node: &dyn ToTokens, span: Span) -> Result<Operand> {
        if !args.iter().any(|a| self.is_active(a)) {
            let (recv, rest) = (&args[0].tokens, args[1..].iter().map(|a| &a.tokens));
            return Ok(self.constant(quote!(#recv.#method(#(#rest),*)), span));
        }
        let name = method.to_string();
        let Some(rule) = rules::find(&name, Syntax::Method) else {
            return Err(self.error(
                method,
                format!("`{name}` has no derivative rule; the differentiable float methods are: {}", rules::methods()),
            ));
        };
        if rule.arity != args.len() {
            return Err(self.error(node, format!("`{name}` takes {} argument(s) besides the receiver", rule.arity - 1)));
        }
        if let Some(&i) = rule.constant.iter().find(|&&i| self.is_active(&args[i])) {
            return Err(self.error(
                node,
                format!("argument {i} of `{name}` must not depend on a differentiated value; for a differentiable exponent use `powf`"),
            ));
        }
        let constant = TokenStream::new();
        Ok(self.apply(rule, args, constant, span))
    }
}

fn binary_message(op: &BinOp) -> &'static str {
    match op {
        BinOp::Rem(_) => "`%` on a differentiated value is not supported; write `x - (x / y).trunc() * y`",
        BinOp::Eq(_) | BinOp::Ne(_) | BinOp::Lt(_) | BinOp::Le(_) | BinOp::Gt(_) | BinOp::Ge(_) => {
            "comparisons of differentiated values need `if`, which is not supported yet; use `max`/`min`"
        }
        _ => "this operator cannot be applied to a differentiated float; use `+ - * /`",
    }
}

fn compound(op: &BinOp) -> Option<(TokenStream, &'static Rule)> {
    let symbol = match op {
        BinOp::AddAssign(_) => "+",
        BinOp::SubAssign(_) => "-",
        BinOp::MulAssign(_) => "*",
        BinOp::DivAssign(_) => "/",
        _ => return None,
    };
    Some((symbol.parse().ok()?, rules::find(symbol, Syntax::Infix)?))
}

/// The assigned variable of `x = ...` / `x += ...` (the fence guarantees a plain name).
fn target(e: &Expr) -> Ident {
    match e {
        Expr::Path(p) if p.path.get_ident().is_some() => p.path.segments[0].ident.clone(),
        other => Ident::new("__unsupported_target", other.span()),
    }
}

/// An inline constant operand, parenthesised unless it is one token, so that it can stand
/// as a method receiver or an operand of any operator.
fn literal(tokens: TokenStream) -> Operand {
    let single = tokens.clone().into_iter().count() == 1;
    let is_path = tokens.clone().into_iter().all(|t| match t {
        TokenTree::Ident(_) => true,
        TokenTree::Punct(p) => p.as_char() == ':',
        _ => false,
    });
    let tokens = if single || is_path { tokens } else { quote!((#tokens)) };
    Operand { tokens, value: None }
}
