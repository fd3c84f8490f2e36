//! Functions generic over their float type, `fn f<F: Float>(x: F, xs: &[F]) -> F`.
//!
//! The derivative code is generic too: one body for `f32`, `f64` and any other type that
//! implements the runtime's `Float` (the dual numbers higher-order derivatives will need).
//! The code is written as for a concrete type, with the type parameter's name as the float
//! type, and three things made generic:
//! - every float literal the macro writes (`1.0` in a rule's partial, the `0.0` an adjoint
//!   starts from) becomes `F::from_f64(1.0)` in one pass over the written items (`literals`).
//!   The user's own literals are `f64` or `f32` in generic code (a literal is never an `F`):
//!   the body is read with each of them suffixed `f64` (`suffixed`), which that pass leaves
//!   alone, as it does the digits of a tuple field (`t.0.1` lexes as `t . 0.1`);
//! - a cast to the float type, `n as F`, becomes `F::from_f64(n as f64)` (`cast`);
//! - a constant of `core::f64::consts` becomes the trait's (`F::PI`, `consts`).
//!
//! Inside the function the parameter's name is a float type like `f64`: `classify` asks
//! `is_float_param`, set for the function being expanded.

use proc_macro2::{Group, Ident, TokenStream, TokenTree};
use quote::quote;
use std::cell::RefCell;

