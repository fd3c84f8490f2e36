//! The fence: rejects syntax that cannot be differentiated (yet) before lowering sees it,
//! each with an error on the exact span that names the construct and says what to write
//! instead. Everything past the fence is something `lower` knows how to handle; what
//! depends on activity (an unknown method on an active value, say) is checked there.

mod iter;

use crate::ast::{Errors, Returns};
use iter::{ITERATOR_METHODS, chain, element_pattern, iter, reduction};
use syn::{BinOp, Expr, Lit, Pat, Stmt, UnOp};

/// Checks a function body; all errors are reported together.
pub fn check(block: &syn::Block, returns: &Returns) -> syn::Result<()> {
    let mut errors = Errors::default();
    // A tuple or array result is a literal (or a local array) at the very end.
    let tail = match (returns, block.stmts.split_last()) {
        (Returns::Scalar | Returns::Unit, _) | (_, None) => None,
        (_, Some((last, init))) => {
            let e = match last {
                Stmt::Expr(Expr::Return(r), _) => r.expr.as_deref(),
                Stmt::Expr(e, None) => Some(e),
                _ => None,
            };
            e.map(|e| (e, init))
        }
    };
    match tail {
        Some((Expr::Tuple(t), init)) => {
            stmts(init, &mut errors);
            t.elems.iter().for_each(|e| expr(e, &mut errors));
        }
        Some((e @ Expr::Array(_), init)) => {
            stmts(init, &mut errors);
            initialiser(e, &mut errors);
        }
        _ => stmts(&block.stmts, &mut errors),
    }
    syn::visit::Visit::visit_block(&mut Attributes(&mut errors), block);
    errors.finish()
}

/// Attributes inside the body. Generated code is written from the statements, not copied,
/// so an attribute that changes what runs (`#[cfg]`) would hold in the user's function and
/// not in its derivatives: it is refused. Lint attributes change nothing that runs.
struct Attributes<'a>(&'a mut Errors);

impl syn::visit::Visit<'_> for Attributes<'_> {
    fn visit_attribute(&mut self, attr: &syn::Attribute) {
        let path = attr.path();
        let lint = ["allow", "warn", "deny", "forbid", "expect"].iter().any(|l| path.is_ident(l));
        let tool = path.segments.len() > 1 && ["rustfmt", "clippy"].iter().any(|t| path.segments[0].ident == t);
        if path.is_ident("cfg") || path.is_ident("cfg_attr") {
            err(
                self.0,
                attr,
                "`#[cfg]` inside a #[differentiable] function is not supported: the derivatives would not honour it; branch on `if cfg!(..) { .. }` instead, or put `#[cfg]` on the whole function",
            );
        } else if !(lint || tool) {
            err(
                self.0,
                attr,
                "this attribute is not carried into the derivatives #[differentiable] writes; remove it (lint attributes such as `#[allow(..)]` are fine)",
            );
        }
    }
}

fn err(errors: &mut Errors, node: impl quote::ToTokens, msg: &str) {
    errors.push(syn::Error::new_spanned(node, msg));
}

fn stmts(list: &[Stmt], errors: &mut Errors) {
    for (i, stmt) in list.iter().enumerate() {
        let last = i + 1 == list.len();
        match stmt {
            Stmt::Local(l) => local(l, errors),
            Stmt::Item(item) => err(
                errors,
                item,
                "items inside a #[differentiable] function are not supported; define this item outside the function",
            ),
            Stmt::Macro(m) if crate::rules::is_assertion(&m.mac.path) => assertion(&m.mac, errors),
            Stmt::Macro(m) => macro_error(errors, &m.mac),
            Stmt::Expr(e, semi) => expr_stmt(e, semi.is_some(), last, errors),
        }
    }
}

