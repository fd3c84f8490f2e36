//! `f_jacobian` of a function generic over its float type: the Jacobian of an array or tuple
//! result (`jacobian`) or of the floats a function writes into `&mut` outputs
//! (`jacobian_of_outputs`), with respect to the active inputs' floats flattened in order. By
//! vector forward mode, the primal run on `Dual<F, K>` with up to 32 unit directions per pass
//! (`K` chosen from the input count), or, when the result holds fewer than a quarter as many
//! floats as the inputs, by one `f_vjp` per result float with its unit seed.

use super::allow;
use super::higher::{Higher, Locals, input, is_float, is_reference};
use crate::ast::{Param, Shape};
use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

/// Where `f_jacobian`'s passes are written: inside it (a free function's), or beside it in
/// the `impl` block (a method's, which must name `Self`), then called as `Self::pass`.
pub(super) struct Inner {
    method: bool,
}

impl Inner {
    pub(super) fn call(&self, name: &Ident) -> TokenStream {
        if self.method { quote!(Self::#name) } else { quote!(#name) }
    }

    /// The passes inside the companion, and beside it.
    fn place(&self, passes: TokenStream) -> (TokenStream, TokenStream) {
        if self.method { (TokenStream::new(), passes) } else { (passes, TokenStream::new()) }
    }
}

/// What the forward passes of `K` lanes share between the two Jacobians.
struct Passes {
    /// A pass's generic parameters: the lane count, and the float type unless the block has it.
    generics_inner: TokenStream,
    /// A pass's generic arguments before the lane count.
    lanes_of: TokenStream,
    /// The function at `K` lanes.
    dual_fn: TokenStream,
    /// Each struct parameter's `Retype` onto duals, at `K` lanes (a pass's where clause) and
    /// at every lane count used (the companion's).
    inner_bounds: Option<TokenStream>,
    bounds: Option<TokenStream>,
}

impl Higher<'_> {
    pub(super) fn inner(&self) -> Inner {
        Inner { method: self.func.method }
    }

    /// A method's passes are hidden functions of its `impl` block, where `Self` and the
    /// block's float type are in scope, and the method at duals is the block's type's; a
    /// struct parameter goes onto duals of each lane count by its `Retype` (see
    /// `struct_bounds`).
    fn passes(&self) -> Passes {
        let (func, float, krate) = (self.func, &self.func.float, &self.func.krate);
        let generics_inner = match func.method {
            true => quote!(<const K: usize>),
            false => quote!(<#float: #krate::float::Float, const K: usize>),
        };
        let lanes_of = if func.method { TokenStream::new() } else { quote!(#float,) };
        let where_clause = |bounds: Vec<TokenStream>| (!bounds.is_empty()).then(|| quote!(where #(#bounds),*));
        let lanes: Vec<TokenStream> = [1usize, 4, 8, 16, 32].iter().map(|k| quote!(#k)).collect();
        Passes {
            generics_inner,
            lanes_of,
            dual_fn: self.at_lanes(&func.ident, &quote!(K)),
            inner_bounds: where_clause(self.struct_bounds_at(&[quote!(K)])),
            bounds: where_clause(self.struct_bounds_at(&lanes)),
        }
    }

    /// The function `ident` on duals of `lanes` tangents: itself (generic), or for a method
    /// the block's type's at duals.
    fn at_lanes(&self, ident: &Ident, lanes: &TokenStream) -> TokenStream {
        match (&self.func.block_type, self.func.method) {
            (Some(ty), true) => {
                let ty = super::higher::at_duals(ty, self.func, lanes);
                quote!(<#ty>::#ident)
            }
            _ => quote!(#ident),
        }
    }

    /// The inputs of one forward pass of `K` lanes starting at input float `start`, as duals.
    fn lifted(&self, start: &Ident) -> Vec<TokenStream> {
        let (float, krate) = (&self.func.float, &self.func.krate);
        self.func
            .params
            .iter()
            .zip(&self.offsets)
            .map(|(p, o)| {
                let (x, lifted) = (&p.ident, self.on_duals(&p.ident));
                match (o, &p.shape) {
                    (Some(o), Shape::Scalar) => {
                        quote!(let #x = #krate::higher::lanes_scalar::<#float, K>(#x, #o, #start);)
                    }
                    (Some(o), Shape::Array) => {
                        quote!(let #x = #krate::higher::lanes_array::<#float, K, _>(#x, #o, #start);)
                    }
                    (Some(o), Shape::Struct) => {
                        quote!(let #lifted = #krate::higher::lanes_struct::<#float, K, _>(#x, #o, #start);)
                    }
                    (Some(o), _) => quote!(let #x = #krate::higher::lanes_slice::<#float, K>(#x, #o, #start);),
                    (None, Shape::Scalar) if is_float(p, float) => {
                        quote!(let #x = #krate::higher::constant_lanes::<#float, K>(#x);)
                    }
                    (None, Shape::Array) if is_float(p, float) => {
                        quote!(let #x = #krate::higher::constant_array_lanes::<#float, K, _>(#x);)
                    }
                    (None, _) if is_float(p, float) => {
                        quote!(let #x = #krate::higher::constant_slice_lanes::<#float, K>(#x);)
                    }
                    (None, _) => TokenStream::new(),
                }
            })
            .collect()
    }

    /// Copies of each input's gradient into `row`, in `f_jacobian`'s reverse passes.
    fn row_copies(&self, row: &Ident) -> Vec<TokenStream> {
        self.func
            .params
            .iter()
            .zip(&self.directions)
            .zip(&self.offsets)
            .filter_map(|((p, d), o)| {
                let (d, o) = (d.as_ref()?, o.as_ref()?);
                let krate = &self.func.krate;
                Some(match p.shape {
                    Shape::Scalar => quote!(#row[#o] = #d;),
                    Shape::Struct => quote!(#krate::higher::copy_floats(&#d, &mut #row[#o..]);),
                    _ => quote!(#row[#o..#o + #d.len()].copy_from_slice(&#d);),
                })
            })
            .collect()
    }

    /// `f_jacobian(x..)`: the primal on duals, up to 32 input directions per pass.
    pub(super) fn jacobian(&self) -> TokenStream {
        let func = self.func;
        let (vis, cfgs, float, jacobian, ident) =
            (&func.vis, &func.cfgs, &func.float, &func.names.jacobian, &func.ident);
        let (krate, generics, allow, out) = (&func.krate, func.generics(&[]), allow(), func.output_type());
        let (params, args, layout, total) = (self.params(), self.args(), self.layout(), &self.total);
        let Locals { start, jacobian: jac, result, value, outputs, pass, by_rows, .. } = &self.locals;
        let lifted = self.lifted(start);
        let dual_args = func.params.iter().map(|p| {
            let x = self.on_duals(&p.ident);
            let borrowed = p.shape == Shape::Struct || (is_float(p, float) && is_reference(p));
            if borrowed { quote!(&#x) } else { quote!(#x) }
        });
        let inner = self.inner();
        let (pass_call, by_rows_call) = (inner.call(pass), inner.call(by_rows));
        let Passes { generics_inner, lanes_of, dual_fn, inner_bounds, bounds } = self.passes();
        let reverse = self.reverse_rows();
        let own = inner.call(ident);
        let doc = format!(
            "Value and Jacobian of [`{ident}()`]: `jacobian[(i, j)]` is the derivative of the `i`-th float of the result with respect to the `j`-th of the active parameters' floats flattened in order.\n\nBy forward mode on dual numbers carrying up to 32 directions per pass (one primal evaluation per 32 input floats, whatever the number of results), or, when the result holds fewer than a quarter as many floats as the inputs, by one reverse pass per result float. Generated by `#[differentiable]` for a function generic over its float type."
        );
        let passes = quote! {
            #[doc(hidden)]
            #allow
            fn #pass #generics_inner(#(#params,)* #start: usize, #jac: &mut ::core::option::Option<#krate::dense::Matrix<#float>>) -> #out #inner_bounds {
                #layout
                #(#lifted)*
                let #result = #dual_fn(#(#dual_args),*);
                #krate::higher::columns(&#result, #start, #total, #jac)
            }
            #reverse
        };
        let (nested, beside) = inner.place(passes);
        quote! {
            #beside
            #(#cfgs)*
            #[doc = #doc]
            #allow
            #vis fn #jacobian #generics(#(#params),*) -> (#out, #krate::dense::Matrix<#float>) #bounds {
                #nested
                #layout
                // Few results of many inputs: one vjp per result float.
                let #outputs = <#out as #krate::higher::UnitSeed>::LEN;
                if #outputs * 4 < #total {
                    return #by_rows_call(#(#args,)* #outputs, #total);
                }
                let mut #jac = ::core::option::Option::None;
                let #value = match #total {
                    0 => {
                        let #value = #own(#(#args),*);
                        #jac = ::core::option::Option::Some(#krate::dense::Matrix::zeros(#krate::higher::flat(#value).len(), 0));
                        #value
                    }
                    1 => #pass_call::<#lanes_of 1>(#(#args,)* 0, &mut #jac),
                    2..=4 => #pass_call::<#lanes_of 4>(#(#args,)* 0, &mut #jac),
                    5..=8 => #pass_call::<#lanes_of 8>(#(#args,)* 0, &mut #jac),
                    9..=16 => #pass_call::<#lanes_of 16>(#(#args,)* 0, &mut #jac),
                    _ => {
                        let #value = #pass_call::<#lanes_of 32>(#(#args,)* 0, &mut #jac);
                        let mut #start = 32;
                        while #start < #total {
                            #pass_call::<#lanes_of 32>(#(#args,)* #start, &mut #jac);
                            #start += 32;
                        }
                        #value
                    }
                };
                (#value, #jac.unwrap_or_else(|| #krate::dense::Matrix::zeros(0, #total)))
            }
        }
    }
}

impl Higher<'_> {
    /// `rows(x.., outputs, total)`, inside `f_jacobian`: the Jacobian row by row, one `f_vjp`
    /// per result float with that float's unit seed, each active parameter's gradient (by
    /// value, or added into a zeroed shadow) copied to its columns.
    fn reverse_rows(&self) -> TokenStream {
        let func = self.func;
        let (float, krate, vjp, out) = (&func.float, &func.krate, &func.names.vjp, func.output_type());
        let allow = allow();
        let (params, layout, total) = (self.params(), self.layout(), &self.total);
        let active: Vec<(&Param, &Ident, &Ident)> = func
            .params
            .iter()
            .zip(&self.directions)
            .zip(&self.offsets)
            .filter_map(|((p, d), o)| Some((p, d.as_ref()?, o.as_ref()?)))
            .collect();
        let shadows = active.iter().filter_map(|(p, d, _)| {
            let x = &p.ident;
            match p.shape {
                Shape::Slice => Some(quote!(let mut #d = ::std::vec![#float::ZERO; #x.len()];)),
                Shape::Struct => Some(quote!(let mut #d = #krate::differentiable::Differentiable::zeros_like(#x);)),
                _ => None,
            }
        });
        let by_value: Vec<&Ident> = active
            .iter()
            .filter(|(p, ..)| !matches!(p.shape, Shape::Slice | Shape::Struct))
            .map(|(_, d, _)| *d)
            .collect();
        let pattern = super::public::tuple(by_value.iter().map(|d| quote!(#d)).collect());
        let vjp_args = func.params.iter().zip(&self.directions).map(|(p, d)| {
            let x = &p.ident;
            match (d, &p.shape) {
                (Some(d), Shape::Slice | Shape::Struct) => quote!(#x, &mut #d),
                _ => quote!(#x),
            }
        });
        let Locals { jacobian, value, result: v, row, seed, outputs, by_rows, .. } = &self.locals;
        let j = &self.index;
        let copies = self.row_copies(row);
        let generics = func.generics(&[]);
        let vjp = self.inner().call(vjp);
        quote! {
            #[doc(hidden)]
            #allow
            fn #by_rows #generics(#(#params,)* #outputs: usize, #total: usize) -> (#out, #krate::dense::Matrix<#float>) {
                #layout
                let mut #jacobian = #krate::dense::Matrix::zeros(#outputs, #total);
                let mut #value = ::core::option::Option::None;
                for #j in 0..#outputs {
                    #(#shadows)*
                    let #seed = <#out as #krate::higher::UnitSeed>::unit(#j);
                    let (#v, #pattern) = #vjp(#(#vjp_args,)* #seed);
                    let #row = #jacobian.row_mut(#j);
                    #(#copies)*
                    #value = ::core::option::Option::Some(#v);
                }
                match #value {
                    ::core::option::Option::Some(#v) => (#v, #jacobian),
                    ::core::option::Option::None => ::core::unreachable!("a result has floats"),
                }
            }
        }
    }
}

impl Higher<'_> {
    /// `f_jacobian(x.., out..) -> J` of a function that writes `&mut` outputs: it writes them
    /// as `f` does, and returns the Jacobian of their floats (in parameter order) with respect
    /// to the inputs'; forward passes of duals into dual copies of the outputs, or one `f_vjp`
    /// per output float with a unit shadow.
    pub(super) fn jacobian_of_outputs(&self) -> TokenStream {
        let func = self.func;
        let (vis, cfgs, float, jacobian, ident, vjp) =
            (&func.vis, &func.cfgs, &func.float, &func.names.jacobian, &func.ident, &func.names.vjp);
        let (krate, generics, allow) = (&func.krate, func.generics(&[]), allow());
        let (params, args, layout, total) = (self.params(), self.args(), self.layout(), &self.total);
        let Locals { start, jacobian: jac, outputs, pass, by_rows, row, .. } = &self.locals;
        let j = &self.index;
        let outs: Vec<&Ident> = func.params.iter().filter(|p| p.shape == Shape::Out).map(|p| &p.ident).collect();
        let lifted = self.lifted(start);
        let originals: Vec<Ident> = outs.iter().map(|o| quote::format_ident!("__{}_floats", o)).collect();
        let dual_outs = outs.iter().zip(&originals).map(|(o, original)| {
            quote!(let mut #o = ::std::vec![#krate::dual::Dual::<#float, K>::constant(#float::ZERO); #original.len()];)
        });
        let dual_args = func.params.iter().map(|p| {
            let x = self.on_duals(&p.ident);
            match p.shape {
                Shape::Out => quote!(&mut #x),
                Shape::Struct => quote!(&#x),
                _ if is_float(p, float) && is_reference(p) => quote!(&#x),
                _ => quote!(#x),
            }
        });
        let copies = outs
            .iter()
            .zip(&originals)
            .map(|(o, original)| quote!(#original.copy_from_slice(&#krate::higher::Outputs::values(&#o));));
        let keep = outs.iter().zip(&originals).map(|(o, original)| quote!(let #original = &mut *#o;));
        let results = super::public::tuple(outs.iter().map(|o| quote!(&#o)).collect());
        let count = outs.iter().map(|o| quote!(#o.len()));
        // Reverse: each output's shadow one at float `j`, the inputs' gradients copied.
        let shadows = func.params.iter().zip(&self.directions).filter_map(|(p, d)| {
            let (d, x) = (d.as_ref()?, &p.ident);
            match p.shape {
                Shape::Slice => Some(quote!(let mut #d = ::std::vec![#float::ZERO; #x.len()];)),
                Shape::Struct => Some(quote!(let mut #d = #krate::differentiable::Differentiable::zeros_like(#x);)),
                _ => None,
            }
        });
        let mut at = quote!(0usize);
        let out_shadows: Vec<(Ident, TokenStream)> = outs
            .iter()
            .map(|o| {
                let d = quote::format_ident!("__d{}", o);
                let unit = quote!(let mut #d = #krate::higher::unit_slice::<#float>(#j, #at, #o.len()););
                at = quote!(#at + #o.len());
                (d, unit)
            })
            .collect();
        let out_units = out_shadows.iter().map(|(_, u)| u);
        let by_value: Vec<&Ident> = func
            .params
            .iter()
            .zip(&self.directions)
            .filter(|(p, _)| input(p) && !matches!(p.shape, Shape::Slice | Shape::Struct))
            .filter_map(|(_, d)| d.as_ref())
            .collect();
        let pattern = super::public::tuple(by_value.iter().map(|d| quote!(#d)).collect());
        let vjp_args = func.params.iter().zip(&self.directions).map(|(p, d)| {
            let x = &p.ident;
            match (d, &p.shape) {
                (Some(d), Shape::Slice | Shape::Struct) => quote!(#x, &mut #d),
                (_, Shape::Out) => {
                    let (d, _) = &out_shadows[outs.iter().position(|o| *o == x).unwrap_or(0)];
                    quote!(#x, &mut #d)
                }
                _ => quote!(#x),
            }
        });
        let copies_back = self.row_copies(row);
        let inner = self.inner();
        let (pass_call, by_rows_call, own, vjp) =
            (inner.call(pass), inner.call(by_rows), inner.call(ident), inner.call(vjp));
        let Passes { generics_inner, lanes_of, dual_fn, inner_bounds, bounds } = self.passes();
        let doc = format!(
            "Writes the outputs of [`{ident}()`] as it does, and returns their Jacobian: `jacobian[(i, j)]` is the derivative of the `i`-th float of the `&mut` outputs (in parameter order) with respect to the `j`-th of the active inputs' floats flattened in order.\n\nBy forward mode on dual numbers, up to 32 directions per pass, or, when the outputs hold fewer than a quarter as many floats as the inputs, by one reverse pass per output float. Generated by `#[differentiable]` for a function generic over its float type."
        );
        let passes = quote! {
            #[doc(hidden)]
            #allow
            fn #pass #generics_inner(#(#params,)* #start: usize, #jac: &mut ::core::option::Option<#krate::dense::Matrix<#float>>) #inner_bounds {
                #layout
                #(#keep)*
                #(#lifted)*
                #(#dual_outs)*
                #dual_fn(#(#dual_args),*);
                let _ = #krate::higher::columns(&#results, #start, #total, #jac);
                #(#copies)*
            }
            #[doc(hidden)]
            #allow
            fn #by_rows #generics(#(#params,)* #outputs: usize, #total: usize) -> #krate::dense::Matrix<#float> {
                    #layout
                    let mut #jac = #krate::dense::Matrix::zeros(#outputs, #total);
                    for #j in 0..#outputs {
                        #(#shadows)*
                        #(#out_units)*
                        let ((), #pattern) = #vjp(#(#vjp_args),*);
                        let #row = #jac.row_mut(#j);
                        #(#copies_back)*
                    }
                    // The vjp leaves the outputs as the function writes them.
                    #jac
            }
        };
        let (nested, beside) = inner.place(passes);
        quote! {
            #beside
            #(#cfgs)*
            #[doc = #doc]
            #allow
            #vis fn #jacobian #generics(#(#params),*) -> #krate::dense::Matrix<#float> #bounds {
                #nested
                #layout
                let #outputs = 0usize #(+ #count)*;
                if #outputs * 4 < #total {
                    return #by_rows_call(#(#args,)* #outputs, #total);
                }
                let mut #jac = ::core::option::Option::None;
                match #total {
                    0 => {
                        #own(#(#args),*);
                        #jac = ::core::option::Option::Some(#krate::dense::Matrix::zeros(#outputs, 0));
                    }
                    1 => #pass_call::<#lanes_of 1>(#(#args,)* 0, &mut #jac),
                    2..=4 => #pass_call::<#lanes_of 4>(#(#args,)* 0, &mut #jac),
                    5..=8 => #pass_call::<#lanes_of 8>(#(#args,)* 0, &mut #jac),
                    9..=16 => #pass_call::<#lanes_of 16>(#(#args,)* 0, &mut #jac),
                    _ => {
                        let mut #start = 0;
                        while #start < #total {
                            #pass_call::<#lanes_of 32>(#(#args,)* #start, &mut #jac);
                            #start += 32;
                        }
                    }
                }
                #jac.unwrap_or_else(|| #krate::dense::Matrix::zeros(#outputs, #total))
            }
        }
    }
}
