//! The public companions `f_grad`, `f_vjp` and `f_jvp` written beside `f`: thin wrappers
//! over its protocol (the contract in DESIGN.md).

use super::{allow, gradient_slot_type, tangent_type};
use crate::ast::{Function, Param, Returns, Shape};
use crate::code;
use crate::names::Names;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::Ident;

/// `f_grad`, `f_vjp`, `f_jvp`: thin wrappers over the protocol that keep the active
/// parameters only.
pub(super) fn companions(func: &Function, inline: &TokenStream, fused: Option<&TokenStream>) -> TokenStream {
    let companions = Companions::new(func, inline);
    let (float, out) = (&func.float, func.output_type());
    let (grad_items, by_value) = (companions.grad_items(), companions.by_value());
    let gradient_type = tuple(grad_items.iter().map(|(_, t)| t.clone()).collect());
    let vjp_type = tuple(by_value.iter().map(|(_, t)| t.clone()).collect());
    // `f_grad` is the gradient of a scalar; a vector result has a vjp and a jvp only.
    let stubs = match (func.method, crate::nested::protocols(func)) {
        (true, _) => TokenStream::new(),
        (false, Some(protocols)) => protocols,
        (false, None) => crate::nested::stubs(
            func,
            quote!((#float, #gradient_type)),
            quote!((#out, #vjp_type)),
            quote!((#out, #out)),
        ),
    };
    let grad_fn = match func.returns {
        Returns::Scalar => companions.grad(&grad_items, &by_value),
        _ => TokenStream::new(),
    };
    let vjp_fn = companions.vjp(&by_value, fused);
    let jvp_fn = companions.jvp();
    let higher = super::higher::companions(func, &companions);
    quote! {
        #stubs
        #grad_fn
        #vjp_fn
        #jvp_fn
        #higher
    }
}

/// What the public companions share: the derivative name of each active parameter and the
/// names of their locals, none of which may clash with a parameter's.
pub(super) struct Companions<'a> {
    func: &'a Function,
    inline: &'a TokenStream,
    derivs: Vec<Option<Ident>>,
    seed: Ident,
    value: Ident,
    pullback: Ident,
    docs: Docs,
}

/// The doc comments of `f_grad`, `f_vjp` and `f_jvp`.
struct Docs {
    grad: String,
    vjp: String,
    jvp: String,
}

impl<'a> Companions<'a> {
    /// Allocates the names, in a fixed order: another order would rename what they write.
    pub(super) fn new(func: &'a Function, inline: &'a TokenStream) -> Self {
        let mut names = Names::new(func.params.iter().map(|p| p.ident.to_token_stream()).collect());
        for p in &func.params {
            names.user(&p.ident);
        }
        let derivs: Vec<Option<Ident>> =
            func.params.iter().map(|p| p.active.then(|| code::derivative_name(&p.ident, &mut names))).collect();
        let seed = names.fresh("seed", proc_macro2::Span::call_site());
        let value = names.fresh("value", proc_macro2::Span::call_site());
        let pullback = names.fresh("pullback", proc_macro2::Span::call_site());
        let docs = docs(func, &seed);
        Companions { func, inline, derivs, seed, value, pullback, docs }
    }

    /// Each parameter with its derivative's name, if active.
    fn params(&self) -> impl Iterator<Item = (&'a Param, &Option<Ident>)> {
        self.func.params.iter().zip(&self.derivs)
    }

    /// f_grad: every active parameter's gradient, slices as `Vec`, with its type.
    pub(super) fn grad_items(&self) -> Vec<(TokenStream, TokenStream)> {
        let float = &self.func.float;
        self.params()
            .filter_map(|(p, d)| {
                let d = d.as_ref().filter(|_| p.shape != Shape::Out)?;
                let ty = match p.shape {
                    Shape::Slice => quote!(::std::vec::Vec<#float>),
                    Shape::Struct => p.referent().to_token_stream(),
                    Shape::Nested => match (p.referent(), crate::ast::nested_row(&p.ty).and_then(|(_, n)| n)) {
                        (syn::Type::Array(a), _) => quote!(#a),
                        (_, Some(n)) => quote!(::std::vec::Vec<[#float; #n]>),
                        (_, None) => quote!(::std::vec::Vec<::std::vec::Vec<#float>>),
                    },
                    _ => gradient_slot_type(p, float),
                };
                Some((quote!(#d), ty))
            })
            .collect()
    }

    /// f_vjp: the gradients of the by-value parameters, with their types.
    fn by_value(&self) -> Vec<(TokenStream, TokenStream)> {
        self.params()
            .filter(|(p, d)| d.is_some() && matches!(p.shape, Shape::Scalar | Shape::Array | Shape::Tuple(_)))
            .map(|(p, d)| (quote!(#d), gradient_slot_type(p, &self.func.float)))
            .collect()
    }

    /// `f_grad`: `f_vjp` with a seed of one, shadows allocated for the slices.
    fn grad(&self, grad_items: &[(TokenStream, TokenStream)], by_value: &[(TokenStream, TokenStream)]) -> TokenStream {
        let (func, inline, allow, value) = (self.func, self.inline, allow(), &self.value);
        let (vis, float, cfgs, grad, vjp) = (&func.vis, &func.float, &func.cfgs, &func.names.grad, &func.names.vjp);
        let (grad_doc, generics) = (&self.docs.grad, func.generics(&[]));
        let signature: Vec<_> = func
            .params
            .iter()
            .map(|p| {
                let (x, ty) = (&p.ident, &p.ty);
                quote!(#x: #ty)
            })
            .collect();
        let vjp_path = if func.method { quote!(Self::#vjp) } else { quote!(#vjp) };
        let gradient_type = tuple(grad_items.iter().map(|(_, t)| t.clone()).collect());
        let gradient = tuple(grad_items.iter().map(|(d, _)| d.clone()).collect());
        let vjp_pattern = tuple(by_value.iter().map(|(d, _)| d.clone()).collect());
        let grad_setup = self.params().map(|(p, d)| match (d, &p.shape) {
            (Some(d), Shape::Slice | Shape::Out) => {
                let x = &p.ident;
                quote!(let mut #d = ::std::vec![0.0; #x.len()];)
            }
            (Some(d), Shape::Struct) => {
                let (x, krate) = (&p.ident, &self.func.krate);
                quote!(let mut #d = #krate::differentiable::Differentiable::zeros_like(#x);)
            }
            (Some(d), Shape::Nested) => {
                let (x, krate) = (&p.ident, &self.func.krate);
                match (p.referent(), crate::ast::nested_row(&p.ty).and_then(|(_, n)| n)) {
                    (syn::Type::Array(a), n) => {
                        let m = &a.len;
                        quote!(let mut #d = [[0.0; #n]; #m];)
                    }
                    (_, Some(n)) => quote!(let mut #d = ::std::vec![[0.0; #n]; #x.len()];),
                    (_, None) => quote!(let mut #d = #krate::__private::zero_rows(#x);),
                }
            }
            _ => TokenStream::new(),
        });
        let grad_args = self.params().map(|(p, d)| {
            let x = &p.ident;
            match (d, &p.shape) {
                (Some(d), Shape::Slice | Shape::Out | Shape::Struct | Shape::Nested) => quote!(#x, &mut #d),
                _ => quote!(#x),
            }
        });
        quote! {
            #(#cfgs)*
            #[doc = #grad_doc]
            #inline
            #allow
            #vis fn #grad #generics(#(#signature),*) -> (#float, #gradient_type) {
                #(#grad_setup)*
                let (#value, #vjp_pattern) = #vjp_path(#(#grad_args,)* 1.0);
                (#value, #gradient)
            }
        }
    }

    /// `f_vjp`: the pullback called once, with the seed and the slices' shadows; or, when
    /// the sweeps can be one, the `fused` closure that runs both.
    fn vjp(&self, by_value: &[(TokenStream, TokenStream)], fused: Option<&TokenStream>) -> TokenStream {
        let (func, inline, allow, seed, value, pullback) =
            (self.func, self.inline, allow(), &self.seed, &self.value, &self.pullback);
        let (vis, float, cfgs, vjp) = (&func.vis, &func.float, &func.cfgs, &func.names.vjp);
        let protocol_pullback = func.protocol("pullback");
        let (vjp_doc, generics) = (&self.docs.vjp, func.generics(&[]));
        let args: Vec<_> = func.params.iter().map(|p| &p.ident).collect();
        let vjp_type = tuple(by_value.iter().map(|(_, t)| t.clone()).collect());
        let vjp_gradient = tuple(by_value.iter().map(|(d, _)| d.clone()).collect());
        let slots = self.params().map(|(p, d)| match (d, &p.shape) {
            (Some(d), Shape::Scalar | Shape::Array | Shape::Tuple(_)) => quote!(#d),
            _ => quote!(_),
        });
        let shadows = self.params().map(|(p, d)| match (d, &p.shape) {
            (Some(d), Shape::Slice | Shape::Out | Shape::Struct | Shape::Nested) => quote!(#d),
            _ => quote!(()),
        });
        let vjp_params = self.params().map(|(p, d)| {
            let (x, ty) = (&p.ident, &p.ty);
            match (d, &p.shape) {
                (Some(d), Shape::Slice | Shape::Out) => quote!(#x: #ty, #d: &mut [#float]),
                (Some(d), Shape::Struct | Shape::Nested) => {
                    let s = p.referent();
                    quote!(#x: #ty, #d: &mut #s)
                }
                _ => quote!(#x: #ty),
            }
        });
        let out = func.output_type();
        let slots: Vec<TokenStream> = slots.collect();
        let shadows: Vec<TokenStream> = shadows.collect();
        // A function that only writes `&mut` outputs takes no seed: its shadows carry it.
        let (seed_param, seed_arg) = match func.returns {
            Returns::Unit => (TokenStream::new(), quote!(())),
            _ => (quote!(#seed: #out), quote!(#seed)),
        };
        let body = match fused {
            // Every adjoint is wanted (see `__private::Wanted`).
            Some(fused) => {
                // Uses the function, as the pullback does, so that it raises no dead-code warning.
                let (ident, float) = (&func.ident, func.generic.as_ref().map(|g| &g.ident).map(|f| quote!(::<#f>)));
                quote! {
                let _ = #ident #float;
                const __WANTED: u64 = u64::MAX;
                let #pullback = #fused;
                let (#value, (#(#slots,)*)) = #pullback(#seed_arg, (#(#shadows,)*));
                }
            }
            None => quote! {
                let (#value, #pullback) = #protocol_pullback(#(#args),*);
                let (#(#slots,)*) = #pullback(#seed_arg, (#(#shadows,)*));
            },
        };
        quote! {
            #(#cfgs)*
            #[doc = #vjp_doc]
            #inline
            #allow
            #vis fn #vjp #generics(#(#vjp_params,)* #seed_param) -> (#out, #vjp_type) {
                #body
                (#value, #vjp_gradient)
            }
        }
    }

    /// `f_jvp`: the protocol's `tangent`, with `()` for a constant's tangent.
    fn jvp(&self) -> TokenStream {
        let (func, inline, allow) = (self.func, self.inline, allow());
        let (vis, float, cfgs, jvp) = (&func.vis, &func.float, &func.cfgs, &func.names.jvp);
        let protocol_tangent = func.protocol("tangent");
        let (jvp_doc, generics) = (&self.docs.jvp, func.generics(&[]));
        let jvp_params = self.params().map(|(p, d)| {
            let (x, ty) = (&p.ident, &p.ty);
            match d {
                Some(d) => {
                    let t = tangent_type(p, float);
                    quote!(#x: #ty, #d: #t)
                }
                None => quote!(#x: #ty),
            }
        });
        let jvp_args = self.params().map(|(p, d)| {
            let x = &p.ident;
            match d {
                Some(d) => quote!(#x, #d),
                None => quote!(#x, ()),
            }
        });
        let out = func.output_type();
        quote! {
            #(#cfgs)*
            #[doc = #jvp_doc]
            #inline
            #allow
            #vis fn #jvp #generics(#(#jvp_params),*) -> (#out, #out) {
                #protocol_tangent(#(#jvp_args),*)
            }
        }
    }
}

/// One item as itself, several as a tuple.
pub(super) fn tuple(items: Vec<TokenStream>) -> TokenStream {
    if items.len() == 1 { items[0].clone() } else { quote!((#(#items),*)) }
}

/// The companions' doc comments, naming the active parameters and the seed.
fn docs(func: &Function, seed: &Ident) -> Docs {
    let (ident, vjp, jvp) = (&func.ident, &func.names.vjp, &func.names.jvp);
    let args: Vec<_> = func.params.iter().map(|p| &p.ident).collect();
    let wrt: Vec<String> = func.active().map(|p| format!("`{}`", p.ident)).collect();
    let wrt = wrt.join(", ");
    let call = format!("{ident}({})", args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "));
    let partials: Vec<String> = func.active().map(|p| format!("∂{ident}/∂{}", p.ident)).collect();
    let partials = if partials.len() == 1 { partials[0].clone() } else { format!("({})", partials.join(", ")) };
    let tangent_args: Vec<String> = func.active().map(|p| format!("d{}", p.ident)).collect();
    let grad = format!(
        "Value and gradient of [`{ident}()`] with respect to {wrt} (reverse mode).\n\nReturns `({call}, {partials})`. Generated by `#[differentiable]`; [`{vjp}()`] is the same with a seed, [`{jvp}()`] is forward mode."
    );
    // Buffers lent for gradients are added into, not overwritten: say so where there are any.
    let lent: Vec<String> = func
        .active()
        .filter(|p| matches!(p.shape, Shape::Slice | Shape::Struct | Shape::Nested))
        .map(|p| format!("`{}`", p.ident))
        .collect();
    let added = match lent.is_empty() {
        true => String::new(),
        false => format!(
            "\n\nThe gradients of {} are **added** into the buffers passed after them (`{seed}` times the gradient), so one buffer can collect several calls' gradients: pass zeros for the gradient alone.",
            lent.join(", ")
        ),
    };
    let vjp = format!(
        "Value of [`{ident}()`] and `{seed}` times its gradient with respect to {wrt} (reverse mode, vector-Jacobian product).\n\n`{seed}` is the adjoint of the result: the derivative of some later quantity with respect to `{call}`.{added} Generated by `#[differentiable]`."
    );
    let jvp = format!(
        "Value of [`{ident}()`] and its directional derivative along ({}) (forward mode, Jacobian-vector product).\n\nEach active parameter is followed by its tangent. Generated by `#[differentiable]`.",
        tangent_args.join(", ")
    );
    Docs { grad, vjp, jvp }
}