/// `assert!(cond, "message {}", args..)` and its kin: expressions, and a message whose
/// arguments are positional (a `{name}` in it would read a variable the generated code
/// may have renamed).
fn assertion(mac: &syn::Macro, errors: &mut Errors) {
    let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    let Ok(args) = mac.parse_body_with(parser) else {
        return err(errors, mac, "write the assertion's arguments as expressions: `assert!(x > 0.0, \"x = {}\", x)`");
    };
    for a in &args {
        match a {
            Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => {
                let text = s.value().replace("{{", "");
                let named =
                    text.split('{').skip(1).any(|rest| rest.starts_with(|c: char| c.is_alphabetic() || c == '_'));
                if named {
                    err(errors, s, "name the message's arguments by position: `\"x = {}\", x`");
                }
            }
            a => expr(a, errors),
        }
    }
}

/// A tuple pattern of names and `_`, nested any depth, and arrays of them (`[gx, gy]`).
fn nested_names(p: &Pat) -> bool {
    match p {
        Pat::Tuple(t) => t.elems.iter().all(nested_names),
        Pat::Slice(s) => s.elems.iter().all(|p| matches!(p, Pat::Ident(_) | Pat::Wild(_)) && nested_names(p)),
        Pat::Ident(i) => i.by_ref.is_none() && i.subpat.is_none(),
        Pat::Wild(_) => true,
        _ => false,
    }
}

/// `let name = value;`: one plain name, or `_`, or a tuple of names bound to a tuple of
/// values; and a value.
fn local(local: &syn::Local, errors: &mut Errors) {
    let ident = match &local.pat {
        Pat::Ident(p) => Some(p),
        Pat::Type(t) => match &*t.pat {
            Pat::Ident(p) => Some(p),
            _ => None,
        },
        _ => None,
    };
    let plain =
        |p: &Pat| matches!(p, Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none()) || matches!(p, Pat::Wild(_));
    let tuple = match (&local.pat, local.init.as_ref().map(|i| &*i.expr)) {
        (Pat::Tuple(t), Some(Expr::Tuple(e))) => t.elems.iter().all(plain) && t.elems.len() == e.elems.len(),
        // The tuple a differentiable call returns, nested for a companion's
        // (`let (v, (gx, gy)) = g_grad(x, y);`).
        (Pat::Tuple(t), Some(Expr::Call(_))) => t.elems.iter().all(|p| plain(p) || nested_names(p)),
        _ => false,
    };
    match ident {
        Some(p) if p.by_ref.is_none() && p.subpat.is_none() => {}
        _ if tuple || matches!(local.pat, Pat::Wild(_)) => {}
        _ => {
            return err(
                errors,
                &local.pat,
                "only `let name = ...;`, `let _ = ...;`, `let (a, b) = (.., ..);` and `let (a, b) = f(..);` bindings are supported here; bind each value to its own name",
            );
        }
    }
    match &local.init {
        None => err(
            errors,
            local,
            "a `let` without a value cannot be differentiated; give it an initial value: `let name = ...;`",
        ),
        Some(init) => {
            if let Some((_, diverge)) = &init.diverge {
                err(errors, diverge, "`let ... else` is not supported; bind the value with a plain `let`");
            }
            match (&local.pat, &*init.expr) {
                (Pat::Tuple(_), Expr::Tuple(t)) => t.elems.iter().for_each(|e| expr(e, errors)),
                // `let p = (a, b);`: a tuple read by element or passed to a call.
                (Pat::Ident(_) | Pat::Type(_), Expr::Tuple(t)) if !t.elems.is_empty() => {
                    t.elems.iter().for_each(|e| expr(e, errors))
                }
                // `let row = &x[a..b];` and `let o = &mut out[a..b];`: views, read (and
                // written) and lent like the sub-slice itself.
                (Pat::Ident(_) | Pat::Type(_), Expr::Reference(r)) if sub_slice(&r.expr).is_some() => {
                    part(&r.expr, errors)
                }
                _ => initialiser(&init.expr, errors),
            }
        }
    }
}

