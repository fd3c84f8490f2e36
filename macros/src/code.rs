//! Pieces of generated code that both modes share: the primal statement of a value, the
//! names of derivatives, and how a rule's partial derivative multiplies a derivative.

use crate::ir::{Adapter, IdVec, Ir, Iter, Op, Slot, SlotId, SlotKind, Value, ValueId};
use crate::names::Names;
use crate::rules::{self, Partial};
use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::Ident;

/// The derivative's name for each active value: `dq` for `q`, `__dt3` for `__t3`. Forward
/// mode calls it the tangent, reverse mode the adjoint; they never meet in one function.
pub fn derivative_names(ir: &Ir, names: &mut Names) -> IdVec<ValueId, Option<Ident>> {
    ir.values.map(|v| v.active.then(|| derivative_name(&v.name, names)))
}

/// The derivative's name for each active slot.
pub fn slot_derivative_names(ir: &Ir, names: &mut Names) -> IdVec<SlotId, Option<Ident>> {
    ir.slots.map(|s| s.active.then(|| derivative_name(&s.name, names)))
}

pub fn derivative_name(name: &Ident, names: &mut Names) -> Ident {
    names.fresh(&derivative_base(name), proc_macro2::Span::call_site())
}

/// The name of a value's tangent with respect to one parameter only (see `mixed`): `dacc_dx`
/// for `acc` and `x`.
pub fn partial_name(name: &Ident, param: &Ident, names: &mut Names) -> Ident {
    let base = format!("{}_{}", derivative_base(name), derivative_base(param));
    names.fresh(&base, proc_macro2::Span::call_site())
}

/// `dx` for `x`, `__dt1` for `__t1`.
fn derivative_base(name: &Ident) -> String {
    let name = name.to_string();
    match name.strip_prefix("__") {
        Some(rest) => format!("__d{rest}"),
        None => format!("d{}", name.trim_start_matches("r#")),
    }
}

