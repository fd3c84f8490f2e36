//! Early `return`: a body that returns from inside a branch or a loop is rewritten, before
//! lowering, into one that returns only at its end. A `return e;` stores `e` in result
//! variables and sets a flag; the statements after it run only if the flag is not set, a
//! loop around it `break`s (and every loop around that loop breaks in turn), and the
//! function's value is the stored result if the flag is set. The rest of the macro then sees
//! structured code with one way out of every region, which reverse mode needs.
//!
//! A `return` inside an expression (an `if` used as a value, a `let`'s initialiser) is
//! refused: write the branch as a statement.

use crate::ast::{Errors, Function, Returns};
use crate::names::Names;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Block, Expr, Ident, Stmt};

/// The names the rewriting binds.
struct Rewrite {
    returned: Ident,
    results: Vec<Ident>,
    errors: Errors,
}

/// The body with its early returns rewritten, or `None` when it has none.
pub fn rewrite(func: &Function, names: &mut Names) -> syn::Result<Option<Block>> {
    let body = &func.item.block;
    let (init, last) = match body.stmts.split_last() {
        Some((last, init)) => (init, Some(last)),
        None => (&body.stmts[..], None),
    };
    if !init.iter().any(contains_return) && !last.is_some_and(nested_return) {
        return Ok(None);
    }
    let results = match func.returns {
        Returns::Scalar => vec![names.fresh("__result", Span::call_site())],
        Returns::Tuple(n) => (0..n).map(|i| names.fresh(&format!("__result{i}"), Span::call_site())).collect(),
        Returns::Unit => Vec::new(),
        Returns::Array => {
            let at = init.iter().find(|s| contains_return(s)).map(|s| s.to_token_stream()).unwrap_or_default();
            return Err(syn::Error::new_spanned(
                at,
                "an early `return` from a function returning an array is not supported yet; write the result into a local array and return it at the end",
            ));
        }
    };
    let mut rw = Rewrite { returned: names.fresh("__returned", Span::call_site()), results, errors: Errors::default() };
    let mut stmts = rw.declarations(func);
    let (body_stmts, tail) = match (&func.returns, last) {
        (Returns::Unit, _) | (_, None) => (&body.stmts[..], None),
        // A `loop` that only ends by returning: its result is the value.
        (_, Some(Stmt::Expr(Expr::Loop(_), None))) => (&body.stmts[..], None),
        (_, Some(last)) => (init, Some(last)),
    };
    // The last expression is stored like a return's value, after the body's statements:
    // inside the guards that skip them once a `return` has run, where its variables are.
    let mut all: Vec<Stmt> = body_stmts.to_vec();
    if let Some(tail) = tail {
        all.extend(rw.tail(tail));
    }
    stmts.extend(rw.list(&all, false));
    if !matches!(func.returns, Returns::Unit) {
        stmts.push(rw.stored());
    }
    rw.errors.finish()?;
    Ok(Some(Block { brace_token: body.brace_token, stmts }))
}