/// A `let`'s value, which may also be an array: `[x; n]`, `[a, b]` or `vec![x; n]`.
fn initialiser(e: &Expr, errors: &mut Errors) {
    match e {
        // `[[x; N]; M]`: rows of a flat array. Deeper nesting, or rows written out, are not.
        Expr::Repeat(r) if matches!(&*r.expr, Expr::Repeat(i) if !matches!(&*i.expr, Expr::Repeat(_) | Expr::Array(_))) =>
        {
            let Expr::Repeat(inner) = &*r.expr else { unreachable!("matched") };
            expr(&inner.expr, errors);
            expr(&inner.len, errors);
            expr(&r.len, errors);
        }
        Expr::Repeat(r) if matches!(&*r.expr, Expr::Repeat(_) | Expr::Array(_)) => err(
            errors,
            &r.expr,
            "arrays nest two deep, as rows `[[x; N]; M]`; flatten deeper ones into rows, `let mut a = [[0.0; N]; M * K];`, and index the row `i * K + k`",
        ),
        // `[[a, b], [c, d]]`: rows written out, of plain elements.
        Expr::Array(a) if a.elems.iter().all(|e| matches!(e, Expr::Array(r) if !r.elems.iter().any(is_array))) => {
            a.elems.iter().for_each(|r| initialiser(r, errors))
        }
        Expr::Array(a) if a.elems.iter().any(is_array) => err(
            errors,
            a,
            "arrays nest two deep, as rows written out `[[a, b], [c, d]]` (every element a row) or `[[x; N]; M]`; flatten deeper ones into rows",
        ),
        Expr::Repeat(r) => {
            expr(&r.expr, errors);
            expr(&r.len, errors);
        }
        Expr::Array(a) => a.elems.iter().for_each(|e| expr(e, errors)),
        Expr::Macro(m) if m.mac.path.is_ident("vec") => {}
        e => expr(e, errors),
    }
}

fn is_array(e: &Expr) -> bool {
    matches!(e, Expr::Array(_) | Expr::Repeat(_))
}

/// An expression statement: an assignment, control flow, or (`last` and without `;`) the
/// value of its block.
fn expr_stmt(e: &Expr, semi: bool, last: bool, errors: &mut Errors) {
    match e {
        Expr::Return(r) => return_stmt(r, errors),
        Expr::Assign(a) => {
            target(&a.left, errors);
            match (&*a.left, &*a.right) {
                (Expr::Tuple(l), Expr::Tuple(r)) if l.elems.len() == r.elems.len() => {
                    r.elems.iter().for_each(|e| expr(e, errors))
                }
                (Expr::Tuple(_), right) => {
                    err(errors, right, "assign a tuple of values to a tuple of variables: `(a, b) = (b, a);`")
                }
                _ => expr(&a.right, errors),
            }
        }
        Expr::Binary(b) if is_compound(&b.op) => compound_assignment(b, errors),
        Expr::If(i) => if_expr(i, errors),
        Expr::Match(_) => expr(e, errors),
        Expr::ForLoop(f) => {
            if chain(&f.expr, true, errors) {
                element_pattern(&f.pat, errors);
            } else {
                match &*f.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {}
                    Pat::Wild(_) => {}
                    other => err(errors, other, "loop over a range with a plain variable: `for i in 0..n`"),
                }
                iter(&f.expr, errors);
            }
            stmts(&f.body.stmts, errors);
        }
        Expr::While(w) => {
            if let Expr::Let(l) = &*w.cond {
                err(errors, l, "`while let` is not supported; loop with `while cond` over values");
            } else {
                expr(&w.cond, errors);
            }
            stmts(&w.body.stmts, errors);
        }
        Expr::Loop(l) => {
            stmts(&l.body.stmts, errors);
        }
        Expr::Break(b) => {
            if b.label.is_some() || b.expr.is_some() {
                err(
                    errors,
                    b,
                    "only a plain `break;` is supported: no label, no value; to leave an outer loop, set a `let mut done` flag and test it after the inner loop",
                );
            }
        }
        Expr::Continue(c) => {
            if c.label.is_some() {
                err(errors, c, "only a plain `continue;` is supported: no label");
            }
        }
        Expr::Block(b) if !semi && (!last || !matches!(b.block.stmts.last(), Some(Stmt::Expr(_, None)))) => {
            if b.block.stmts.last().is_some_and(|s| matches!(s, Stmt::Expr(_, None))) {
                err(errors, b, "a block statement cannot produce a value; bind it with `let`");
            }
            block(b, errors);
        }
        e if !semi && last => expr(e, errors),
        // A call may write into `&mut` arguments.
        Expr::Call(_) if semi => expr(e, errors),
        e => {
            // Statements that would be unsupported anyway get their specific message.
            if unsupported(e).is_some() {
                expr(e, errors);
            } else {
                err(errors, e, "this statement has no effect on the result; bind it with `let` or remove it")
            }
        }
    }
}

