//! Code generation: the items written beside a differentiable function `f`.
//!
//! - The public companions `f_grad`, `f_vjp`, `f_jvp` (the contract in DESIGN.md).
//! - The *protocol* other differentiable code uses to call `f`: a hidden braced struct
//!   named `f` (braced structs live only in the type namespace, so it sits beside the
//!   function without a clash, and `use m::f;` imports both) with two associated functions:
//!   `f::tangent(x, dx, ..)` for forward mode and `f::pullback(x, ..)` for reverse mode.
//!   Every parameter has a slot in both, with `()` as the tangent and gradient of a
//!   constant, so a caller needs no knowledge of the callee's signature. Custom derivative
//!   rules (`#[derivative]`) write the same protocol, which is why user functions, runtime
//!   primitives and built-ins are called alike.

use crate::ast::{Args, Function};
use crate::names::Names;
use crate::{code, fence, forward, lower, reverse};
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::{Ident, ItemFn};

pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(_) => {
            let err = syn::Error::new(
                proc_macro2::Span::call_site(),
                "#[differentiable] applies to a free function `fn name(x: f64, ..) -> f64 { .. }`",
            );
            return quote!(#item).into_iter().chain(err.to_compile_error()).collect();
        }
    };
    let plain = without_no_grad(&item);
    let func = match Args::parse(args).and_then(|args| Function::from_syn(item, args)) {
        Ok(func) => func,
        Err(e) => return with_error(plain, e, TokenStream::new()),
    };
    match bodies(&func) {
        Ok(bodies) => {
            let original = &func.item;
            let items = items(&func, Some(bodies));
            quote!(#original #items)
        }
        // Stubs keep the user's other code compiling, so the one real error is all they see.
        Err(e) => with_error(func.item.clone(), e, items(&func, None)),
    }
}

fn with_error(item: ItemFn, e: syn::Error, stubs: TokenStream) -> TokenStream {
    let err = e.to_compile_error();
    quote!(#item #stubs #err)
}

/// The user's function as they wrote it, minus our `#[no_grad]` markers.
pub fn without_no_grad(item: &ItemFn) -> ItemFn {
    let mut item = item.clone();
    for input in item.sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(pt) = input {
            pt.attrs.retain(|a| !a.path().is_ident("no_grad"));
        }
    }
    item
}

/// The bodies of the two protocol functions, and the tangent parameters' names.
pub struct Bodies {
    pub tangents: Vec<Option<Ident>>,
    pub tangent: TokenStream,
    pub pullback: TokenStream,
}

