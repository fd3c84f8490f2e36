//! The higher-order companions of a function generic over its float type, each the
//! first-order code run on dual numbers (`runtime/src/dual.rs`):
//! - `f_hvp(x.., v..)`: value, gradient and Hessian-vector product, `f_grad` on duals whose
//!   tangents are `v` (forward over reverse);
//! - `f_hessian(x..)`: value, gradient and the dense Hessian over the active floats
//!   flattened, one `f_hvp` per input float;
//! - `f_jacobian`, in `jacobian`.
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

/// Whether `func` gets higher-order companions (`f_hvp`, ...): a generic function, not a
/// method, of parameters the dual code can pass on.
pub fn written(func: &Function) -> bool {
    // A method is generic over its `impl` block's float type, whose type names it at duals.
    let generic = match func.method {
        true => func.generic.is_none() && func.block_type.is_some(),
        false => func.generic.is_some(),
    };
    if !generic {
        return false;
    }
    let outputs = matches!(func.returns, Returns::Unit);
    // A struct (generic over the float type, `p: &Mlp<F>`) is rebuilt on duals by its
    // derive's `Retype`.
    let supported = func.active().all(|p| match p.shape {
        Shape::Scalar | Shape::Slice | Shape::Array => true,
        Shape::Out => outputs,
        Shape::Struct => true,
        _ => false,
    });
    // The dual code passes a constant on as duals when it is a float, a float array or a
    // slice of them, and unchanged when its type does not mention the float type; any other
    // constant (a `#[no_grad] data: &Data<F>`) would need converting, which is not written:
    // then there are no higher-order companions, rather than ones that do not compile.
    let float_param = func.float.to_string();
    let convertible =
        func.params.iter().filter(|p| !p.active).all(|p| is_float(p, &func.float) || !mentions(&p.ty, &float_param));
    supported && convertible
}

