//! Pieces of generated code that both modes share: the primal statement of a value, the
//! names of derivatives, and how a rule's partial derivative multiplies a derivative.

use crate::ir::{Ir, Op, Value};
use crate::names::Names;
use crate::rules::{self, Partial};
use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use syn::Ident;

/// The derivative's name for each active value: `dq` for `q`, `__dt3` for `__t3`. Forward
/// mode calls it the tangent, reverse mode the adjoint; they never meet in one function.
pub fn derivative_names(ir: &Ir, names: &mut Names) -> Vec<Option<Ident>> {
    ir.values.iter().map(|v| v.active.then(|| derivative_name(&v.name, names))).collect()
}

pub fn derivative_name(name: &Ident, names: &mut Names) -> Ident {
    let name = name.to_string();
    let base = match name.strip_prefix("__") {
        Some(rest) => format!("__d{rest}"),
        None => format!("d{}", name.trim_start_matches("r#")),
    };
    names.fresh(&base, proc_macro2::Span::call_site())
}

/// The right-hand side of a value's primal `let` (not for parameters and calls).
pub fn primal(value: &Value) -> TokenStream {
    match &value.op {
        Op::Const(tokens) => tokens.clone(),
        Op::Prim { rule, args } => {
            let args: Vec<_> = args.iter().map(|a| a.tokens.clone()).collect();
            rules::primal(rule, &args)
        }
        Op::Param | Op::Call { .. } => TokenStream::new(),
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
        Op::Prim { rule, args } => {
            // A literal takes the function's float type: `0.5.is_nan()` would not compile.
            let args: Vec<_> = args
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let t = &a.tokens;
                    if a.value.is_none() && !rule.constant.contains(&i) { quote!((#t as #float)) } else { t.clone() }
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
