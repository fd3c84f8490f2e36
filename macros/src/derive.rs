//! `#[derive(Differentiable)]`: a struct of floats, float arrays, `Vec`s and other
//! differentiable structs, whose gradient is a value of the same type (see the runtime's
//! `differentiable` module). Fields marked `#[no_grad]` (sizes, flags) are constants: copied
//! by `zeros_like`, skipped by the float walks.
//!
//! A struct generic over its float type (`struct Mlp<F> { w: Vec<F> }`) is differentiable at
//! every float type, and also gets what the higher-order companions need to run it on dual
//! numbers (`retype`).

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

pub fn derive(input: TokenStream) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let item: syn::DeriveInput = syn::parse2(input)?;
    let syn::Data::Struct(data) = &item.data else {
        return Err(syn::Error::new(item.ident.span(), "`Differentiable` can be derived for structs only"));
    };
    let syn::Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(
            data.fields.span(),
            "`Differentiable` needs named fields: `struct S { w: Vec<f64> }`",
        ));
    };
    let trait_path = quote!(::chainrule::differentiable::Differentiable);
    let (mut zeros, mut walk, mut zip, mut float) = (Vec::new(), Vec::new(), Vec::new(), None);
    let mut constants = Vec::new();
    let mut bounds = Vec::new();
    for field in &fields.named {
        let name = field.ident.as_ref().expect("named fields have names");
        if field.attrs.iter().any(|a| a.path().is_ident("no_grad")) {
            zeros.push(quote!(#name: ::core::clone::Clone::clone(&self.#name)));
            constants.push(name.to_string());
            continue;
        }
        let ty = &field.ty;
        // A type bounded once: `Vec<F>: Differentiable<Float = <Vec<F> as ..>::Float>`
        // would be a cycle.
        let key = ty.to_token_stream().to_string();
        if !bounds.iter().any(|(k, _)| *k == key) {
            let bound = match &float {
                None => quote!(#ty: #trait_path),
                Some(first) => quote!(#ty: #trait_path<Float = #first>),
            };
            bounds.push((key, bound));
        }
        float.get_or_insert_with(|| quote!(<#ty as #trait_path>::Float));
        zeros.push(quote!(#name: #trait_path::zeros_like(&self.#name)));
        walk.push(quote!(#trait_path::for_each_float(&self.#name, f);));
        zip.push(quote!(#trait_path::zip_floats(&mut self.#name, &other.#name, f);));
    }
    let Some(float) = float else {
        return Err(syn::Error::new(
            item.ident.span(),
            "a differentiable struct needs a field that is not `#[no_grad]`",
        ));
    };
    let ident = &item.ident;
    let (generics, args, where_clause) = item.generics.split_for_impl();
    // A generic struct (`struct Mlp<F> { w: Vec<F> }`) is differentiable where its fields
    // are, all of one float type; a concrete one's fields are checked by the body instead.
    let predicates = where_clause.map(|w| w.predicates.iter().map(|p| quote!(#p)).collect()).unwrap_or(Vec::new());
    let bounds =
        if item.generics.params.is_empty() { Vec::new() } else { bounds.into_iter().map(|(_, b)| b).collect() };
    let predicates = predicates.into_iter().chain(bounds);
    let retype = retype(&item, &fields.named);
    // The constant fields by name, which generated code gives no tangent and no gradient.
    let constant = (!constants.is_empty()).then(|| {
        quote! {
            #[inline(always)]
            fn is_constant_field(&self, name: &str) -> bool {
                ::core::matches!(name, #(#constants)|*)
            }
        }
    });
    Ok(quote! {
        #retype

        #[automatically_derived]
        impl #generics #trait_path for #ident #args where #(#predicates,)* {
            type Float = #float;
            fn zeros_like(&self) -> Self {
                Self { #(#zeros),* }
            }
            fn for_each_float(&self, f: &mut dyn FnMut(Self::Float)) {
                #(#walk)*
            }
            fn zip_floats(&mut self, other: &Self, f: &mut dyn FnMut(&mut Self::Float, Self::Float)) {
                #(#zip)*
            }
            #constant
        }
    })
}

/// For a struct whose one generic parameter is its float type `F`: `Retype`, the struct at
/// another float type float by float and back, which `f_hvp` and `f_hessian` run it on dual
/// numbers with. Nothing for other structs, or where a `#[no_grad]` field mentions `F` (it
/// could not be rebuilt at another type); their higher-order companions are then `Retype`'s
/// error where they are called.
fn retype(item: &syn::DeriveInput, fields: &Punctuated<syn::Field, syn::Token![,]>) -> TokenStream {
    let params = &item.generics.params;
    let Some(syn::GenericParam::Type(float)) = params.first().filter(|_| params.len() == 1) else {
        return TokenStream::new();
    };
    let constant = |f: &&syn::Field| f.attrs.iter().any(|a| a.path().is_ident("no_grad"));
    if item.generics.where_clause.is_some() || fields.iter().filter(constant).any(|f| mentions(&f.ty, &float.ident)) {
        return TokenStream::new();
    }
    let (ident, f) = (&item.ident, &float.ident);
    let bounds = &float.bounds;
    let bounded = if bounds.is_empty() { quote!(#f) } else { quote!(#f: #bounds) };
    let retype = quote!(::chainrule::differentiable::Retype);
    let float_trait = quote!(::chainrule::float::Float);
    // The struct rebuilt field by field: `each` writes a float field's value, constant
    // fields are cloned from `source`.
    let build = |source: TokenStream, each: &dyn Fn(&syn::Ident, &syn::Type) -> TokenStream| {
        let fields = fields.iter().map(|field| {
            let name = field.ident.as_ref().expect("named fields have names");
            let value = match constant(&field) {
                true => quote!(::core::clone::Clone::clone(&#source.#name)),
                false => each(name, &field.ty),
            };
            quote!(#name: #value)
        });
        quote!(#ident { #(#fields),* })
    };
    let by_one = build(quote!(self), &|n, _| quote!(#retype::retype(&self.#n, f)));
    let by_two = build(quote!(self), &|n, _| quote!(#retype::retype_zip(&self.#n, &other.#n, f)));
    let back = build(quote!(from), &|n, ty| quote!(<#ty as #retype<#f, __G>>::unretype(&from.#n, f)));
    quote! {
        #[automatically_derived]
        impl<#bounded, __G: #float_trait> #retype<#f, __G> for #ident<#f> where #f: #float_trait {
            type As = #ident<__G>;
            fn retype(&self, f: &mut dyn FnMut(#f) -> __G) -> #ident<__G> {
                #by_one
            }
            fn retype_zip(&self, other: &Self, f: &mut dyn FnMut(#f, #f) -> __G) -> #ident<__G> {
                #by_two
            }
            fn unretype(from: &#ident<__G>, f: &mut dyn FnMut(&__G) -> #f) -> Self {
                #back
            }
        }

    }
}

/// Whether the identifier `name` appears in `ty`.
fn mentions(ty: &syn::Type, name: &syn::Ident) -> bool {
    fn walk(tokens: TokenStream, name: &syn::Ident) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == *name,
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), name),
            _ => false,
        })
    }
    walk(ty.to_token_stream(), name)
}
