//! `#[derive(Differentiable)]`: a struct of floats, float arrays, `Vec`s and other
//! differentiable structs, whose gradient is a value of the same type (see the runtime's
//! `differentiable` module). Fields marked `#[no_grad]` (sizes, flags) are constants: copied
//! by `zeros_like`, skipped by the float walks.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

pub fn derive(input: TokenStream) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let item: syn::DeriveInput = syn::parse2(input)?;
    if !item.generics.params.is_empty() {
        return Err(syn::Error::new(
            item.generics.span(),
            "`Differentiable` cannot be derived for a generic struct yet; write it for `f64` or `f32`",
        ));
    }
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
    for field in &fields.named {
        let name = field.ident.as_ref().expect("named fields have names");
        if field.attrs.iter().any(|a| a.path().is_ident("no_grad")) {
            zeros.push(quote!(#name: ::core::clone::Clone::clone(&self.#name)));
            continue;
        }
        let ty = &field.ty;
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
    Ok(quote! {
        #[automatically_derived]
        impl #trait_path for #ident {
            type Float = #float;
            fn zeros_like(&self) -> Self {
                #ident { #(#zeros),* }
            }
            fn for_each_float(&self, f: &mut dyn FnMut(Self::Float)) {
                #(#walk)*
            }
            fn zip_floats(&mut self, other: &Self, f: &mut dyn FnMut(&mut Self::Float, Self::Float)) {
                #(#zip)*
            }
        }
    })
}
