//! `#[derivative(x = .., y = .., output = r)]`: a function with hand-written partial
//! derivatives. Its body stays opaque (it may use anything: branches, loops, library
//! calls); the partials, written over the parameters and the result `r`, give both modes
//! and the same protocol `#[differentiable]` writes, so differentiable code calls it like
//! any other function. The runtime's activations (`sigmoid`, `relu`, ...) are written so.

use crate::ast::{Args, Errors, Function};
use crate::expand::{self, Bodies};
use crate::names::Names;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, ItemFn, Token};

struct Partial {
    wrt: Ident,
    expr: Expr,
}

impl Parse for Partial {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let wrt = input.call(syn::ext::IdentExt::parse_any)?;
        input.parse::<Token![=]>()?;
        Ok(Partial { wrt, expr: input.parse()? })
    }
}

pub fn derivative(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(_) => {
            let err = syn::Error::new(proc_macro2::Span::call_site(), "#[derivative] applies to a function");
            return quote!(#item).into_iter().chain(err.to_compile_error()).collect();
        }
    };
    let plain = expand::without_no_grad(&item);
    if let Some(e) = expand::outside_module(&item, "#[derivative]") {
        let err = e.to_compile_error();
        return quote!(#plain #err);
    }
    let parsed = syn::parse::Parser::parse2(Punctuated::<Partial, Token![,]>::parse_terminated, args);
    let result = parsed.and_then(|partials| {
        let func = Function::from_syn(item, Args::default())?;
        if let Some(g) = &func.generic {
            let msg = "a hand-written derivative is written for one float type: write the function for `f64` or `f32` (a generic `#[differentiable]` function may call it)";
            return Err(syn::Error::new_spanned(g, msg));
        }
        let bodies = bodies(&func, partials.into_iter().collect())?;
        Ok((func, bodies))
    });
    match result {
        Ok((func, bodies)) => {
            let original = &func.item;
            let items = expand::items(&func, Some(bodies));
            quote!(#original #items)
        }
        Err(e) => {
            let err = e.to_compile_error();
            quote!(#plain #err)
        }
    }
}

/// The partials, checked against the signature: one per active parameter, none for a
/// constant, and `output = name` to name the result.
fn bodies(func: &Function, partials: Vec<Partial>) -> syn::Result<Bodies> {
    let mut errors = Errors::default();
    let mut output: Option<Ident> = None;
    let mut named_output = false;
    let mut by_param: Vec<Option<Expr>> = vec![None; func.params.len()];
    for partial in partials {
        if partial.wrt == "output" {
            let repeated = std::mem::replace(&mut named_output, true);
            match partial.expr {
                _ if repeated => errors.push(syn::Error::new_spanned(
                    &partial.wrt,
                    "the result is named twice; keep one `output = name`",
                )),
                Expr::Path(p) if p.path.get_ident().is_some_and(|i| func.params.iter().any(|q| q.ident == *i)) => {
                    errors.push(syn::Error::new_spanned(
                        p,
                        "this name is a parameter's: the partials would read the result in its place; name the result something else",
                    ))
                }
                Expr::Path(p) if p.path.get_ident().is_some() => output = p.path.get_ident().cloned(),
                other => errors
                    .push(syn::Error::new_spanned(other, "`output = name` names the result for use in the partials")),
            }
            continue;
        }
        match func.params.iter().position(|p| p.ident == partial.wrt) {
            Some(i) if !func.params[i].active => errors.push(syn::Error::new_spanned(
                &partial.wrt,
                format!("`{}` is a constant parameter; it has no derivative to give", partial.wrt),
            )),
            Some(i) if by_param[i].is_some() => {
                errors.push(syn::Error::new_spanned(&partial.wrt, "this partial derivative is given twice"))
            }
            Some(i) => by_param[i] = Some(partial.expr),
            None => errors.push(syn::Error::new_spanned(
                &partial.wrt,
                format!(
                    "`{}` is not a parameter of this function; give `param = ∂f/∂param` or `output = name`",
                    partial.wrt
                ),
            )),
        }
    }
    for (p, partial) in func.params.iter().zip(&by_param) {
        if p.active && partial.is_none() {
            errors.push(syn::Error::new_spanned(
                &p.ident,
                format!("give the partial derivative with respect to `{0}`: #[derivative({0} = ...)], or mark it #[no_grad]", p.ident),
            ));
        }
    }
    if !matches!(func.returns, crate::ast::Returns::Scalar) {
        errors.push(syn::Error::new_spanned(&func.item.sig.output, "#[derivative] functions return a scalar"));
    }
    for p in &func.params {
        if p.active && p.shape != crate::ast::Shape::Scalar {
            errors.push(syn::Error::new_spanned(
                &p.ty,
                "#[derivative] gives scalar partial derivatives; array parameters need #[differentiable]",
            ));
        }
    }
    errors.finish()?;

    let (ident, float) = (&func.ident, &func.float);
    // The partials' identifiers count as written: a generated name (the result's, when
    // `output = ..` is not given) must not be one they read.
    let partial_tokens = by_param.iter().flatten();
    let mut names = Names::new(quote!(#(#partial_tokens)* ).into_iter().chain(func.item.to_token_stream()).collect());
    for p in &func.params {
        names.user(&p.ident);
    }
    let output = output.unwrap_or_else(|| names.fresh("output", proc_macro2::Span::call_site()));
    let seed = names.fresh("seed", proc_macro2::Span::call_site());
    let args: Vec<_> = func.params.iter().map(|p| &p.ident).collect();
    let tangents: Vec<Option<Ident>> =
        func.params.iter().map(|p| p.active.then(|| crate::code::derivative_name(&p.ident, &mut names))).collect();

    let terms = by_param.iter().zip(&tangents).filter_map(|(partial, d)| {
        let (partial, d) = (partial.as_ref()?, d.as_ref()?);
        Some(quote!((#partial) * #d))
    });
    let tangent = quote! {
        let #output = #ident(#(#args),*);
        (#output, #(#terms)+*)
    };
    let slots = by_param.iter().map(|partial| match partial {
        Some(partial) => quote!(#seed * (#partial)),
        None => quote!(()),
    });
    let shadows = func.params.iter().map(|_| quote!(()));
    let pullback = quote! {
        let #output = #ident(#(#args),*);
        (#output, move |#seed: #float, _: (#(#shadows,)*)| (#(#slots,)*))
    };
    let overwrites = vec![false; func.params.len()];
    Ok(Bodies { tangents, tangent, pullback, loops: false, recursive: false, overwrites, graph: None, fused: None })
}