pub(super) fn companions(func: &Function, first: &Companions) -> TokenStream {
    if !written(func) {
        return TokenStream::new();
    }
    let higher = Higher::new(func);
    let (float, names, n, krate) = (&func.float, &func.names, func.params.len(), &func.krate);
    let (matrix, refused) = (quote!(#krate::dense::Matrix<#float>), quote!(NestedMatrix));
    match func.returns {
        Returns::Scalar => {
            let gradient = tuple(first.grad_items().into_iter().map(|(_, t)| t).collect());
            let (hvp, hessian) = (higher.hvp(&gradient), higher.hessian(&gradient));
            if func.method {
                // An `impl` block cannot hold the stubs' structs (a method's companions are
                // not callable inside differentiable code).
                return quote!(#hvp #hessian);
            }
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
            let jacobian = higher.jacobian();
            if func.method {
                return jacobian;
            }
            let stub = crate::nested::stub(func, &names.jacobian, n, quote!((#out, #matrix)), &refused);
            quote!(#jacobian #stub)
        }
        Returns::Unit => {
            let jacobian = higher.jacobian_of_outputs();
            if func.method {
                return jacobian;
            }
            let stub = crate::nested::stub(func, &names.jacobian, n, matrix, &refused);
            quote!(#jacobian #stub)
        }
    }
}

/// An active parameter that is an input, not a `&mut` output.
pub(super) fn input(p: &Param) -> bool {
    p.active && p.shape != Shape::Out
}

pub(super) struct Higher<'a> {
    pub(super) func: &'a Function,
    /// Each active parameter's direction in `f_hvp`.
    pub(super) directions: Vec<Option<Ident>>,
    /// Each active parameter's offset among the active floats flattened, and the total.
    pub(super) offsets: Vec<Option<Ident>>,
    pub(super) total: Ident,
    pub(super) index: Ident,
    /// The companions' own locals, none of which may shadow a parameter.
    pub(super) locals: Locals,
}

pub(super) struct Locals {
    pub(super) rows: Ident,
    pub(super) first: Ident,
    pub(super) start: Ident,
    pub(super) jacobian: Ident,
    pub(super) result: Ident,
    pub(super) value: Ident,
    pub(super) row: Ident,
    pub(super) seed: Ident,
    pub(super) outputs: Ident,
    /// The inner functions of `f_jacobian`: one forward pass, all the reverse passes.
    pub(super) pass: Ident,
    pub(super) by_rows: Ident,
    /// `self` on duals (`self` cannot be shadowed).
    pub(super) receiver: Ident,
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
            // A method's are items of its `impl` block, named after it.
            pass: match func.method {
                true => quote::format_ident!("__{}_pass", func.names.jacobian),
                false => names.fresh("pass", span),
            },
            by_rows: match func.method {
                true => quote::format_ident!("__{}_rows", func.names.jacobian),
                false => names.fresh("by_rows", span),
            },
            receiver: names.fresh("__self", span),
        };
        Higher { func, directions, offsets, total, index, locals }
    }

    pub(super) fn params(&self) -> Vec<TokenStream> {
        self.func
            .params
            .iter()
            .map(|p| {
                let (x, ty) = (&p.ident, &p.ty);
                quote!(#x: #ty)
            })
            .collect()
    }

    /// A parameter's name once lifted to duals: its own, but `self`'s.
    pub(super) fn on_duals<'b>(&'b self, x: &'b Ident) -> &'b Ident {
        if x == "self" { &self.locals.receiver } else { x }
    }

    /// The bound under which each struct parameter runs on duals, its derive's `Retype`, as
    /// a where clause: a struct without it is then `Retype`'s error where `f_hvp` is called,
    /// not one where it is written. (Empty without struct parameters.)
    fn struct_bounds(&self) -> TokenStream {
        let bounds = self.struct_bounds_at(&[quote!(1)]);
        if bounds.is_empty() { TokenStream::new() } else { quote!(where #(#bounds),*) }
    }

    /// The same bounds, one per struct parameter and lane count in `lanes`.
    pub(super) fn struct_bounds_at(&self, lanes: &[TokenStream]) -> Vec<TokenStream> {
        let (func, krate) = (self.func, &self.func.krate);
        let f = &func.float;
        let structs = func.active().filter(|p| p.shape == Shape::Struct);
        structs
            .flat_map(|p| {
                let s = p.referent();
                lanes.iter().map(move |k| {
                    let dual = match (&func.block_type, s) {
                        (Some(block), syn::Type::Path(q)) if q.path.is_ident("Self") => at_duals(block, func, k),
                        _ => at_duals(s, func, k),
                    };
                    quote!(#s: #krate::differentiable::Retype<#f, #krate::dual::Dual<#f, #k>, As = #dual>)
                })
            })
            .collect()
    }

    /// The gradient on duals split into values and tangents, part by part (a struct's by its
    /// `Retype`): the pattern binding it, the splits, and the two results.
    fn split_gradient(&self) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
        let (func, krate, f) = (self.func, &self.func.krate, &self.func.float);
        let inputs: Vec<&Param> = func.active().collect();
        let parts: Vec<Ident> = (0..inputs.len()).map(|k| quote::format_ident!("__gradient{k}")).collect();
        let tangents: Vec<Ident> = (0..inputs.len()).map(|k| quote::format_ident!("__hv{k}")).collect();
        let splits = inputs.iter().zip(parts.iter().zip(&tangents)).map(|(p, (g, h))| match p.shape {
            Shape::Struct => {
                let s = p.referent();
                quote!(let (#g, #h) = #krate::higher::split_struct::<#f, #s>(#g);)
            }
            _ => quote!(let (#g, #h) = #krate::higher::Split::split(#g);),
        });
        let pattern = tuple(parts.iter().map(|g| quote!(#g)).collect());
        let values = pattern.clone();
        let hv = tuple(tangents.iter().map(|h| quote!(#h)).collect());
        (pattern, quote!(#(#splits)*), values, hv)
    }

    pub(super) fn args(&self) -> Vec<&Ident> {
        self.func.params.iter().map(|p| &p.ident).collect()
    }

    /// `let` statements giving each active parameter its offset, and the total.
    pub(super) fn layout(&self) -> TokenStream {
        let mut out = TokenStream::new();
        let mut at = quote!(0usize);
        for (p, o) in self.func.params.iter().zip(&self.offsets) {
            let Some(o) = o else { continue };
            let x = &p.ident;
            out.extend(quote!(let #o = #at;));
            let krate = &self.func.krate;
            let len = match p.shape {
                Shape::Scalar => quote!(1usize),
                Shape::Struct => quote!(#krate::differentiable::Differentiable::float_count(#x)),
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
        let (params, bounds) = (self.params(), self.struct_bounds());
        let (pattern, splits, gradient_values, hv) = self.split_gradient();
        // A method's `f_grad` at duals is the block's type's at duals.
        let dual_grad = match &func.block_type {
            Some(ty) => {
                let ty = at_duals(ty, func, &quote!(1));
                quote!(<#ty>::#grad)
            }
            None => quote!(#grad),
        };
        let directions = func.params.iter().zip(&self.directions).filter_map(|(p, v)| {
            let v = v.as_ref()?;
            let t = tangent_type(p, float);
            Some(quote!(#v: #t))
        });
        let lifts = func.params.iter().zip(&self.directions).map(|(p, v)| {
            let (x, lifted) = (&p.ident, self.on_duals(&p.ident));
            match v {
                Some(v) if p.shape == Shape::Struct => quote!(let #lifted = #krate::higher::lift_struct(#x, #v);),
                Some(v) => quote!(let #x = #krate::higher::Lift::lift(#x, #v);),
                None if is_float(p, float) => quote!(let #x = #krate::higher::Constant::constant(#x);),
                None => TokenStream::new(),
            }
        });
        let args = func.params.iter().map(|p| {
            let x = self.on_duals(&p.ident);
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
            #vis fn #hvp #generics(#(#params,)* #(#directions),*) -> (#float, #gradient, #gradient) #bounds {
                #(#lifts)*
                let (value, gradient) = #dual_grad(#(#args),*);
                let (value, _) = #krate::higher::Split::split(value);
                let #pattern = gradient;
                #splits
                (value, #gradient_values, #hv)
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
        let bounds = self.struct_bounds();
        let own = |name: &Ident| if func.method { quote!(Self::#name) } else { quote!(#name) };
        let (hvp, grad) = (own(hvp), own(grad));
        let (rows, first) = (&self.locals.rows, &self.locals.first);
        let units = func.params.iter().zip(&self.directions).zip(&self.offsets).filter_map(|((p, v), o)| {
            let (v, o, x) = (v.as_ref()?, o.as_ref()?, &p.ident);
            Some(match p.shape {
                Shape::Scalar => quote!(let #v = #krate::higher::unit_scalar::<#float>(#i, #o);),
                Shape::Array => quote!(let #v = #krate::higher::unit_array::<#float, _>(#i, #o);),
                Shape::Struct => quote!(let #v = #krate::higher::unit_struct(#x, #i, #o);),
                _ => quote!(let #v = #krate::higher::unit_slice::<#float>(#i, #o, #x.len());),
            })
        });
        let direction_args = func.params.iter().zip(&self.directions).filter_map(|(p, v)| {
            let v = v.as_ref()?;
            Some(if matches!(p.shape, Shape::Slice | Shape::Struct) { quote!(&#v) } else { quote!(#v) })
        });
        let doc = format!(
            "Value, gradient and Hessian of [`{}()`]: the Hessian over the active parameters' floats flattened in order, `hessian[(i, j)] = ∂²f/∂xᵢ∂xⱼ`, one [`{hvp}()`] per float (for small inputs).\n\nGenerated by `#[differentiable]` for a function generic over its float type.",
            func.ident
        );
        quote! {
            #(#cfgs)*
            #[doc = #doc]
            #allow
            #vis fn #hessian #generics(#(#params),*) -> (#float, #gradient, #krate::dense::Matrix<#float>) #bounds {
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
}

/// A constant parameter of the function's float type or a slice or array of it, which the
/// dual code takes as duals; other constants (sizes, flags, data of a concrete `f64`) pass
/// unchanged.
pub(super) fn is_float(p: &Param, float: &Ident) -> bool {
    match crate::ast::classify(&p.ty) {
        Kind::Float(f) | Kind::Array(f, Shape::Slice | Shape::Array) => f == *float,
        _ => false,
    }
}

/// `ty` with the float type made dual numbers of it with `lanes` tangents (`Mlp<F>` as
/// `Mlp<Dual<F, 1>>`).
pub(super) fn at_duals(ty: &syn::Type, func: &Function, lanes: &TokenStream) -> TokenStream {
    fn walk(tokens: TokenStream, float: &Ident, dual: &TokenStream) -> TokenStream {
        tokens
            .into_iter()
            .map(|t| match t {
                proc_macro2::TokenTree::Ident(i) if i == *float => dual.clone(),
                proc_macro2::TokenTree::Group(g) => {
                    let mut group = proc_macro2::Group::new(g.delimiter(), walk(g.stream(), float, dual));
                    group.set_span(g.span());
                    quote!(#group)
                }
                t => quote!(#t),
            })
            .collect()
    }
    let (f, krate) = (&func.float, &func.krate);
    walk(ty.to_token_stream(), f, &quote!(#krate::dual::Dual<#f, #lanes>))
}

/// Whether the identifier `name` appears in `ty`.
fn mentions(ty: &syn::Type, name: &str) -> bool {
    fn walk(tokens: TokenStream, name: &str) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == name,
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), name),
            _ => false,
        })
    }
    walk(ty.to_token_stream(), name)
}

pub(super) fn is_reference(p: &Param) -> bool {
    matches!(p.ty, syn::Type::Reference(_))
}
