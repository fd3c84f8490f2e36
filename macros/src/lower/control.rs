//! Control flow: `if` as a statement and as an expression, `match` on integers (desugared to
//! an `if` chain), `for` over ranges and `while`, each lowered into a region; and the
//! syntactic questions the lowering of `break`/`continue` asks (does a block diverge, can a
//! statement exit the loop).

use super::expr::compound;
use super::{Binding, Lower, Result};
use crate::ir::{Adapter, Iter, Op, Operand, Slot, SlotKind, Stmt};
use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use std::collections::{HashMap, HashSet};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Pat, Stmt as SynStmt};

impl Lower<'_> {
    /// `match` on an integer becomes an `if` chain over the scrutinee, evaluated once and
    /// bound in a new scope (which the caller pops). The last arm needs no test: the match is
    /// exhaustive, or the user's own function would not compile.
    pub(super) fn desugar_match(&mut self, m: &syn::ExprMatch) -> Result<Expr> {
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

    /// An arm's test, `matches!(scrutinee, pat)`: a pattern test, not `==`, so that a
    /// constant scrutinee of an enum type without `PartialEq` can be matched on its variants.
    fn pattern(&mut self, pat: &Pat, m: &Ident) -> Result<Expr> {
        self.plain_pattern(pat)?;
        Ok(syn::parse_quote!(::core::matches!(#m, #pat)))
    }

    /// Patterns that bind nothing: literals, ranges, paths (constants, unit variants), `|`, `_`.
    fn plain_pattern(&mut self, pat: &Pat) -> Result<()> {
        match pat {
            Pat::Lit(_) | Pat::Path(_) | Pat::Range(_) | Pat::Wild(_) => Ok(()),
            Pat::Or(o) => o.cases.iter().try_for_each(|c| self.plain_pattern(c)),
            Pat::Paren(p) => self.plain_pattern(&p.pat),
            other => Err(self.error(
                other,
                "`match` patterns may be literals, ranges, constants, unit variants, `|` and `_`; bind values with `let` before the match",
            )),
        }
    }

    /// `if` as a statement; `rest` (statements after a diverging branch) joins the branch
    /// that falls through.
    pub(super) fn if_stmt(&mut self, e: &syn::ExprIf, rest: &[SynStmt]) -> Result<()> {
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
    pub(super) fn if_expr(&mut self, e: &syn::ExprIf) -> Result<Operand> {
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
        self.expr(cond)
    }

    pub(super) fn for_loop(&mut self, f: &syn::ExprForLoop) -> Result<()> {
        if self.for_chain(f)? {
            return Ok(());
        }
        // A label is harmless: labelled `break`/`continue` are what the fence rejects.
        let var_ident = match &*f.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
            Pat::Wild(_) => None,
            other => return Err(self.fenced(other)),
        };
        let iter = self.iter(&f.expr)?;
        let breaks = has_break(&f.body.stmts);
        let mut var = None;
        let (body, _) = self.region(1, |l| {
            let name = match &var_ident {
                Some(i) => l.names.user(i),
                None => l.names.fresh("__i", f.span()),
            };
            let id = l.push(name, Op::LoopVar, f.span());
            var = Some(id);
            if let Some(i) = &var_ident {
                let o = l.operand(id);
                l.bind(i, Binding::Value(o));
            }
            l.exits.push(Vec::new());
            l.stmts(&f.body.stmts);
            l.exits.pop();
            None
        });
        let count = breaks.then(|| self.count(f.span()));
        let var = var.expect("the loop variable is defined in the body");
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
                        return Err(self.fenced(r));
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
                other => return Err(self.fenced(other)),
            }
        }
    }

    /// `while cond { body }` and `loop { body }` (with `cond` `None`).
    pub(super) fn while_loop(&mut self, cond: Option<&Expr>, stmts: &[SynStmt], node: &dyn ToTokens) -> Result<()> {
        let mut test = Operand::constant(quote!(true));
        let (cond_block, _) = self.region(1, |l| {
            if let Some(c) = cond
                && let Ok(t) = l.condition(c)
            {
                test = t;
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
}

/// Whether an `if` produces a value (its branches end in an expression), as opposed to
/// one run for its assignments.
pub(super) fn if_has_value(e: &syn::ExprIf) -> bool {
    e.else_branch.is_some() && block_has_value(&e.then_branch.stmts)
}

/// Whether a `match` produces a value: an arm is a value expression.
pub(super) fn match_has_value(m: &syn::ExprMatch) -> bool {
    m.arms.iter().any(|arm| expr_has_value(&arm.body))
}

/// Whether a block ends in an expression with a value.
pub(super) fn block_has_value(stmts: &[SynStmt]) -> bool {
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
pub(super) fn diverges(stmts: &[SynStmt]) -> bool {
    matches!(stmts.last(), Some(SynStmt::Expr(Expr::Break(_) | Expr::Continue(_), _)))
}

pub(super) fn else_diverges(e: &syn::ExprIf) -> bool {
    match e.else_branch.as_ref().map(|(_, b)| &**b) {
        Some(Expr::Block(b)) => diverges(&b.block.stmts),
        _ => false,
    }
}

/// Whether a statement contains a `break` or `continue` of the enclosing loop.
pub(super) fn may_exit(stmt: &SynStmt) -> bool {
    exits(std::slice::from_ref(stmt), &["break", "continue"])
}

/// Whether `stmts` contain a `break` for the enclosing loop (not one of an inner loop).
pub(super) fn has_break(stmts: &[SynStmt]) -> bool {
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
pub(super) fn assigned_in_region(stmts: &[SynStmt], name: &Ident) -> bool {
    let name = name.to_string();
    stmts.iter().any(|s| assigned_in_regions(s).contains(&name))
}

/// For each name assigned inside a branch or loop of `stmts`, the last statement that does:
/// a `let mut` at statement `i` is a slot when its name is assigned so after `i`. Built once
/// per block, so a body of `n` statements is scanned once, not once per `let mut`.
pub(super) fn last_region_assignments(stmts: &[SynStmt]) -> HashMap<String, usize> {
    let mut last = HashMap::new();
    for (i, s) in stmts.iter().enumerate() {
        for name in assigned_in_regions(s) {
            last.insert(name, i);
        }
    }
    last
}

/// The names a statement assigns (`=`, `+=`, ...) inside a branch or loop.
fn assigned_in_regions(stmt: &SynStmt) -> HashSet<String> {
    fn scan(ts: TokenStream, in_region: bool, out: &mut HashSet<String>) {
        let tts: Vec<TokenTree> = ts.into_iter().collect();
        let mut region_next = false;
        for (i, tt) in tts.iter().enumerate() {
            match tt {
                TokenTree::Ident(id) if ["if", "else", "for", "while", "loop", "match"].iter().any(|k| id == k) => {
                    region_next = true;
                }
                TokenTree::Ident(id) if in_region => {
                    let assigns = match (tts.get(i + 1), tts.get(i + 2)) {
                        (Some(TokenTree::Punct(p)), Some(TokenTree::Punct(q))) => {
                            p.as_char() == '=' && q.as_char() != '='
                                || "+-*/".contains(p.as_char()) && q.as_char() == '='
                        }
                        (Some(TokenTree::Punct(p)), _) => p.as_char() == '=',
                        _ => false,
                    };
                    if assigns {
                        out.insert(id.to_string());
                    }
                }
                // `(a, b) = ..`: a destructuring assignment of every name in the tuple.
                TokenTree::Group(g)
                    if in_region
                        && g.delimiter() == proc_macro2::Delimiter::Parenthesis
                        && matches!(tts.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '=')
                        && !matches!(tts.get(i + 2), Some(TokenTree::Punct(q)) if q.as_char() == '=' || q.as_char() == '>') =>
                {
                    for t in g.stream() {
                        if let TokenTree::Ident(id) = t {
                            out.insert(id.to_string());
                        }
                    }
                }
                TokenTree::Group(g) => {
                    let brace = g.delimiter() == proc_macro2::Delimiter::Brace;
                    scan(g.stream(), in_region || (region_next && brace), out);
                    if brace {
                        region_next = false;
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = HashSet::new();
    scan(stmt.to_token_stream(), false, &mut out);
    out
}
