//! The compact form of the design card: `fn f(x, y, z) < (x + y) * z >`. Every parameter
//! and the result are `f64`; the body between `< >` is a block's contents. Each function
//! becomes an ordinary `#[differentiable] fn` and goes through the same expansion, so the
//! two forms generate exactly the same items.

use crate::expand;
use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, Token, Visibility};

pub fn differentiable_fns(input: TokenStream) -> TokenStream {
    match Parser::parse2(parse_all, input) {
        Ok(out) => out,
        Err(e) => e.to_compile_error(),
    }
}

fn parse_all(input: ParseStream) -> syn::Result<TokenStream> {
    let mut out = TokenStream::new();
    while !input.is_empty() {
        out.extend(parse_one(input)?);
    }
    Ok(out)
}

/// Whether a function's header starts here: attributes, a visibility, `fn name(..) <`.
fn header_follows(input: ParseStream) -> bool {
    let fork = input.fork();
    let header = |f: ParseStream| -> syn::Result<()> {
        f.call(Attribute::parse_outer)?;
        f.parse::<Visibility>()?;
        f.parse::<Token![fn]>()?;
        f.parse::<Ident>()?;
        let _params;
        syn::parenthesized!(_params in f);
        f.parse::<Token![<]>()?;
        Ok(())
    };
    header(&fork).is_ok()
}

fn parse_one(input: ParseStream) -> syn::Result<TokenStream> {
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let fn_token: Token![fn] = input.parse()?;
    let ident: Ident = input.parse()?;
    let content;
    syn::parenthesized!(content in input);
    let params = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
    let open: Token![<] = input.parse()?;

    // The body runs to the last `>` before the next function's header (or the end):
    // comparisons inside the body are thus not mistaken for its end, nor attributes or
    // `fn(f64) -> f64` types in it for the next function.
    let mut body: Vec<TokenTree> = Vec::new();
    while !input.is_empty() && !header_follows(input) {
        body.push(input.parse()?);
    }
    match body.pop() {
        Some(TokenTree::Punct(p)) if p.as_char() == '>' => {}
        _ => return Err(syn::Error::new(open.span, "the body must be closed with `>`: `fn f(x) < x * x >`")),
    }
    let body: TokenStream = body.into_iter().collect();

    let mut args = TokenStream::new();
    let mut kept = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("differentiable") {
            match &attr.meta {
                syn::Meta::List(list) => args = list.tokens.clone(),
                syn::Meta::Path(_) => {}
                syn::Meta::NameValue(_) => {
                    return Err(syn::Error::new_spanned(attr, "write `#[differentiable(grad = name, ..)]`"));
                }
            }
        } else {
            kept.push(attr);
        }
    }
    let params = params.iter().map(|p| quote!(#p: f64));
    let item = quote! {
        #(#kept)*
        #vis #fn_token #ident(#(#params),*) -> f64 { #body }
    };
    Ok(expand::differentiable(args, item))
}
