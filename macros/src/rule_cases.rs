//! `__rule_cases!()`: one differentiable function per rule of the table, applying that rule
//! to its arguments, and a table of them for `tests/rules.rs`, which checks every rule in
//! both modes against finite differences over the rule's domain. The cases are written from
//! the table itself, so a rule is tested the moment it is added.

use crate::rules::{RULES, Rule, Syntax};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

pub fn rule_cases() -> TokenStream {
    let mut out = TokenStream::new();
    let mut cases = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        let module = format_ident!("rule_{}", i);
        out.extend(case_module(&module, rule));
        let (name, domain, constant, detach) = (rule.name, domain(rule), rule.constant, rule.facts.detach);
        cases.push(quote! {
            RuleCase {
                name: #name,
                domain: &[#(#domain),*],
                constant: &[#(#constant),*],
                detach: #detach,
                eval: #module::eval,
                grad: #module::grad,
                jvp: #module::jvp,
                generic: #module::GENERIC,
            }
        });
    }
    out.extend(quote!(const RULE_CASES: &[RuleCase] = &[#(#cases),*];));
    out
}

fn domain(rule: &Rule) -> Vec<TokenStream> {
    rule.domain.iter().map(|(lo, hi)| quote!((#lo, #hi))).collect()
}

/// The function applying `rule`, and `eval`, `grad` and `jvp` over a flat slice of its
/// arguments (constants among them as floats holding integers).
fn case_module(module: &Ident, rule: &Rule) -> TokenStream {
    let args: Vec<Ident> = (0..rule.arity).map(|i| format_ident!("a{}", i)).collect();
    let constant = |i: usize| rule.constant.contains(&i);
    let params = args.iter().enumerate().map(|(i, a)| if constant(i) { quote!(#a: i32) } else { quote!(#a: f64) });
    let from_slice: Vec<TokenStream> =
        (0..rule.arity).map(|i| if constant(i) { quote!(a[#i] as i32) } else { quote!(a[#i]) }).collect();
    let active: Vec<usize> = (0..rule.arity).filter(|&i| !constant(i)).collect();
    let body = application(rule, &args);

    let gradient: Vec<Ident> = active.iter().map(|i| format_ident!("g{}", i)).collect();
    let pattern = if gradient.len() == 1 { quote!(#(#gradient)*) } else { quote!((#(#gradient),*)) };
    // Each argument and its tangent, `None` for a constant.
    let tangents: Vec<Option<usize>> =
        (0..rule.arity).map(|i| (!constant(i)).then(|| active.iter().position(|&j| j == i).unwrap_or(0))).collect();
    let jvp_args: Vec<TokenStream> = from_slice
        .iter()
        .zip(&tangents)
        .map(|(a, t)| match t {
            Some(t) => quote!(#a, d[#t]),
            None => quote!(#a),
        })
        .collect();
    let generic = generic_case(rule, &args, &from_slice, &pattern, &tangents);
    quote! {
        #[allow(non_snake_case, unused, clippy::all)]
        mod #module {
            use ::chainrule::prelude::*;

            #[::chainrule::differentiable]
            pub fn f(#(#params),*) -> f64 {
                #body
            }

            pub fn eval(a: &[f64]) -> f64 {
                f(#(#from_slice),*)
            }

            pub fn grad(a: &[f64]) -> (f64, ::std::vec::Vec<f64>) {
                let (value, #pattern) = f_grad(#(#from_slice),*);
                (value, ::std::vec![#(#gradient),*])
            }

            pub fn jvp(a: &[f64], d: &[f64]) -> (f64, f64) {
                f_jvp(#(#jvp_args),*)
            }

            #generic
        }
    }
}

/// The same rule in a function generic over its float type, and its `grad` and `jvp` at
/// `f64` and `f32` (`None` for the cast, which a generic function cannot write).
fn generic_case(
    rule: &Rule,
    args: &[Ident],
    from_slice: &[TokenStream],
    pattern: &TokenStream,
    tangents: &[Option<usize>],
) -> TokenStream {
    if rule.syntax == Syntax::Cast {
        return quote!(
            pub const GENERIC: Option<super::Generic> = None;
        );
    }
    let constant = |i: usize| rule.constant.contains(&i);
    let params = args.iter().enumerate().map(|(i, a)| if constant(i) { quote!(#a: i32) } else { quote!(#a: F) });
    let body = application(rule, args);
    let gradient: Vec<Ident> = (0..rule.arity).filter(|&i| !constant(i)).map(|i| format_ident!("g{}", i)).collect();
    let cast32 = |t: &TokenStream, i: usize| if constant(i) { t.clone() } else { quote!(#t as f32) };
    let from32: Vec<TokenStream> = from_slice.iter().enumerate().map(|(i, t)| cast32(t, i)).collect();
    let jvp_args = |cast: TokenStream| -> Vec<TokenStream> {
        from_slice
            .iter()
            .zip(tangents)
            .map(|(a, t)| match t {
                Some(t) => quote!(#a #cast, d[#t] #cast),
                None => quote!(#a),
            })
            .collect()
    };
    let (jvp64, jvp32) = (jvp_args(TokenStream::new()), jvp_args(quote!(as f32)));
    // The primal itself on dual numbers: forward mode by the `Float` impl of `Dual`.
    let dual_args: Vec<TokenStream> = from_slice
        .iter()
        .zip(tangents)
        .map(|(a, t)| match t {
            Some(t) => quote!(::chainrule::dual::Dual::<f64, 1>::new(#a, [d[#t]])),
            None => quote!(#a),
        })
        .collect();
    quote! {
        #[::chainrule::differentiable]
        pub fn g<F: Float>(#(#params),*) -> F {
            #body
        }

        pub const GENERIC: Option<super::Generic> = Some(super::Generic {
            grad64: |a| {
                let (value, #pattern) = g_grad(#(#from_slice),*);
                (value, ::std::vec![#(#gradient),*])
            },
            grad32: |a| {
                let (value, #pattern) = g_grad(#(#from32),*);
                (value as f64, ::std::vec![#(#gradient as f64),*])
            },
            jvp64: |a, d| g_jvp(#(#jvp64),*),
            jvp32: |a, d| {
                let (value, t) = g_jvp(#(#jvp32),*);
                (value as f64, t as f64)
            },
            dual: |a, d| {
                let y = g(#(#dual_args),*);
                (y.re, y.eps[0])
            },
        });
    }
}

/// The rule applied to the arguments, in the rule's own syntax.
fn application(rule: &Rule, args: &[Ident]) -> TokenStream {
    let name = || Ident::new(rule.name, Span::call_site());
    match rule.syntax {
        Syntax::Infix => {
            let op: TokenStream = rule.name.parse().unwrap_or_default();
            let (a, b) = (&args[0], &args[1]);
            quote!(#a #op #b)
        }
        Syntax::Prefix => {
            let a = &args[0];
            quote!(-#a)
        }
        Syntax::Copy => {
            let a = &args[0];
            quote!(let y = #a; y)
        }
        Syntax::Cast => {
            let a = &args[0];
            quote!(#a as f64)
        }
        Syntax::Method => {
            let (recv, rest, name) = (&args[0], &args[1..], name());
            quote!(#recv.#name(#(#rest),*))
        }
        Syntax::Function => {
            let name = name();
            quote!(::chainrule::prelude::#name(#(#args),*))
        }
    }
}