/// `return value;` (or `return;` where the results go into `&mut` parameters), anywhere in
/// statement position: `returns` rewrites the body so that it returns only at its end.
fn return_stmt(r: &syn::ExprReturn, errors: &mut Errors) {
    match r.expr.as_deref() {
        Some(Expr::Tuple(t)) => t.elems.iter().for_each(|e| expr(e, errors)),
        Some(v) => expr(v, errors),
        None => {}
    }
}

/// `x += value`: the four operators that have a derivative.
fn compound_assignment(b: &syn::ExprBinary, errors: &mut Errors) {
    target(&b.left, errors);
    match b.op {
        BinOp::AddAssign(_) | BinOp::SubAssign(_) | BinOp::MulAssign(_) | BinOp::DivAssign(_) => {}
        _ => err(
            errors,
            b.op,
            "only `+= -= *= /=` are supported as compound assignments; `%` and the bit operators have no derivative",
        ),
    }
    expr(&b.right, errors);
}

fn is_compound(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

fn target(e: &Expr, errors: &mut Errors) {
    match e {
        Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {}
        // `(a, b) = (.., ..)`: each element a target (the value must be a tuple too).
        Expr::Tuple(t) => t.elems.iter().for_each(|e| target(e, errors)),
        // `*o = ..` of an element of `iter_mut()`.
        Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) && matches!(&*u.expr, Expr::Path(_)) => {}
        Expr::Index(i) => {
            expr(&i.expr, errors);
            expr(&i.index, errors);
        }
        Expr::Field(f) => err(errors, f, "field writes are not supported; assign to a scalar variable"),
        other => err(errors, other, "only a local variable can be assigned to here"),
    }
}

fn block(b: &syn::ExprBlock, errors: &mut Errors) {
    if let Some(label) = &b.label {
        err(errors, label, "labelled blocks are not supported; remove the label");
    }
    stmts(&b.block.stmts, errors);
}

fn macro_error(errors: &mut Errors, mac: &syn::Macro) {
    err(
        errors,
        mac,
        "macros cannot be differentiated through; write the expression out (for debugging output, call the generated `_grad` outside the function)",
    );
}

/// The message for a construct that is never allowed, if `e` is one.
fn unsupported(e: &Expr) -> Option<&'static str> {
    Some(match e {
        Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
            "a loop has no value; run it as a statement and keep the result in a `let mut` variable"
        }
        Expr::Closure(_) => {
            "closures cannot be differentiated; write a separate #[differentiable] function and call it"
        }
        Expr::Macro(m) if !m.mac.path.is_ident("cfg") && !m.mac.path.is_ident("matches") => {
            "macros cannot be differentiated through; write the expression out (`vec![0.0; n]` is supported as a `let` initialiser)"
        }
        Expr::Try(_) => "`?` is not supported: a differentiable function returns a float; handle the error outside it",
        Expr::Async(_) | Expr::Await(_) => "async code cannot be differentiated; compute with plain expressions",
        Expr::Unsafe(_) => "`unsafe` blocks cannot be differentiated; move the unsafe code out of the function",
        Expr::Struct(_) => "struct literals are not supported; a differentiable function works on `f64` values",
        Expr::Tuple(_) => {
            "a tuple is supported as the function's result (written at the end), in a `let` (`let p = (a, b);`, `let (a, b) = (.., ..);`) and as a call's argument (`norm((x, y))`); bind it with `let` first and read its elements (`p.0`)"
        }
        Expr::Array(_) | Expr::Repeat(_) => {
            "array expressions are supported as `let` initialisers (`let mut a = [0.0; N];`) and as call arguments (`norm([x, y])`)"
        }
        Expr::Range(_) => {
            "ranges are supported as the iterator of a `for` loop, and as part of an array lent to a call or bound to a name (`g(&x[a..b])`, `let row = &x[a..b];`)"
        }
        Expr::Let(_) => "`if let` is not supported; compare values with `==`, `<`, ...",
        Expr::Break(_) | Expr::Continue(_) => "`break`/`continue` are supported as statements only",
        Expr::Assign(_) => "assignment is only supported as a statement: `x = ...;`",
        Expr::Return(_) => "a `return` inside an expression is not supported; return from an `if` statement instead",
        Expr::Const(_) => "`const` blocks are not supported; define a `const` item outside the function",
        Expr::TryBlock(_) => "`try` blocks are not supported",
        Expr::Yield(_) => "`yield` is not supported",
        Expr::Infer(_) => "`_` is not a value; write the expression",
        Expr::RawAddr(_) => "raw pointers are not supported; index arrays and slices instead",
        Expr::Verbatim(_) => "this syntax is not supported by #[differentiable]",
        _ => return None,
    })
}