impl Rewrite {
    /// `let mut __returned = false; let mut __result: F = 0.0;` (one result per tuple element).
    fn declarations(&self, func: &Function) -> Vec<Stmt> {
        let (returned, float) = (&self.returned, &func.float);
        let mut out: Vec<Stmt> = vec![syn::parse_quote!(let mut #returned = false;)];
        for r in &self.results {
            out.push(syn::parse_quote!(let mut #r: #float = 0.0;));
        }
        out
    }

    /// The stored result, as the function's value.
    fn stored(&self) -> Stmt {
        match &self.results[..] {
            [r] => Stmt::Expr(syn::parse_quote!(#r), None),
            results => Stmt::Expr(syn::parse_quote!((#(#results),*)), None),
        }
    }

    /// The function's last expression stored as its result.
    fn tail(&mut self, last: &Stmt) -> Vec<Stmt> {
        let value = match last {
            Stmt::Expr(Expr::Return(r), _) => r.expr.as_deref().cloned(),
            Stmt::Expr(e, None) => Some(e.clone()),
            _ => None,
        };
        let Some(value) = value else { return vec![last.clone()] };
        if contains_return_expr(&value) {
            self.push_error(&value, "a `return` inside the function's last expression is not supported; return from an `if` statement before it instead");
            return Vec::new();
        }
        match (&self.results[..], value) {
            ([r], value) => vec![syn::parse_quote!(#r = #value;)],
            (results, Expr::Tuple(t)) if t.elems.len() == results.len() => {
                results.iter().zip(&t.elems).map(|(r, e)| syn::parse_quote!(#r = #e;)).collect()
            }
            (_, value) => {
                self.push_error(&value, "return a tuple literal `(a, b)` matching the return type");
                Vec::new()
            }
        }
    }

    /// A statement list: each statement rewritten, and what follows a statement that may
    /// return run only if it did not (in a loop, the loop is left instead).
    fn list(&mut self, stmts: &[Stmt], in_loop: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        for (i, stmt) in stmts.iter().enumerate() {
            if !contains_return(stmt) {
                out.push(stmt.clone());
                continue;
            }
            out.extend(self.stmt(stmt, in_loop));
            let rest = &stmts[i + 1..];
            let returned = self.returned.clone();
            if in_loop {
                out.push(syn::parse_quote!(if #returned { break; }));
                out.extend(self.list(rest, in_loop));
            } else if !rest.is_empty() {
                let rest = self.list(rest, in_loop);
                out.push(syn::parse_quote!(if !#returned { #(#rest)* }));
            }
            return out;
        }
        out
    }

    /// One statement that contains a `return` in statement position.
    fn stmt(&mut self, stmt: &Stmt, in_loop: bool) -> Vec<Stmt> {
        let Stmt::Expr(e, semi) = stmt else {
            self.push_error(stmt, "a `return` inside a `let` is not supported; return from an `if` statement instead");
            return vec![stmt.clone()];
        };
        let e = match e {
            Expr::Return(r) => return self.ret(r, in_loop),
            Expr::If(i) => Expr::If(self.if_stmt(i, in_loop)),
            Expr::ForLoop(f) => {
                let mut f = f.clone();
                f.body.stmts = self.list(&f.body.stmts, true);
                Expr::ForLoop(f)
            }
            Expr::While(w) => {
                let mut w = w.clone();
                w.body.stmts = self.list(&w.body.stmts, true);
                Expr::While(w)
            }
            Expr::Loop(l) => {
                let mut l = l.clone();
                l.body.stmts = self.list(&l.body.stmts, true);
                Expr::Loop(l)
            }
            Expr::Block(b) if b.label.is_none() => {
                let mut b = b.clone();
                b.block.stmts = self.list(&b.block.stmts, in_loop);
                Expr::Block(b)
            }
            Expr::Match(m) => {
                let mut m = m.clone();
                for arm in &mut m.arms {
                    let body: Block = match &*arm.body {
                        Expr::Block(b) => b.block.clone(),
                        e => syn::parse_quote!({ #e; }),
                    };
                    let stmts = self.list(&body.stmts, in_loop);
                    *arm.body = syn::parse_quote!({ #(#stmts)* });
                }
                Expr::Match(m)
            }
            other => {
                self.push_error(
                    other,
                    "a `return` inside an expression is not supported; return from an `if` statement instead",
                );
                other.clone()
            }
        };
        vec![Stmt::Expr(e, semi.or(Some(Default::default())))]
    }

    fn if_stmt(&mut self, i: &syn::ExprIf, in_loop: bool) -> syn::ExprIf {
        let mut i = i.clone();
        if contains_return_expr(&i.cond) {
            self.push_error(&i.cond, "a `return` inside a condition is not supported");
        }
        i.then_branch.stmts = self.list(&i.then_branch.stmts, in_loop);
        if let Some((_, els)) = &mut i.else_branch {
            let rewritten = match &**els {
                Expr::If(inner) => Expr::If(self.if_stmt(inner, in_loop)),
                Expr::Block(b) => {
                    let mut b = b.clone();
                    b.block.stmts = self.list(&b.block.stmts, in_loop);
                    Expr::Block(b)
                }
                other => other.clone(),
            };
            **els = rewritten;
        }
        i
    }

    /// `return e;`: the result stored, the flag set, a loop around it left.
    fn ret(&mut self, r: &syn::ExprReturn, in_loop: bool) -> Vec<Stmt> {
        let returned = &self.returned;
        let mut out: Vec<Stmt> = Vec::new();
        match (&self.results[..], r.expr.as_deref()) {
            ([], None) => {}
            ([result], Some(e)) => out.push(syn::parse_quote!(#result = #e;)),
            (results, Some(Expr::Tuple(t))) if t.elems.len() == results.len() => {
                for (result, e) in results.iter().zip(&t.elems) {
                    out.push(syn::parse_quote!(#result = #e;));
                }
            }
            _ => {
                self.push_error(r, "return the function's value, of its type: `return value;`");
                return vec![];
            }
        }
        out.push(syn::parse_quote!(#returned = true;));
        if in_loop {
            out.push(syn::parse_quote!(break;));
        }
        out
    }

    fn push_error(&mut self, node: impl ToTokens, msg: &str) {
        self.errors.push(syn::Error::new_spanned(node, msg));
    }
}

/// Whether a statement contains a `return` (of this function: closures are refused anyway).
fn contains_return(stmt: &Stmt) -> bool {
    tokens_contain_return(stmt.to_token_stream())
}

fn contains_return_expr(e: &Expr) -> bool {
    tokens_contain_return(e.to_token_stream())
}

fn tokens_contain_return(ts: TokenStream) -> bool {
    ts.into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == "return",
        TokenTree::Group(g) => tokens_contain_return(g.stream()),
        _ => false,
    })
}

/// Whether the body's last statement returns from inside it (not as itself, `return e;`).
fn nested_return(last: &Stmt) -> bool {
    match last {
        Stmt::Expr(Expr::Return(r), _) => r.expr.as_deref().is_some_and(contains_return_expr),
        other => contains_return(other),
    }
}