fn bodies(func: &Function) -> syn::Result<Bodies> {
    fence::check(&func.item.block)?;
    let mut names = Names::new(func.item.to_token_stream());
    let ir = lower::lower(func, &mut names)?;
    let derivs = code::derivative_names(&ir, &mut names);
    let tangent = forward::body(&ir, &derivs, &func.float, &func.krate);
    let pb = reverse::build(&ir, &derivs, &func.float, &func.krate, &mut names);
    let (primal, closure, output) = (pb.primal, pb.closure, &ir.output.tokens);
    // Parameters are the first values of the list, in order.
    let tangents = derivs[..func.params.len()].to_vec();
    Ok(Bodies { tangents, tangent, pullback: quote!(#primal (#output, #closure)) })
}

/// Lints that generated code must never raise in a user's crate.
pub fn allow() -> TokenStream {
    quote!(#[allow(
        unused_variables, unused_mut, unused_parens, unreachable_code, non_snake_case,
        clippy::all, clippy::pedantic, clippy::nursery
    )])
}

/// The protocol struct and functions, and the public companions. `None` writes stubs with
/// the right signatures (used beside a compile error).
pub fn items(func: &Function, bodies: Option<Bodies>) -> TokenStream {
    let (ident, vis, float, cfgs) = (&func.ident, &func.vis, &func.float, &func.cfgs);
    let allow = allow();
    let params: Vec<_> = func.params.iter().map(|p| (&p.ident, &p.ty)).collect();
    let unimplemented = quote!(::core::unimplemented!("chainrule could not differentiate this function"));

    // Protocol: tangent(x, dx, n, _: ()) -> (F, F).
    let tangent_names: Vec<Option<Ident>> = match &bodies {
        Some(b) => b.tangents.clone(),
        None => func.params.iter().map(|p| p.active.then(|| format_ident!("_d{}", p.ident))).collect(),
    };
    let tangent_params = func.params.iter().zip(&tangent_names).map(|(p, d)| {
        let (x, ty) = (&p.ident, &p.ty);
        match (p.active, d) {
            (true, Some(d)) => quote!(#x: #ty, #d: #float),
            _ => quote!(#x: #ty, _: ()),
        }
    });
    let slot_types: Vec<_> = func.params.iter().map(|p| if p.active { quote!(#float) } else { quote!(()) }).collect();
    let pullback_params = params.iter().map(|(x, ty)| quote!(#x: #ty));
    let (tangent_body, pullback_body) = match bodies {
        // `let _ = f;` marks the user's function as used whenever its derivatives are,
        // so a private `f` called only through `f_grad` raises no dead-code warning.
        Some(b) => {
            let (t, p) = (b.tangent, b.pullback);
            (quote!(let _ = #ident; #t), quote!(let _ = #ident; #p))
        }
        None => {
            (unimplemented.clone(), quote!((#unimplemented, move |_: #float| -> (#(#slot_types,)*) { #unimplemented })))
        }
    };
    let protocol = quote! {
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #ident {}

        #(#cfgs)*
        #allow
        impl #ident {
            /// Forward mode: value and tangent. Every parameter is followed by its tangent
            /// (`()` for a constant).
            #[doc(hidden)]
            #[inline]
            #vis fn tangent(#(#tangent_params),*) -> (#float, #float) {
                #tangent_body
            }

            /// Reverse mode: value and pullback, which maps the output's adjoint to one
            /// gradient slot per parameter (`()` for a constant).
            #[doc(hidden)]
            #[inline]
            #vis fn pullback(#(#pullback_params),*) -> (#float, impl ::core::ops::FnOnce(#float) -> (#(#slot_types,)*)) {
                #pullback_body
            }
        }
    };
    let public = public(func);
    quote!(#protocol #public)
}

/// `f_grad`, `f_vjp`, `f_jvp`: thin wrappers over the protocol that keep the active
/// parameters only.
fn public(func: &Function) -> TokenStream {
    let (ident, vis, float, cfgs) = (&func.ident, &func.vis, &func.float, &func.cfgs);
    let (grad, vjp, jvp) = (&func.names.grad, &func.names.vjp, &func.names.jvp);
    let allow = allow();
    let mut names = Names::new(func.params.iter().map(|p| p.ident.to_token_stream()).collect());
    for p in &func.params {
        names.user(&p.ident);
    }
    let derivs: Vec<Option<Ident>> =
        func.params.iter().map(|p| p.active.then(|| code::derivative_name(&p.ident, &mut names))).collect();
    let seed = names.fresh("seed", proc_macro2::Span::call_site());
    let value = names.fresh("value", proc_macro2::Span::call_site());
    let pullback = names.fresh("pullback", proc_macro2::Span::call_site());

    let signature: Vec<_> = func
        .params
        .iter()
        .map(|p| {
            let (x, ty) = (&p.ident, &p.ty);
            quote!(#x: #ty)
        })
        .collect();
    let args: Vec<_> = func.params.iter().map(|p| &p.ident).collect();
    let active: Vec<&Ident> = derivs.iter().flatten().collect();
    let gradient_type = if active.len() == 1 {
        quote!(#float)
    } else {
        let f = active.iter().map(|_| float);
        quote!((#(#f),*))
    };
    let gradient = if active.len() == 1 {
        let d = active[0];
        quote!(#d)
    } else {
        quote!((#(#active),*))
    };
    let slots = derivs.iter().map(|d| match d {
        Some(d) => quote!(#d),
        None => quote!(_),
    });
    let jvp_params = func.params.iter().zip(&derivs).map(|(p, d)| {
        let (x, ty) = (&p.ident, &p.ty);
        match d {
            Some(d) => quote!(#x: #ty, #d: #float),
            None => quote!(#x: #ty),
        }
    });
    let jvp_args = func.params.iter().zip(&derivs).map(|(p, d)| {
        let x = &p.ident;
        match d {
            Some(d) => quote!(#x, #d),
            None => quote!(#x, ()),
        }
    });

    let wrt: Vec<String> = func.active().map(|p| format!("`{}`", p.ident)).collect();
    let wrt = wrt.join(", ");
    let call = format!("{ident}({})", args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "));
    let partials: Vec<String> = func.active().map(|p| format!("∂{ident}/∂{}", p.ident)).collect();
    let partials = if partials.len() == 1 { partials[0].clone() } else { format!("({})", partials.join(", ")) };
    let tangent_args: Vec<String> = func.active().map(|p| format!("d{}", p.ident)).collect();
    let grad_doc = format!(
        "Value and gradient of [`{ident}()`] with respect to {wrt} (reverse mode).\n\nReturns `({call}, {partials})`. Generated by `#[differentiable]`; [`{vjp}()`] is the same with a seed, [`{jvp}()`] is forward mode."
    );
    let vjp_doc = format!(
        "Value of [`{ident}()`] and `{seed}` times its gradient with respect to {wrt} (reverse mode, vector-Jacobian product).\n\n`{seed}` is the adjoint of the result: the derivative of some later quantity with respect to `{call}`. Generated by `#[differentiable]`."
    );
    let jvp_doc = format!(
        "Value of [`{ident}()`] and its directional derivative along ({}) (forward mode, Jacobian-vector product).\n\nEach active parameter is followed by its tangent. Generated by `#[differentiable]`.",
        tangent_args.join(", ")
    );

    quote! {
        #(#cfgs)*
        #[doc = #grad_doc]
        #[inline]
        #allow
        #vis fn #grad(#(#signature),*) -> (#float, #gradient_type) {
            #vjp(#(#args,)* 1.0)
        }

        #(#cfgs)*
        #[doc = #vjp_doc]
        #[inline]
        #allow
        #vis fn #vjp(#(#signature,)* #seed: #float) -> (#float, #gradient_type) {
            let (#value, #pullback) = #ident::pullback(#(#args),*);
            let (#(#slots,)*) = #pullback(#seed);
            (#value, #gradient)
        }

        #(#cfgs)*
        #[doc = #jvp_doc]
        #[inline]
        #allow
        #vis fn #jvp(#(#jvp_params),*) -> (#float, #float) {
            #ident::tangent(#(#jvp_args),*)
        }
    }
}
