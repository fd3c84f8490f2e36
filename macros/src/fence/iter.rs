//! The fence's part for loops and iterator chains: what `lower/iter.rs` turns into index
//! loops, and the ranges a `for` loop runs over.

use super::{err, expr};
use crate::ast::Errors;
use syn::{Expr, Pat};

/// Methods that start or end an iterator chain.
pub(super) const ITERATOR_METHODS: &[&str] =
    &["sum", "product", "fold", "map", "zip", "iter", "into_iter", "iter_mut", "for_each", "filter", "enumerate"];

/// A `for` loop's iterator: a range, possibly with `.rev()` and `.step_by(k)`.
pub(super) fn iter(e: &Expr, errors: &mut Errors) {
    match e {
        Expr::Paren(p) => iter(&p.expr, errors),
        Expr::MethodCall(m) if m.method == "rev" && m.args.is_empty() || m.method == "step_by" && m.args.len() == 1 => {
            iter(&m.receiver, errors);
            m.args.iter().for_each(|a| expr(a, errors));
        }
        Expr::Range(r) if r.start.is_none() || r.end.is_none() => {
            err(errors, r, "loop over a bounded range: `a..b` or `a..=b`")
        }
        Expr::Range(r) => {
            r.start.iter().chain(r.end.iter()).for_each(|e| expr(e, errors));
        }
        other => err(
            errors,
            other,
            "loops run over ranges or arrays: `for i in 0..n`, `for x in xs.iter()`, `for (i, x) in xs.iter().enumerate()`, `for (a, b) in xs.iter().zip(ys)`, `for row in m.chunks_exact(d)`, `for o in out.iter_mut()`",
        ),
    }
}

/// Whether `e` is an iterator chain the lowering turns into an index loop (see
/// `lower/iter.rs`), checking its parts: a source (an array by name in a `for` loop, `.iter()`,
/// `.iter_mut()`, `.chunks_exact(n)`, `(a..b).iter()`), adapters (`.copied()`, `.cloned()`,
/// `.enumerate()`, `.zip(..)`, `.map(|x| ..)`).
pub(super) fn chain(e: &Expr, whole: bool, errors: &mut Errors) -> bool {
    match e {
        Expr::Paren(p) => chain(&p.expr, whole, errors),
        Expr::Reference(r) if whole && r.mutability.is_none() => place(&r.expr),
        Expr::Path(_) | Expr::Field(_) if whole => place(e),
        // `(a..b).map(..)`: a range as the source.
        Expr::Range(r) if !whole && r.start.is_some() && r.end.is_some() => {
            r.start.iter().chain(r.end.iter()).for_each(|e| expr(e, errors));
            true
        }
        Expr::MethodCall(m) => {
            let (name, args) = (m.method.to_string(), m.args.len());
            match (name.as_str(), args) {
                ("iter" | "into_iter", 0) => {
                    match &*m.receiver {
                        Expr::Paren(p) => {
                            if let Expr::Range(r) = &*p.expr {
                                r.start.iter().chain(r.end.iter()).for_each(|e| expr(e, errors));
                            }
                        }
                        receiver => expr(receiver, errors),
                    }
                    true
                }
                ("iter_mut", 0) => true,
                ("chunks_exact", 1) => {
                    expr(&m.args[0], errors);
                    true
                }
                ("copied" | "cloned" | "enumerate", 0) => chain(&m.receiver, false, errors),
                ("zip", 1) => chain(&m.receiver, false, errors) && chain(&m.args[0], true, errors),
                ("map", 1) => {
                    let inner = chain(&m.receiver, false, errors);
                    if inner {
                        closure(&m.args[0], 1, errors);
                    }
                    inner
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// A name, or a field path rooted at one (`m.layer.w`).
fn place(e: &Expr) -> bool {
    match e {
        Expr::Path(p) => p.path.get_ident().is_some(),
        Expr::Field(f) => matches!(f.member, syn::Member::Named(_)) && place(&f.base),
        _ => false,
    }
}

/// A reduction over a chain: `.sum()`, `.product()`, `.fold(init, |acc, x| ..)`.
pub(super) fn reduction(m: &syn::ExprMethodCall, errors: &mut Errors) -> bool {
    match (m.method.to_string().as_str(), m.args.len()) {
        ("sum" | "product", 0) => chain(&m.receiver, false, errors),
        ("fold", 2) => {
            let ok = chain(&m.receiver, false, errors);
            if ok {
                expr(&m.args[0], errors);
                closure(&m.args[1], 2, errors);
            }
            ok
        }
        _ => false,
    }
}

/// A closure passed to `map` or `fold`: `params` simple parameters, and an expression.
fn closure(e: &Expr, params: usize, errors: &mut Errors) {
    let Expr::Closure(c) = e else {
        return err(errors, e, "pass a closure here: `|x| ..`");
    };
    if c.inputs.len() != params || c.capture.is_some() || c.asyncness.is_some() {
        return err(errors, c, "a closure of the iterator's elements: `|x| ..` for `map`, `|acc, x| ..` for `fold`");
    }
    c.inputs.iter().for_each(|p| element_pattern(p, errors));
    expr(&c.body, errors);
}

/// An element's pattern: `x`, `&x`, `(a, b)`, `_`.
pub(super) fn element_pattern(p: &Pat, errors: &mut Errors) {
    match p {
        Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => {}
        Pat::Wild(_) => {}
        Pat::Reference(r) => element_pattern(&r.pat, errors),
        Pat::Paren(p) => element_pattern(&p.pat, errors),
        Pat::Type(t) => element_pattern(&t.pat, errors),
        Pat::Tuple(t) => t.elems.iter().for_each(|p| element_pattern(p, errors)),
        other => err(errors, other, "bind the element to a name, `&name`, or a pair `(a, b)`"),
    }
}