/// The right-hand side of a value's primal `let` (not for parameters, loop variables,
/// counts and calls, which their statements bind).
pub fn primal(ir: &Ir, value: &Value, float: &Ident) -> TokenStream {
    match &value.op {
        Op::Opaque { code, .. } => code.clone(),
        Op::Prim { rule, args, callee } => {
            let args: Vec<_> = args.iter().map(|a| ir.tokens(a)).collect();
            rules::primal(rule, &args, callee.as_ref(), float)
        }
        Op::Read(s) => ir.slots[*s].name.to_token_stream(),
        Op::Index { slot, index } => {
            let (a, i) = (&ir.slots[*slot].name, &ir.tokens(index));
            quote!(#a[#i])
        }
        Op::Len(s) => {
            let a = &ir.slots[*s].name;
            quote!(#a.len())
        }
        Op::Snapshot(s) => {
            let a = &ir.slots[*s].name;
            match ir.slots[*s].kind {
                SlotKind::OutParam => quote!(<[_]>::to_vec(&*#a)),
                _ => quote!(::core::clone::Clone::clone(&#a)),
            }
        }
        Op::Param | Op::LoopVar | Op::Count | Op::Call { .. } => TokenStream::new(),
    }
}

/// `c = flat(value);`: a call's array or tuple result copied into the local array that
/// keeps it (see `Op::Call`); nothing for other values.
pub fn result_into(ir: &Ir, value: &Value, krate: &TokenStream) -> TokenStream {
    let Some(r) = value.op.result() else { return TokenStream::new() };
    let (c, name) = (&ir.slots[r].name, &value.name);
    quote!(#c = #krate::__private::flat(#name);)
}

/// A call's argument as the callee's protocol receives it. A bare `&mut` parameter (`g(out)`,
/// `g(&mut *out)`) passes it on to be written; `__private::pass_on` makes that a compile
/// error of ours where the callee's parameter only reads it (`&[F]`), which the macro,
/// seeing no callee's signature, cannot tell (lending for reading is `&out[..]`).
/// `at` is the argument as written, where that error points.
pub fn argument(ir: &Ir, a: &crate::ir::Operand, krate: &TokenStream, at: (Span, Span)) -> TokenStream {
    let t = ir.tokens(a);
    match a {
        crate::ir::Operand::Array { access: crate::ir::Access::Reborrow, part: None, .. } => {
            call_at(quote!(#krate::__private::pass_on), t, at)
        }
        _ => t,
    }
}

/// The iterator of a range loop, as written.
pub fn iter(ir: &Ir, iter: &Iter) -> TokenStream {
    let (a, b) = (&ir.tokens(&iter.start), &ir.tokens(&iter.end));
    let mut out = if iter.inclusive { quote!((#a..=#b)) } else { quote!((#a..#b)) };
    for adapter in &iter.adapters {
        out = match adapter {
            Adapter::Rev => quote!(#out.rev()),
            Adapter::StepBy(k) => {
                let k = &ir.tokens(k);
                quote!(#out.step_by(#k))
            }
        };
    }
    out
}

/// `let mut a = [init; len];` or `vec![..]`, `let mut y = init;` for a slot's declaration
/// (`None` for parameters).
pub fn declare(ir: &Ir, slot: &Slot) -> Option<TokenStream> {
    let name = &slot.name;
    let ty = slot.ty.as_ref().map(|t| quote!(: #t));
    match &slot.kind {
        SlotKind::Scalar { init } => {
            let init = &ir.tokens(init);
            Some(quote!(let mut #name #ty = #init;))
        }
        SlotKind::Array { init, len, vec } => {
            let (init, len) = (&ir.tokens(init), &ir.tokens(len));
            Some(if *vec {
                quote!(let mut #name #ty = ::std::vec![#init; #len];)
            } else {
                quote!(let mut #name #ty = [#init; #len];)
            })
        }
        SlotKind::ArrayParam { .. } | SlotKind::OutParam => None,
    }
}

/// The derivative of a slot: `let mut dy = 0.0;` or an array of zeros of its shape.
pub fn declare_derivative(ir: &Ir, slot: &Slot, d: &Ident) -> TokenStream {
    match &slot.kind {
        SlotKind::Array { len, vec: true, .. } => {
            let len = &ir.tokens(len);
            quote!(let mut #d = ::std::vec![0.0; #len];)
        }
        SlotKind::Array { len, vec: false, .. } => {
            let len = &ir.tokens(len);
            quote!(let mut #d = [0.0; #len];)
        }
        _ => quote!(let mut #d = 0.0;),
    }
}

/// `let name: ty = rhs;`
pub fn bind(value: &Value, rhs: TokenStream) -> TokenStream {
    let name = &value.name;
    match &value.ty {
        Some(ty) => quote!(let #name: #ty = #rhs;),
        None => quote!(let #name = #rhs;),
    }
}

/// The partials of a rule application, evaluated at the value's arguments and result.
pub fn partials(ir: &Ir, value: &Value, float: &Ident) -> Vec<Partial> {
    match &value.op {
        Op::Prim { rule, args, .. } => {
            // A literal takes the function's float type: `0.5.is_nan()` would not compile.
            let args: Vec<_> = args
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let t = &ir.tokens(a);
                    if a.value().is_none() && !rule.constant.contains(&i) {
                        crate::generic::constant(t, float)
                    } else {
                        t.clone()
                    }
                })
                .collect();
            let name = &value.name;
            let result = quote!(#name);
            let _ = ir;
            (rule.partials)(&args, &result, float)
        }
        _ => Vec::new(),
    }
}

/// `partial * d` with the trivial cases folded, so `+` reads `dx + dy`, not `1.0 * dx`.
/// `Zero` gives `None`.
pub fn scale(partial: &Partial, d: &TokenStream, derivative_first: bool) -> Option<Term> {
    Some(match partial {
        Partial::Zero => return None,
        Partial::One => Term { negative: false, tokens: d.clone() },
        Partial::MinusOne => Term { negative: true, tokens: d.clone() },
        Partial::Expr(p) => {
            let p = paren(p.clone());
            let tokens = if derivative_first { quote!(#d * #p) } else { quote!(#p * #d) };
            Term { negative: false, tokens }
        }
    })
}

#[derive(Clone)]
pub struct Term {
    pub negative: bool,
    pub tokens: TokenStream,
}

impl Term {
    pub fn to_tokens(&self) -> TokenStream {
        let t = &self.tokens;
        if self.negative { quote!(-#t) } else { t.clone() }
    }
}

/// `partial * adjoint` where the adjoint carries a sign (see `reverse`'s aliases).
pub fn scale_term(partial: &Partial, adjoint: &Term) -> Option<Term> {
    let d = &adjoint.tokens;
    Some(match partial {
        Partial::Zero => return None,
        Partial::One => adjoint.clone(),
        Partial::MinusOne => Term { negative: !adjoint.negative, tokens: d.clone() },
        Partial::Expr(p) => {
            let p = paren(p.clone());
            Term { negative: adjoint.negative, tokens: quote!(#d * #p) }
        }
    })
}

/// The partials of one operation grouped by the value they flow to: in `x * x` both slots
/// are `x`, and one contribution `d * (x + x)` replaces two dependent `+=`, which the
/// compiler may not merge under strict floating-point rules. Arguments that are not active
/// values (`None`) are dropped.
pub fn by_target(pairs: impl Iterator<Item = (Option<ValueId>, Partial)>) -> Vec<(ValueId, Partial)> {
    let mut out: Vec<(ValueId, Vec<Partial>)> = Vec::new();
    for (target, partial) in pairs {
        let Some(target) = target else { continue };
        if matches!(partial, Partial::Zero) {
            continue;
        }
        match out.iter_mut().find(|(t, _)| *t == target) {
            Some((_, list)) => list.push(partial),
            None => out.push((target, vec![partial])),
        }
    }
    out.into_iter()
        .map(|(target, mut list)| {
            if list.len() == 1 {
                return (target, list.pop().expect("one partial"));
            }
            let parts = list.iter().map(|p| match p {
                Partial::One => quote!(1.0),
                Partial::MinusOne => quote!((-1.0)),
                Partial::Expr(t) => paren(t.clone()),
                Partial::Zero => quote!(0.0),
            });
            (target, Partial::Expr(quote!(#(#parts)+*)))
        })
        .collect()
}

/// `a + b - c`: a sum of terms, or `0.0` when there are none.
pub fn sum(terms: &[Term]) -> TokenStream {
    let Some((first, rest)) = terms.split_first() else {
        return quote!(0.0);
    };
    let mut out = first.to_tokens();
    for t in rest {
        let tokens = &t.tokens;
        out = if t.negative { quote!(#out - #tokens) } else { quote!(#out + #tokens) };
    }
    out
}

/// Parenthesises an expression unless it is a single operand or a method-call chain, so it
/// can be multiplied without changing its meaning (and without `unused_parens`).
pub fn paren(tokens: TokenStream) -> TokenStream {
    let atomic = tokens.clone().into_iter().all(|t| match t {
        TokenTree::Ident(i) => i != "if" && i != "match" && i != "as",
        TokenTree::Literal(_) | TokenTree::Group(_) => true,
        TokenTree::Punct(p) => p.as_char() == '.' || p.as_char() == ':',
    });
    if atomic { tokens } else { quote!((#tokens)) }
}

/// The first and last token's span of a piece of syntax: on stable Rust one span cannot
/// cover both, but an expression whose first and last tokens carry them covers all of it.
pub fn ends(node: &impl ToTokens) -> (Span, Span) {
    let mut tokens = node.to_token_stream().into_iter();
    let first = tokens.next().map_or_else(Span::call_site, |t| t.span());
    let last = tokens.last().map_or(first, |t| t.span());
    (first, last)
}

/// `path(args)` with its tokens spanned as `at`, so that an error in the call (an
/// unsatisfied trait bound, whose message we write) points at the user's syntax.
pub fn call_at(path: TokenStream, args: TokenStream, at: (Span, Span)) -> TokenStream {
    let mut out: TokenStream = path.into_iter().map(|t| respan(t, at.0)).collect();
    let mut group = Group::new(Delimiter::Parenthesis, args);
    group.set_span(at.1);
    out.extend([TokenTree::Group(group)]);
    out
}

fn respan(mut t: TokenTree, span: Span) -> TokenTree {
    if let TokenTree::Group(g) = &t {
        let mut inner = Group::new(g.delimiter(), g.stream().into_iter().map(|t| respan(t, span)).collect());
        inner.set_span(span);
        return TokenTree::Group(inner);
    }
    t.set_span(span);
    t
}

/// `detach::<path, _>`, through which a function primitive is called (see `Op::Prim`): an
/// error that `path` is not the runtime's function points at `path`.
pub fn detach(krate: &TokenStream, path: &syn::Path) -> TokenStream {
    let (first, _) = ends(path);
    let mut out: TokenStream = quote!(#krate::__private::detach::<).into_iter().map(|t| respan(t, first)).collect();
    out.extend(quote!(#path, _>));
    out
}

/// `func::tangent(args)` or `func::pullback(args)`, spanned as the callee's name, so that an
/// error in the call (a callee without this protocol) points at the user's call.
pub fn protocol_call(func: &syn::Path, protocol: &str, args: TokenStream) -> TokenStream {
    let span = func.segments.last().map_or_else(Span::call_site, |s| s.ident.span());
    // A method of a struct field: called with method syntax on the first argument.
    if let Some(method) = receiver_method(func) {
        let (receiver, rest) = split_first_argument(args);
        let protocol = method_protocol(method, protocol);
        let mut group = Group::new(Delimiter::Parenthesis, rest);
        group.set_span(span);
        return quote!((#receiver).#protocol #group);
    }
    // A method's protocol is two associated functions beside it (see `expand`).
    if is_method_path(func) {
        let mut path = func.clone();
        let last = path.segments.last_mut().expect("a method path has segments");
        last.ident = method_protocol(&last.ident, protocol);
        let mut group = Group::new(Delimiter::Parenthesis, args);
        group.set_span(span);
        return quote!(#path #group);
    }
    let protocol = syn::Ident::new(protocol, span);
    let path: TokenStream = quote!(::#protocol).into_iter().map(|t| respan(t, span)).collect();
    let mut group = Group::new(Delimiter::Parenthesis, args);
    group.set_span(span);
    quote!(#func #path #group)
}

/// The first segment of the path a method called on a struct field is lowered to
/// (`p.layer.forward(x)` is `__receiver::forward(&p.layer, x)`): the macro cannot name the
/// field's type, so the call is written back with method syntax on its first argument, where
/// Rust finds the type (see `protocol_call`, `plain_call`).
pub const RECEIVER: &str = "__receiver";

/// The path of method `method` called on its first argument (see [`RECEIVER`]).
pub fn receiver_path(method: &Ident) -> syn::Path {
    let marker = Ident::new(RECEIVER, method.span());
    syn::parse_quote!(#marker::#method)
}

/// The method of a path made by [`receiver_path`].
pub fn receiver_method(func: &syn::Path) -> Option<&Ident> {
    match func.segments.iter().collect::<Vec<_>>()[..] {
        [marker, method] if marker.ident == RECEIVER => Some(&method.ident),
        _ => None,
    }
}

/// `func(args)` as written, or `(first).method(rest)` of a method called on a struct field.
pub fn plain_call(func: &syn::Path, args: TokenStream) -> TokenStream {
    match receiver_method(func) {
        Some(method) => {
            let (receiver, rest) = split_first_argument(args);
            quote!((#receiver).#method(#rest))
        }
        None => quote!(#func(#args)),
    }
}

/// The first argument of a comma-separated list, and the rest.
fn split_first_argument(args: TokenStream) -> (TokenStream, TokenStream) {
    let mut tokens = args.into_iter();
    let first: TokenStream =
        tokens.by_ref().take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ',')).collect();
    (first, tokens.collect())
}

/// Whether a call's path names an associated function of a type (`Self::helper`,
/// `Model::loss`): a segment before the last that is `Self` or starts with a capital.
pub fn is_method_path(func: &syn::Path) -> bool {
    let n = func.segments.len();
    n >= 2 && func.segments.iter().take(n - 1).any(|s| s.ident.to_string().starts_with(char::is_uppercase))
}

/// The associated function of a method's protocol: `__helper_pullback` of `helper`.
pub fn method_protocol(method: &Ident, protocol: &str) -> Ident {
    Ident::new(&format!("__{method}_{protocol}"), method.span())
}

/// Whether the field at `path` of the struct parameter `x` is `#[no_grad]`, asked of the
/// struct that holds it (`Differentiable::is_constant_field`): a constant after inlining.
pub fn constant_field(krate: &TokenStream, x: &Ident, path: &[Ident]) -> TokenStream {
    let (name, parent) = path.split_last().expect("a field path names a field");
    let name = name.to_string();
    let parent = if parent.is_empty() { quote!(#x) } else { quote!(&#x #(.#parent)*) };
    quote!({
        use #krate::__private::{ConstantField as _, NotAStruct as _};
        (&#krate::__private::Probe(#parent)).constant_field(#name)
    })
}
