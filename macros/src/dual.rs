//! `__dual_impl!()`: the arithmetic and the `Float` methods of the runtime's dual numbers
//! (`Dual<F, K>`: a value and `K` tangents), written from the rule table, so that a dual
//! number's derivative of `sin` is the table's `cos`, as in every generated derivative. A
//! generic differentiable function run on duals is forward mode over whatever it computes:
//! its primal gives `K` directional derivatives at once (vector forward mode), its `f_grad`
//! gives the gradient and its derivative along a direction (forward over reverse, `f_hvp`).

use crate::rules::{self, Partial, RULES, Rule, Syntax};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// `extras`: the runtime's own items of the `Float` impl (constants, conversions, tests of a
/// value), which are not derivative facts.
pub fn dual_impl(extras: TokenStream) -> TokenStream {
    let float = Ident::new("F", Span::call_site());
    let mut methods = TokenStream::new();
    let mut operators = TokenStream::new();
    for rule in RULES {
        match rule.syntax {
            // A runtime function of the table is a `Float` method too, which it calls.
            Syntax::Method | Syntax::Function => methods.extend(method(rule, &float)),
            Syntax::Infix => operators.extend(infix(rule, &float)),
            Syntax::Prefix => operators.extend(neg(rule, &float)),
            Syntax::Copy | Syntax::Cast => {}
        }
    }
    let out = quote! {
        /// The float methods, each with its tangents from the rule table.
        impl<F: crate::float::Float, const K: usize> crate::float::Float for Dual<F, K> {
            #extras
            #methods
        }
        #operators
    };
    crate::generic::literals(out, &float)
}

/// `self`'s tangents times the partials, plus each other argument's.
fn tangent(partials: &[Partial], args: &[TokenStream]) -> TokenStream {
    let terms: Vec<TokenStream> = partials
        .iter()
        .zip(args)
        .filter_map(|(p, a)| match p {
            Partial::Zero => None,
            Partial::One => Some(quote!(#a.eps[k])),
            Partial::MinusOne => Some(quote!(-#a.eps[k])),
            Partial::Expr(e) => Some(quote!((#e) * #a.eps[k])),
        })
        .collect();
    match terms.is_empty() {
        true => quote!(F::ZERO),
        false => quote!(#(#terms)+*),
    }
}

/// One method: `x.sin()` is `(sin x, cos x · dx)`.
fn method(rule: &Rule, float: &Ident) -> TokenStream {
    let name = Ident::new(rule.name, Span::call_site());
    let names: Vec<Ident> =
        (0..rule.arity).map(|i| if i == 0 { format_ident!("self") } else { format_ident!("a{}", i) }).collect();
    let constant = |i: usize| rule.constant.contains(&i);
    // The values the partials are written over: the arguments' values, or a constant itself.
    let values: Vec<Ident> = (0..rule.arity).map(|i| format_ident!("v{}", i)).collect();
    let bind = (0..rule.arity).map(|i| {
        let (v, a) = (&values[i], &names[i]);
        if constant(i) { quote!(let #v = #a;) } else { quote!(let #v = #a.re;) }
    });
    let params = (1..rule.arity).map(|i| {
        let a = &names[i];
        if constant(i) { quote!(#a: i32) } else { quote!(#a: Self) }
    });
    let value_tokens: Vec<TokenStream> = values.iter().map(|v| quote!(#v)).collect();
    let result = Ident::new("r", Span::call_site());
    let primal = match rule.syntax {
        Syntax::Function => {
            let v = &value_tokens;
            quote!(crate::float::Float::#name(#(#v),*))
        }
        _ => rules::primal(rule, &value_tokens, None, float),
    };
    let partials = (rule.partials)(&value_tokens, &quote!(#result), float);
    let arg_tokens: Vec<TokenStream> = names.iter().map(|a| quote!(#a)).collect();
    let d = tangent(&partials, &arg_tokens);
    quote! {
        #[inline]
        #[allow(clippy::all)]
        fn #name(self #(, #params)*) -> Self {
            #(#bind)*
            let #result = #primal;
            Dual { re: #result, eps: ::core::array::from_fn(|k| #d) }
        }
    }
}

/// An operator: `impl Add for Dual`, from its rule.
fn infix(rule: &Rule, float: &Ident) -> TokenStream {
    let (tr, method) = match rule.name {
        "+" => (quote!(Add), quote!(add)),
        "-" => (quote!(Sub), quote!(sub)),
        "*" => (quote!(Mul), quote!(mul)),
        "/" => (quote!(Div), quote!(div)),
        _ => return TokenStream::new(),
    };
    let values = [quote!(v0), quote!(v1)];
    let primal = rules::primal(rule, &values, None, float);
    let partials = (rule.partials)(&values, &quote!(r), float);
    let d = tangent(&partials, &[quote!(self), quote!(other)]);
    quote! {
        impl<F: crate::float::Float, const K: usize> ::core::ops::#tr for Dual<F, K> {
            type Output = Self;
            #[inline]
            #[allow(clippy::all)]
            fn #method(self, other: Self) -> Self {
                let (v0, v1) = (self.re, other.re);
                let r = #primal;
                Dual { re: r, eps: ::core::array::from_fn(|k| #d) }
            }
        }
    }
}

fn neg(rule: &Rule, float: &Ident) -> TokenStream {
    let primal = rules::primal(rule, &[quote!(v0)], None, float);
    let partials = (rule.partials)(&[quote!(v0)], &quote!(r), float);
    let d = tangent(&partials, &[quote!(self)]);
    quote! {
        impl<F: crate::float::Float, const K: usize> ::core::ops::Neg for Dual<F, K> {
            type Output = Self;
            #[inline]
            #[allow(clippy::all)]
            fn neg(self) -> Self {
                let v0 = self.re;
                let r = #primal;
                Dual { re: r, eps: ::core::array::from_fn(|k| #d) }
            }
        }
    }
}