fn if_expr(i: &syn::ExprIf, errors: &mut Errors) {
    match &*i.cond {
        Expr::Let(l) => err(errors, l, "`if let` is not supported; compare values with `==`, `<`, ..."),
        c => expr(c, errors),
    }
    stmts(&i.then_branch.stmts, errors);
    match i.else_branch.as_ref().map(|(_, e)| &**e) {
        Some(Expr::If(inner)) => if_expr(inner, errors),
        Some(Expr::Block(b)) => stmts(&b.block.stmts, errors),
        Some(other) => expr(other, errors),
        None => {}
    }
}

/// Checks an expression in value position.
fn expr(e: &Expr, errors: &mut Errors) {
    if let Some(msg) = unsupported(e) {
        return err(errors, e, msg);
    }
    match e {
        Expr::Lit(l) => {
            if matches!(l.lit, Lit::Str(_) | Lit::ByteStr(_) | Lit::CStr(_) | Lit::Verbatim(_)) {
                err(errors, l, "string literals are not values a differentiable function can use");
            }
        }
        Expr::Path(p) => {
            if p.qself.is_some() {
                err(
                    errors,
                    p,
                    "qualified paths `<T as Trait>::X` are not supported; bind the constant with `const` outside the function",
                );
            }
        }
        Expr::Paren(p) => expr(&p.expr, errors),
        // `p.0` of a tuple a call returns.
        Expr::Field(f) => expr(&f.base, errors),
        Expr::If(i) => if_expr(i, errors),
        Expr::Match(m) => match_expr(m, errors),
        Expr::Index(i) => {
            expr(&i.expr, errors);
            expr(&i.index, errors);
        }
        Expr::Reference(r) => {
            if r.mutability.is_some() {
                err(errors, r, "`&mut` is not supported; write into a local array with `a[i] = ...`");
            }
            expr(&r.expr, errors);
        }
        Expr::Group(g) => expr(&g.expr, errors),
        Expr::Unary(u) => match u.op {
            // `*x` of an iterator's element.
            UnOp::Deref(_) if matches!(&*u.expr, Expr::Path(_)) => {}
            UnOp::Deref(_) => err(errors, u, "dereferencing is not supported; use the value itself"),
            _ => expr(&u.expr, errors),
        },
        Expr::Binary(b) => {
            if is_compound(&b.op) {
                err(errors, b, "compound assignment is only supported as a statement: `x += ...;`");
            }
            expr(&b.left, errors);
            expr(&b.right, errors);
        }
        Expr::Cast(c) => expr(&c.expr, errors),
        // `cfg!(..)` and `matches!(..)`: constant `bool`s, the same in the function and its
        // derivatives.
        Expr::Macro(_) => {}
        Expr::MethodCall(m) if reduction(m, errors) => {}
        Expr::MethodCall(m) if ITERATOR_METHODS.contains(&m.method.to_string().as_str()) => err(
            errors,
            m,
            "only these iterator chains are differentiated: `.iter()`, `.copied()`, `.enumerate()`, `.zip(..)`, `.map(|x| ..)`, ending in `.sum()`, `.product()` or `.fold(init, |acc, x| ..)`; or write the loop",
        ),
        Expr::MethodCall(m) => {
            if let Some(t) = &m.turbofish {
                err(errors, t, "turbofish on a method call is not supported; annotate the type with `let`");
            }
            expr(&m.receiver, errors);
            m.args.iter().for_each(|a| expr(a, errors));
        }
        Expr::Call(c) => call(c, errors),
        Expr::Block(b) => {
            if !matches!(b.block.stmts.last(), Some(Stmt::Expr(_, None))) {
                err(errors, b, "this block has no value; end it with an expression");
            }
            block(b, errors);
        }
        other => err(errors, other, "this expression is not supported by #[differentiable]"),
    }
}

