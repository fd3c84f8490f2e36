//! The higher-order companions of a function generic over its float type, each the
//! first-order code run on dual numbers (`runtime/src/dual.rs`):
//! - `f_hvp(x.., v..)`: value, gradient and Hessian-vector product, `f_grad` on duals whose
//!   tangents are `v` (forward over reverse);
//! - `f_hessian(x..)`: value, gradient and the dense Hessian over the active floats
//!   flattened, one `f_hvp` per input float;
//! - `f_jacobian(x..)`: value and Jacobian of an array or tuple result, the primal on duals
//!   carrying up to 32 input directions per pass (vector forward mode).
//!
//! Generic code is only compiled for the types it is used at, so a function whose
//! higher-order companions are never called costs their parsing and nothing else.

use super::public::{Companions, tuple};
use super::{allow, tangent_type};
use crate::ast::{Function, Kind, Param, Returns, Shape};
use crate::names::Names;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::Ident;

pub(super) fn companions(func: &Function, first: &Companions) -> TokenStream {
    if func.generic.is_none() || func.method {
        return TokenStream::new();
    }
    let outputs = matches!(func.returns, Returns::Unit);
    let supported = func.active().all(|p| match p.shape {
        Shape::Scalar | Shape::Slice | Shape::Array => true,
        Shape::Out => outputs,
        _ => false,
    });
    if !supported {
        return TokenStream::new();
    }
    let higher = Higher::new(func);
    let (float, names, n, krate) = (&func.float, &func.names, func.params.len(), &func.krate);
    let (matrix, refused) = (quote!(#krate::dense::Matrix<#float>), quote!(NestedMatrix));
    match func.returns {
        Returns::Scalar => {
            let gradient = tuple(first.grad_items().into_iter().map(|(_, t)| t).collect());
            let (hvp, hessian) = (higher.hvp(&gradient), higher.hessian(&gradient));
            // Called inside differentiable code: `hvp` has a protocol beside the others' when
            // they have one; the rest are refused with the stubs' message.
            let hvp_stub = (!crate::nested::differentiable_companions(func)).then(|| {
                let ty = quote!((#float, #gradient, #gradient));
                crate::nested::stub(func, &names.hvp, n + func.active().count(), ty, &quote!(Nested))
            });
            let ty = quote!((#float, #gradient, #matrix));
            let hessian_stub = crate::nested::stub(func, &names.hessian, n, ty, &refused);
            quote!(#hvp #hessian #hvp_stub #hessian_stub)
        }
        Returns::Array | Returns::Tuple(_) => {
            let out = func.output_type();
            let stub = crate::nested::stub(func, &names.jacobian, n, quote!((#out, #matrix)), &refused);
            let jacobian = higher.jacobian();
            quote!(#jacobian #stub)
        }
        Returns::Unit => {
            let stub = crate::nested::stub(func, &names.jacobian, n, matrix, &refused);
            let jacobian = higher.jacobian_of_outputs();
            quote!(#jacobian #stub)
        }
    }
}

/// An active parameter that is an input, not a `&mut` output.
fn input(p: &Param) -> bool {
    p.active && p.shape != Shape::Out
}

struct Higher<'a> {
    func: &'a Function,
    /// Each active parameter's direction in `f_hvp`.
    directions: Vec<Option<Ident>>,
    /// Each active parameter's offset among the active floats flattened, and the total.
    offsets: Vec<Option<Ident>>,
    total: Ident,
    index: Ident,
    /// The companions' own locals, none of which may shadow a parameter.
    locals: Locals,
}

struct Locals {
    rows: Ident,
    first: Ident,
    start: Ident,
    jacobian: Ident,
    result: Ident,
    value: Ident,
    row: Ident,
    seed: Ident,
    outputs: Ident,
    /// The inner functions of `f_jacobian`: one forward pass, all the reverse passes.
    pass: Ident,
    by_rows: Ident,
}

impl<'a> Higher<'a> {
    fn new(func: &'a Function) -> Self {
        let mut names = Names::new(func.params.iter().map(|p| p.ident.to_token_stream()).collect());
        for p in &func.params {
            names.user(&p.ident);
        }
        let span = proc_macro2::Span::call_site();
        let directions =
            func.params.iter().map(|p| input(p).then(|| names.fresh(&format!("v_{}", p.ident), span))).collect();
        let offsets =
            func.params.iter().map(|p| input(p).then(|| names.fresh(&format!("__at_{}", p.ident), span))).collect();
        let (total, index) = (names.fresh("__total", span), names.fresh("__i", span));
        let locals = Locals {
            rows: names.fresh("rows", span),
            first: names.fresh("first", span),
            start: names.fresh("start", span),
            jacobian: names.fresh("jacobian", span),
            result: names.fresh("result", span),
            value: names.fresh("value", span),
            row: names.fresh("row", span),
            seed: names.fresh("seed", span),
            outputs: names.fresh("outputs", span),
            pass: names.fresh("pass", span),
            by_rows: names.fresh("by_rows", span),
        };
        Higher { func, directions, offsets, total, index, locals }
    }

    fn params(&self) -> Vec<TokenStream> {
        self.func
            .params
            .iter()
            .map(|p| {
                let (x, ty) = (&p.ident, &p.ty);
                quote!(#x: #ty)
            })
            .collect()
    }

    fn args(&self) -> Vec<&Ident> {
        self.func.params.iter().map(|p| &p.ident).collect()
    }

    /// `let` statements giving each active parameter its offset, and the total.
    fn layout(&self) -> TokenStream {
        let mut out = TokenStream::new();
        let mut at = quote!(0usize);
        for (p, o) in self.func.params.iter().zip(&self.offsets) {
            let Some(o) = o else { continue };
            let x = &p.ident;
            out.extend(quote!(let #o = #at;));
            let len = match p.shape {
                Shape::Scalar => quote!(1usize),
                _ => quote!(#x.len()),
            };
            at = quote!(#o + #len);
        }
        let total = &self.total;
        out.extend(quote!(let #total = #at;));
        out
    }

    /// `f_hvp(x.., v..)`: `f_grad` on duals carrying `v`.
    fn hvp(&self, gradient: &TokenStream) -> TokenStream {
        let func = self.func;
        let (vis, cfgs, float, hvp, grad) = (&func.vis, &func.cfgs, &func.float, &func.names.hvp, &func.names.grad);
        let (krate, generics, allow) = (&func.krate, func.generics(&[]), allow());
        let params = self.params();
        let directions = func.params.iter().zip(&self.directions).filter_map(|(p, v)| {
            let v = v.as_ref()?;
            let t = tangent_type(p, float);
            Some(quote!(#v: #t))
        });
        let lifts = func.params.iter().zip(&self.directions).map(|(p, v)| {
            let x = &p.ident;
            match v {
                Some(v) => quote!(let #x = #krate::higher::Lift::lift(#x, #v);),
                None if is_float(p) => quote!(let #x = #krate::higher::Constant::constant(#x);),
                None => TokenStream::new(),
            }
        });
        let args = func.params.iter().map(|p| {
            let x = &p.ident;
            if p.shape == Shape::Scalar || p.shape == Shape::Array || !is_reference(p) {
                quote!(#x)
            } else {
                quote!(&#x)
            }
        });
        let doc = format!(
            "Value, gradient and Hessian-vector product of [`{}()`] along the directions `v_..` of the active parameters (forward over reverse: [`{grad}()`] on dual numbers).\n\nReturns `(value, gradient, H·v)`, the last two shaped like the gradient of `{grad}`. Generated by `#[differentiable]` for a function generic over its float type.",
            func.ident
        );
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #allow
            #vis fn #hvp #generics(#(#params,)* #(#directions),*) -> (#float, #gradient, #gradient) {
                #(#lifts)*
                let (value, gradient) = #grad(#(#args),*);
                let (value, _) = #krate::higher::Split::split(value);
                let (gradient, hv) = #krate::higher::Split::split(gradient);
                (value, gradient, hv)
            }
        }
    }

    /// `f_hessian(x..)`: one `f_hvp` per active input float, along its unit direction.
    fn hessian(&self, gradient: &TokenStream) -> TokenStream {
        let func = self.func;
        let (vis, cfgs, float, hessian, hvp, grad) =
            (&func.vis, &func.cfgs, &func.float, &func.names.hessian, &func.names.hvp, &func.names.grad);
        let (krate, generics, allow) = (&func.krate, func.generics(&[]), allow());
        let (params, args, layout, total, i) = (self.params(), self.args(), self.layout(), &self.total, &self.index);
        let (rows, first) = (&self.locals.rows, &self.locals.first);
        let units = func.params.iter().zip(&self.directions).zip(&self.offsets).filter_map(|((p, v), o)| {
            let (v, o, x) = (v.as_ref()?, o.as_ref()?, &p.ident);
            Some(match p.shape {
                Shape::Scalar => quote!(let #v = #krate::higher::unit_scalar::<#float>(#i, #o);),
                Shape::Array => quote!(let #v = #krate::higher::unit_array::<#float, _>(#i, #o);),
                _ => quote!(let #v = #krate::higher::unit_slice::<#float>(#i, #o, #x.len());),
            })
        });
        let direction_args = func.params.iter().zip(&self.directions).filter_map(|(p, v)| {
            let v = v.as_ref()?;
            Some(if p.shape == Shape::Slice { quote!(&#v) } else { quote!(#v) })
        });
        let doc = format!(
            "Value, gradient and Hessian of [`{}()`]: the Hessian over the active parameters' floats flattened in order, `hessian[(i, j)] = ∂²f/∂xᵢ∂xⱼ`, one [`{hvp}()`] per float (for small inputs).\n\nGenerated by `#[differentiable]` for a function generic over its float type.",
            func.ident
        );
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #allow
            #vis fn #hessian #generics(#(#params),*) -> (#float, #gradient, #krate::dense::Matrix<#float>) {
                #layout
                let mut #rows = #krate::dense::Matrix::zeros(#total, #total);
                let mut #first = ::core::option::Option::None;
                for #i in 0..#total {
                    #(#units)*
                    let (value, gradient, hv) = #hvp(#(#args,)* #(#direction_args),*);
                    #rows.row_mut(#i).copy_from_slice(&#krate::higher::flat(hv));
                    #first.get_or_insert((value, gradient));
                }
                let (value, gradient) = match #first {
                    ::core::option::Option::Some(first) => first,
                    ::core::option::Option::None => #grad(#(#args),*),
                };
                (value, gradient, #rows)
            }
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
                let x = &p.ident;
                match (o, &p.shape) {
                    (Some(o), Shape::Scalar) => {
                        quote!(let #x = #krate::higher::lanes_scalar::<#float, K>(#x, #o, #start);)
                    }
                    (Some(o), Shape::Array) => {
                        quote!(let #x = #krate::higher::lanes_array::<#float, K, _>(#x, #o, #start);)
                    }
                    (Some(o), _) => quote!(let #x = #krate::higher::lanes_slice::<#float, K>(#x, #o, #start);),
                    (None, Shape::Scalar) if is_float(p) => {
                        quote!(let #x = #krate::higher::constant_lanes::<#float, K>(#x);)
                    }
                    (None, Shape::Array) => quote!(let #x = #krate::higher::constant_array_lanes::<#float, K, _>(#x);),
                    (None, _) if is_float(p) => quote!(let #x = #krate::higher::constant_slice_lanes::<#float, K>(#x);),
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
                Some(match p.shape {
                    Shape::Scalar => quote!(#row[#o] = #d;),
                    _ => quote!(#row[#o..#o + #d.len()].copy_from_slice(&#d);),
                })
            })
            .collect()
    }

    /// `f_jacobian(x..)`: the primal on duals, up to 32 input directions per pass.
    fn jacobian(&self) -> TokenStream {
        let func = self.func;
        let (vis, cfgs, float, jacobian, ident) =
            (&func.vis, &func.cfgs, &func.float, &func.names.jacobian, &func.ident);
        let (krate, generics, allow, out) = (&func.krate, func.generics(&[]), allow(), func.output_type());
        let (params, args, layout, total) = (self.params(), self.args(), self.layout(), &self.total);
        let Locals { start, jacobian: jac, result, value, outputs, pass, by_rows, .. } = &self.locals;
        let lifted = self.lifted(start);
        let dual_args = func.params.iter().map(|p| {
            let x = &p.ident;
            if is_float(p) && is_reference(p) { quote!(&#x) } else { quote!(#x) }
        });
        let generics_inner = quote!(<#float: #krate::float::Float, const K: usize>);
        let reverse = self.reverse_rows();
        let doc = format!(
            "Value and Jacobian of [`{ident}()`]: `jacobian[(i, j)]` is the derivative of the `i`-th float of the result with respect to the `j`-th of the active parameters' floats flattened in order.\n\nBy forward mode on dual numbers carrying up to 32 directions per pass (one primal evaluation per 32 input floats, whatever the number of results), or, when the result holds fewer than a quarter as many floats as the inputs, by one reverse pass per result float. Generated by `#[differentiable]` for a function generic over its float type."
        );
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #allow
            #vis fn #jacobian #generics(#(#params),*) -> (#out, #krate::dense::Matrix<#float>) {
                fn #pass #generics_inner(#(#params,)* #start: usize, #jac: &mut ::core::option::Option<#krate::dense::Matrix<#float>>) -> #out {
                    #layout
                    #(#lifted)*
                    let #result = #ident(#(#dual_args),*);
                    #krate::higher::columns(&#result, #start, #total, #jac)
                }
                #reverse
                #layout
                // Few results of many inputs: one vjp per result float.
                let #outputs = <#out as #krate::higher::UnitSeed>::LEN;
                if #outputs * 4 < #total {
                    return #by_rows(#(#args,)* #outputs, #total);
                }
                let mut #jac = ::core::option::Option::None;
                let #value = match #total {
                    0 => {
                        let #value = #ident(#(#args),*);
                        #jac = ::core::option::Option::Some(#krate::dense::Matrix::zeros(#krate::higher::flat(#value).len(), 0));
                        #value
                    }
                    1 => #pass::<#float, 1>(#(#args,)* 0, &mut #jac),
                    2..=4 => #pass::<#float, 4>(#(#args,)* 0, &mut #jac),
                    5..=8 => #pass::<#float, 8>(#(#args,)* 0, &mut #jac),
                    9..=16 => #pass::<#float, 16>(#(#args,)* 0, &mut #jac),
                    _ => {
                        let #value = #pass::<#float, 32>(#(#args,)* 0, &mut #jac);
                        let mut #start = 32;
                        while #start < #total {
                            #pass::<#float, 32>(#(#args,)* #start, &mut #jac);
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
        let (params, layout, total) = (self.params(), self.layout(), &self.total);
        let active: Vec<(&Param, &Ident, &Ident)> = func
            .params
            .iter()
            .zip(&self.directions)
            .zip(&self.offsets)
            .filter_map(|((p, d), o)| Some((p, d.as_ref()?, o.as_ref()?)))
            .collect();
        let shadows = active.iter().filter(|(p, ..)| p.shape == Shape::Slice).map(|(p, d, _)| {
            let x = &p.ident;
            quote!(let mut #d = ::std::vec![#float::ZERO; #x.len()];)
        });
        let by_value: Vec<&Ident> =
            active.iter().filter(|(p, ..)| p.shape != Shape::Slice).map(|(_, d, _)| *d).collect();
        let pattern = super::public::tuple(by_value.iter().map(|d| quote!(#d)).collect());
        let vjp_args = func.params.iter().zip(&self.directions).map(|(p, d)| {
            let x = &p.ident;
            match (d, &p.shape) {
                (Some(d), Shape::Slice) => quote!(#x, &mut #d),
                _ => quote!(#x),
            }
        });
        let Locals { jacobian, value, result: v, row, seed, outputs, by_rows, .. } = &self.locals;
        let j = &self.index;
        let copies = self.row_copies(row);
        let generics = func.generics(&[]);
        quote! {
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
    fn jacobian_of_outputs(&self) -> TokenStream {
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
            let x = &p.ident;
            match p.shape {
                Shape::Out => quote!(&mut #x),
                _ if is_float(p) && is_reference(p) => quote!(&#x),
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
            (p.shape == Shape::Slice).then(|| quote!(let mut #d = ::std::vec![#float::ZERO; #x.len()];))
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
            .filter(|(p, _)| input(p) && p.shape != Shape::Slice)
            .filter_map(|(_, d)| d.as_ref())
            .collect();
        let pattern = super::public::tuple(by_value.iter().map(|d| quote!(#d)).collect());
        let vjp_args = func.params.iter().zip(&self.directions).map(|(p, d)| {
            let x = &p.ident;
            match (d, &p.shape) {
                (Some(d), Shape::Slice) => quote!(#x, &mut #d),
                (_, Shape::Out) => {
                    let (d, _) = &out_shadows[outs.iter().position(|o| *o == x).unwrap_or(0)];
                    quote!(#x, &mut #d)
                }
                _ => quote!(#x),
            }
        });
        let copies_back = self.row_copies(row);
        let doc = format!(
            "Writes the outputs of [`{ident}()`] as it does, and returns their Jacobian: `jacobian[(i, j)]` is the derivative of the `i`-th float of the `&mut` outputs (in parameter order) with respect to the `j`-th of the active inputs' floats flattened in order.\n\nBy forward mode on dual numbers, up to 32 directions per pass, or, when the outputs hold fewer than a quarter as many floats as the inputs, by one reverse pass per output float. Generated by `#[differentiable]` for a function generic over its float type."
        );
        let generics_inner = quote!(<#float: #krate::float::Float, const K: usize>);
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #allow
            #vis fn #jacobian #generics(#(#params),*) -> #krate::dense::Matrix<#float> {
                fn #pass #generics_inner(#(#params,)* #start: usize, #jac: &mut ::core::option::Option<#krate::dense::Matrix<#float>>) {
                    #layout
                    #(#keep)*
                    #(#lifted)*
                    #(#dual_outs)*
                    #ident(#(#dual_args),*);
                    let _ = #krate::higher::columns(&#results, #start, #total, #jac);
                    #(#copies)*
                }
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
                #layout
                let #outputs = 0usize #(+ #count)*;
                if #outputs * 4 < #total {
                    return #by_rows(#(#args,)* #outputs, #total);
                }
                let mut #jac = ::core::option::Option::None;
                match #total {
                    0 => {
                        #ident(#(#args),*);
                        #jac = ::core::option::Option::Some(#krate::dense::Matrix::zeros(#outputs, 0));
                    }
                    1 => #pass::<#float, 1>(#(#args,)* 0, &mut #jac),
                    2..=4 => #pass::<#float, 4>(#(#args,)* 0, &mut #jac),
                    5..=8 => #pass::<#float, 8>(#(#args,)* 0, &mut #jac),
                    9..=16 => #pass::<#float, 16>(#(#args,)* 0, &mut #jac),
                    _ => {
                        let mut #start = 0;
                        while #start < #total {
                            #pass::<#float, 32>(#(#args,)* #start, &mut #jac);
                            #start += 32;
                        }
                    }
                }
                #jac.unwrap_or_else(|| #krate::dense::Matrix::zeros(#outputs, #total))
            }
        }
    }
}

/// A constant parameter of the float type or a slice of it, which the dual code takes as
/// duals; other constants (sizes, flags) pass unchanged.
fn is_float(p: &Param) -> bool {
    matches!(crate::ast::classify(&p.ty), Kind::Float(_) | Kind::Array(_, Shape::Slice | Shape::Array))
}

fn is_reference(p: &Param) -> bool {
    matches!(p.ty, syn::Type::Reference(_))
}
