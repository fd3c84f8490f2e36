//! Until nested differentiation exists: each public companion (`f_grad`, `f_vjp`, `f_jvp`)
//! gets a protocol struct of its name whose `tangent` and `pullback` cannot be called, so
//! that differentiable code calling a companion is refused with our message on the call,
//! not with rustc's about a protocol that is missing.

use crate::ast::{Function, Returns, Shape};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// The stubs, given each companion's result type (which the stubs return, so that the
/// caller's code has no type errors beside ours).
pub fn stubs(func: &Function, grad: TokenStream, vjp: TokenStream, jvp: TokenStream) -> TokenStream {
    let (vis, cfgs, krate) = (&func.vis, &func.cfgs, &func.krate);
    let n = func.params.len();
    let active = func.active().count();
    let shadows = func.active().filter(|p| matches!(p.shape, Shape::Slice | Shape::Out)).count();
    let seed = usize::from(!matches!(func.returns, Returns::Unit));
    let grad = matches!(func.returns, Returns::Scalar).then_some((&func.names.grad, n, grad));
    let companions =
        grad.into_iter().chain([(&func.names.vjp, n + shadows + seed, vjp), (&func.names.jvp, n + active, jvp)]);
    let mut out = TokenStream::new();
    for (name, arity, ty) in companions {
        let units = vec![quote!(()); arity];
        // Each argument of a call comes with its tangent (forward) or alone (reverse).
        let tangent = params(2 * arity);
        let pullback = params(arity);
        let (t_generics, t_params) = (&tangent.0, &tangent.1);
        let (p_generics, p_params) = (&pullback.0, &pullback.1);
        let t_list = func.generics(&t_generics.iter().map(|g| quote!(#g)).collect::<Vec<_>>());
        let p_list = func.generics(&p_generics.iter().map(|g| quote!(#g)).collect::<Vec<_>>());
        out.extend(quote! {
            #(#cfgs)*
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code)]
            #vis struct #name {}

            #(#cfgs)*
            #[allow(dead_code, clippy::all)]
            impl #name {
                #[doc(hidden)]
                #vis fn tangent #t_list(#(#t_params),*) -> (#ty, #ty)
                where (#(#t_generics,)*): #krate::__private::Nested {
                    ::core::unreachable!()
                }

                #[doc(hidden)]
                #vis fn pullback #p_list(#(#p_params),*) -> (#ty, fn(#ty, (#(#units,)*)) -> (#(#units,)*))
                where (#(#p_generics,)*): #krate::__private::Nested {
                    ::core::unreachable!()
                }
            }
        });
    }
    out
}

/// `count` type parameters and parameters of those types.
fn params(count: usize) -> (Vec<Ident>, Vec<TokenStream>) {
    let types: Vec<Ident> = (0..count).map(|i| Ident::new(&format!("__A{i}"), Span::call_site())).collect();
    let params = types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let a = format_ident!("_a{}", i);
            quote!(#a: #t)
        })
        .collect();
    (types, params)
}