/// `match`: the scrutinee, and each arm's guard and body.
fn match_expr(m: &syn::ExprMatch, errors: &mut Errors) {
    expr(&m.expr, errors);
    for arm in &m.arms {
        if let Some((_, g)) = &arm.guard {
            expr(g, errors);
        }
        match &*arm.body {
            Expr::Block(b) => stmts(&b.block.stmts, errors),
            e => stmts(&[Stmt::Expr(e.clone(), None)], errors),
        }
    }
}

/// A call of a function named by a path, without generic arguments.
fn call(c: &syn::ExprCall, errors: &mut Errors) {
    match &*c.func {
        Expr::Path(p) if p.qself.is_none() => {
            if let Some(seg) = p.path.segments.iter().find(|s| !s.arguments.is_none()) {
                err(errors, seg, "generic arguments on a call are not supported; call a non-generic function");
            }
        }
        other => err(errors, other, "only functions called by name or path can be differentiated through"),
    }
    for a in &c.args {
        match a {
            // Part of an array: `&x[a..b]`, `&x[a..]`, `&x[..b]`, `&mut out[a..b]`.
            Expr::Reference(r) if sub_slice(&r.expr).is_some() => part(&r.expr, errors),
            // An array written out, by value or lent for reading: `norm([x, y])`, `dot(&[a, b], w)`.
            Expr::Array(arr) => array_argument(arr, errors),
            Expr::Reference(r) if r.mutability.is_none() && matches!(&*r.expr, Expr::Array(_)) => {
                let Expr::Array(arr) = &*r.expr else { continue };
                array_argument(arr, errors)
            }
            Expr::Repeat(rep) => {
                expr(&rep.expr, errors);
                expr(&rep.len, errors)
            }
            // An output the callee writes.
            Expr::Reference(r) if r.mutability.is_some() => expr(&r.expr, errors),
            // A tuple of floats for a tuple parameter.
            Expr::Tuple(t) => t.elems.iter().for_each(|e| expr(e, errors)),
            a => expr(a, errors),
        }
    }
}

/// `[a, b]` as a call's argument: its elements are expressions; rows are `let`'s only.
fn array_argument(arr: &syn::ExprArray, errors: &mut Errors) {
    if arr.elems.iter().any(|e| matches!(e, Expr::Array(_))) {
        let msg = "rows written out are supported as `let` initialisers; bind them first (`let m = [[a, b], [c, d]];`) and pass `m`";
        return err(errors, arr, msg);
    }
    arr.elems.iter().for_each(|e| expr(e, errors))
}

/// `x[a..b]` lent or bound: the array and the bounds as expressions, the range half-open.
fn part(e: &Expr, errors: &mut Errors) {
    let Some((base, range)) = sub_slice(e) else { return };
    expr(base, errors);
    match (&range.start, &range.end, &range.limits) {
        (s, e, syn::RangeLimits::HalfOpen(_)) => s.iter().chain(e).for_each(|e| expr(e, errors)),
        _ => err(errors, range, "write part of an array as `&x[a..b]`, `&x[a..]` or `&x[..b]` (a half-open range)"),
    }
}

/// `x[a..b]`: the array and the range.
pub fn sub_slice(e: &Expr) -> Option<(&Expr, &syn::ExprRange)> {
    match e {
        Expr::Index(ix) => match &*ix.index {
            Expr::Range(r) => Some((&ix.expr, r)),
            _ => None,
        },
        Expr::Paren(p) => sub_slice(&p.expr),
        _ => None,
    }
}