thread_local! {
    // The float type parameter of the function being expanded (expansion is sequential).
    static FLOAT_PARAM: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Declares the float type parameter of the function about to be read (`None`: it has none).
pub fn declare(param: Option<&Ident>) {
    FLOAT_PARAM.with(|p| *p.borrow_mut() = param.map(ToString::to_string));
}

/// Whether `name` is the float type parameter of the function being expanded.
pub fn is_float_param(name: &Ident) -> bool {
    FLOAT_PARAM.with(|p| p.borrow().as_deref().is_some_and(|p| name == p))
}

/// Whether generated code over `float` is generic: any float type but `f32` and `f64` is
/// the function's type parameter.
pub fn is_generic(float: &Ident) -> bool {
    float != "f64" && float != "f32"
}

/// The function's float type parameter, if it declares one: exactly one type parameter,
/// bounded by chainrule's `Float`, and no other generics. What is refused is an error; the
/// first type parameter is still taken as the float type, so that the parameters it types
/// raise no errors of their own.
pub fn float_param(generics: &syn::Generics, errors: &mut crate::ast::Errors) -> Option<syn::TypeParam> {
    let mut refuse = |span: &dyn quote::ToTokens, msg: &str| errors.push(syn::Error::new_spanned(span, msg));
    if let Some(w) = &generics.where_clause {
        refuse(w, "write the float type's bound in the parameter list, `fn f<F: Float>(..)`, not in a where clause");
    }
    let mut first = None;
    for param in &generics.params {
        match param {
            syn::GenericParam::Type(t) if first.is_none() => {
                let bounded = t.bounds.iter().any(|b| {
                    matches!(b, syn::TypeParamBound::Trait(tb) if tb.path.segments.last().is_some_and(|s| s.ident == "Float"))
                });
                if (!bounded && generics.where_clause.is_none()) || t.default.is_some() {
                    refuse(
                        t,
                        "a generic parameter of a differentiable function is its float type, bounded by chainrule's `Float`: `fn f<F: Float>(..)` (with `use chainrule::prelude::*`)",
                    );
                }
                first = Some(t.clone());
            }
            syn::GenericParam::Type(_) => refuse(
                param,
                "a differentiable function may have one generic parameter, its float type (`fn f<F: Float>(..)`); remove this one",
            ),
            _ => refuse(
                param,
                "a differentiable function's only generic parameter is its float type, `fn f<F: Float>(..)`; remove this one",
            ),
        }
    }
    first
}

/// The float type of an `impl` block generic over it, `impl<F: Float> Mlp<F>`: its one type
/// parameter, bounded by a trait named `Float`.
pub fn block_float(block: &syn::ItemImpl) -> Option<Ident> {
    // One generic parameter: what a generated closure type captures is that one.
    let first = block.generics.type_params().next().filter(|_| block.generics.params.len() == 1)?;
    let bounded = first.bounds.iter().chain(block.generics.where_clause.iter().flat_map(|w| {
        w.predicates.iter().filter_map(move |p| match p {
            syn::WherePredicate::Type(t) if matches!(&t.bounded_ty, syn::Type::Path(q) if q.path.is_ident(&first.ident)) => {
                Some(&t.bounds)
            }
            _ => None,
        })
        .flatten()
    }));
    let mut bounded = bounded;
    let float = bounded.any(
        |b| matches!(b, syn::TypeParamBound::Trait(t) if t.path.segments.last().is_some_and(|s| s.ident == "Float")),
    );
    float.then(|| first.ident.clone())
}

/// `n as F` of an integer `n`: a plain cast for a concrete type.
pub fn cast(n: &TokenStream, float: &Ident) -> TokenStream {
    match is_generic(float) {
        true => quote!(#float::from_f64((#n) as f64)),
        false => quote!(#n as #float),
    }
}

/// A constant of the body used as a float, `(c as f64)`: as it is for a generic type, where
/// the body can only have written it as an `F` already (`F::from_f64(0.5)`, `F::PI`).
pub fn constant(c: &TokenStream, float: &Ident) -> TokenStream {
    match is_generic(float) {
        true => c.clone(),
        false => quote!((#c as #float)),
    }
}

/// A constant of `core::f64::consts` (`PI`, `LN_2`) in the float type.
pub fn consts(name: &str, float: &Ident) -> TokenStream {
    let name = Ident::new(name, proc_macro2::Span::call_site());
    match is_generic(float) {
        true => quote!(#float::#name),
        false => quote!(::core::#float::consts::#name),
    }
}

/// The body as the derivative code reads it: each unsuffixed float literal the user wrote
/// made an `f64` one, which is what Rust infers for it in a generic function (short of an
/// `f32` annotation, which then fails on the literal's own span).
pub fn suffixed(block: &syn::Block) -> syn::Block {
    use quote::ToTokens;
    let tokens = suffix(block.to_token_stream());
    syn::parse2(tokens).unwrap_or_else(|_| block.clone())
}

fn suffix(tokens: TokenStream) -> TokenStream {
    let mut previous: Option<TokenTree> = None;
    let mut out = Vec::new();
    for tt in tokens {
        let next = match &tt {
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), suffix(g.stream()));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            TokenTree::Literal(l) if is_float_literal(l) && !is_punct(&previous, '.') => {
                let mut typed = proc_macro2::Literal::f64_suffixed(0.0);
                if let Ok(t) = format!("{l}f64").parse::<proc_macro2::Literal>() {
                    typed = t;
                }
                typed.set_span(l.span());
                TokenTree::Literal(typed)
            }
            _ => tt.clone(),
        };
        previous = Some(tt);
        out.push(next);
    }
    out.into_iter().collect()
}

/// The written items with each float literal of the macro's made `F::from_f64(..)`.
pub fn literals(tokens: TokenStream, float: &Ident) -> TokenStream {
    let mut out = Vec::new();
    let mut previous: Option<TokenTree> = None;
    for tt in tokens {
        let next = match &tt {
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), literals(g.stream(), float));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            TokenTree::Literal(l) if is_float_literal(l) && !is_punct(&previous, '.') => {
                out.extend(quote!(#float::from_f64(#l)));
                previous = Some(tt);
                continue;
            }
            _ => tt.clone(),
        };
        out.push(next);
        previous = Some(tt);
    }
    out.into_iter().collect()
}

fn is_float_literal(l: &proc_macro2::Literal) -> bool {
    matches!(syn::parse_str::<syn::Lit>(&l.to_string()), Ok(syn::Lit::Float(f)) if f.suffix().is_empty())
}

fn is_punct(tt: &Option<TokenTree>, c: char) -> bool {
    matches!(tt, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f() -> Ident {
        Ident::new("F", proc_macro2::Span::call_site())
    }

    #[test]
    fn literals_become_conversions() {
        let written = quote!(let d = 1.0 / x; let z = t.0.1; vec![0.0; n]; let k = 2;);
        let out = literals(written, &f()).to_string();
        let expected = quote!(let d = F::from_f64(1.0) / x; let z = t.0.1; vec![F::from_f64(0.0); n]; let k = 2;);
        assert_eq!(out, expected.to_string());
    }

    #[test]
    fn the_users_literals_are_f64_and_stay() {
        let body: syn::Block = syn::parse_quote!({
            let w = F::from_f64(i as f64 + 1.5);
            t.0.1 * 2e-3
        });
        let out = suffixed(&body);
        let expected: syn::Block = syn::parse_quote!({
            let w = F::from_f64(i as f64 + 1.5f64);
            t.0.1 * 2e-3f64
        });
        assert_eq!(quote!(#out).to_string(), quote!(#expected).to_string());
        assert_eq!(literals(quote!(#out), &f()).to_string(), quote!(#expected).to_string());
    }

    #[test]
    fn suffixed_literals_are_kept() {
        let out = literals(quote!(let a = 1.0f64;), &f()).to_string();
        assert_eq!(out, quote!(let a = 1.0f64;).to_string());
    }
}
