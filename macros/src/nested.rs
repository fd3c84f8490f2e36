//! The protocols of the public companions (`f_grad`, `f_vjp`, `f_jvp`): a struct of each
//! one's name with `tangent` and `pullback`, so that differentiable code may call them
//! (nested differentiation). Written for functions generic over their float type with scalar
//! and array (by value) parameters and a scalar result (`protocols`), from the first-order
//! companions on dual numbers:
//! - forward over anything: the companion itself run on duals (`g_grad::tangent` is
//!   `g_grad` on `Dual<F, 1>`);
//! - reverse over anything: the Jacobian of `g_grad` (of the gradient) is the Hessian, which
//!   is symmetric, so the pullback of a cotangent `u` of the gradient is `H u`, an `g_hvp`;
//!   those of `g_jvp` and `g_vjp` are Hessian-vector products and gradients likewise, and
//!   that of `g_hvp` adds a third derivative, `g_hvp` itself on duals along the cotangent.
//!
//! Results are flat arrays of floats (`RESULT_LEN`), which a caller reads as it reads any
//! tuple a call returns. Every other function gets stubs (`stubs`) whose `tangent` and
//! `pullback` cannot be called, so that calling its companion is refused with our message
//! on the call, not with rustc's about a protocol that is missing.

use crate::ast::{Function, Returns, Shape};

mod slices;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// The stubs, given each companion's result type (which the stubs return, so that the
/// caller's code has no type errors beside ours).
pub fn stubs(func: &Function, grad: TokenStream, vjp: TokenStream, jvp: TokenStream) -> TokenStream {
    let n = func.params.len();
    let active = func.active().count();
    let shadows = func.active().filter(|p| matches!(p.shape, Shape::Slice | Shape::Out)).count();
    let seed = usize::from(!matches!(func.returns, Returns::Unit));
    let grad = matches!(func.returns, Returns::Scalar).then_some((&func.names.grad, n, grad));
    // A function of slices has a real `g_vjp` and `g_jvp` (see `slices`).
    let (slice_vjp, slice_jvp) = (slices::vjp_protocol(func), slices::jvp_protocol(func));
    let vjp = slice_vjp.is_none().then_some((&func.names.vjp, n + shadows + seed, vjp));
    let jvp = slice_jvp.is_none().then_some((&func.names.jvp, n + active, jvp));
    let companions = grad.into_iter().chain(vjp).chain(jvp);
    let nested = quote!(Nested);
    let stubs: TokenStream = companions.map(|(name, arity, ty)| stub(func, name, arity, ty, &nested)).collect();
    quote!(#stubs #slice_vjp #slice_jvp)
}

/// The stub protocol of one companion `name` of `arity` parameters returning `ty`, whose
/// calls are refused by the never-implemented `__private::#refusal`.
pub fn stub(func: &Function, name: &Ident, arity: usize, ty: TokenStream, refusal: &TokenStream) -> TokenStream {
    let (vis, krate) = (&func.vis, &func.krate);
    let units = vec![quote!(()); arity];
    // Each argument of a call comes with its tangent (forward) or alone (reverse).
    let tangent = params(2 * arity);
    let pullback = params(arity);
    let (t_generics, t_params) = (&tangent.0, &tangent.1);
    let (p_generics, p_params) = (&pullback.0, &pullback.1);
    let t_list = func.generics(&t_generics.iter().map(|g| quote!(#g)).collect::<Vec<_>>());
    let p_list = func.generics(&p_generics.iter().map(|g| quote!(#g)).collect::<Vec<_>>());
    let p_wanted = func
        .generics_around(&p_generics.iter().map(|g| quote!(#g)).collect::<Vec<_>>(), &[quote!(const __WANTED: u64)]);
    protocol_struct(
        func,
        name,
        quote! {
                #[doc(hidden)]
                #vis fn tangent #t_list(#(#t_params),*) -> (#ty, #ty)
                where (#(#t_generics,)*): #krate::__private::#refusal {
                    ::core::unreachable!()
                }

                #[doc(hidden)]
                #vis fn pullback #p_list(#(#p_params),*) -> (#ty, fn(#ty, (#(#units,)*)) -> (#(#units,)*))
                where (#(#p_generics,)*): #krate::__private::#refusal {
                    ::core::unreachable!()
                }

                #[doc(hidden)]
                #vis fn pullback_wanted #p_wanted(
                    #(#p_params,)*
                    _: #krate::__private::Wanted<__WANTED>,
                ) -> (#ty, fn(#ty, (#(#units,)*)) -> (#(#units,)*))
                where (#(#p_generics,)*): #krate::__private::#refusal {
                    ::core::unreachable!()
                }
        },
    )
}

/// `pullback_wanted` of a companion's protocol, which needs no mask (its arrays are by value,
/// or it computes every adjoint by Hessian-vector products): `pullback` whatever the caller
/// wants, for a pullback of `params` returning `value` and a closure `closure`.
fn pullback_wanted(
    func: &Function,
    lifetimes: &[syn::Lifetime],
    params: &[TokenStream],
    value: TokenStream,
    closure: TokenStream,
    args: &[&Ident],
) -> TokenStream {
    let (vis, krate, f) = (&func.vis, &func.krate, &func.float);
    let before: Vec<TokenStream> = lifetimes.iter().map(|l| quote!(#l)).collect();
    let generics = func.generics_around(&before, &[quote!(const __WANTED: u64)]);
    quote! {
        /// The pullback whatever the caller wants.
        #[doc(hidden)]
        #[inline]
        #vis fn pullback_wanted #generics(#(#params,)* _: #krate::__private::Wanted<__WANTED>)
            -> (#value, impl #closure + use<#(#lifetimes,)* #f, __WANTED>) {
            Self::pullback(#(#args),*)
        }
    }
}

/// The hidden struct named like a companion, holding its protocol `items`.
fn protocol_struct(func: &Function, name: &Ident, items: TokenStream) -> TokenStream {
    let (vis, cfgs) = (&func.vis, &func.cfgs);
    quote! {
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #name {}

        #(#cfgs)*
        #[allow(dead_code, clippy::all)]
        impl #name {
            #items
        }
    }
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

/// Whether the companions of `func` have real protocols (see `protocols`).
pub fn differentiable_companions(func: &Function) -> bool {
    let shapes = func.active().all(|p| matches!(p.shape, Shape::Scalar | Shape::Array));
    let by_value = func.params.iter().all(|p| !matches!(p.ty, syn::Type::Reference(_)));
    let ok = func.generic.is_some() && !func.method && matches!(func.returns, Returns::Scalar);
    ok && shapes && by_value && func.active().count() > 0
}

/// A parameter of a companion, in its protocol: its name, its type, whether the protocol
/// differentiates it, and whether it is a float (a constant float is a dual without tangent).
struct Slot {
    name: Ident,
    ty: TokenStream,
    active: bool,
    float: bool,
}

/// The real protocols of `g_grad`, `g_vjp` and `g_jvp`, for a generic function of scalar
/// and array (by value) parameters, constants by value and a scalar result; `None` for any
/// other.
pub fn protocols(func: &Function) -> Option<TokenStream> {
    if !differentiable_companions(func) {
        return None;
    }
    let (f, krate) = (&func.float, &func.krate);
    // Each active parameter's floats in the gradient flattened: where they start, and how
    // many (`None` for a scalar).
    let mut parts = Vec::new();
    let mut at = quote!(0usize);
    for p in func.active() {
        let len = match &p.ty {
            syn::Type::Array(a) if p.shape == Shape::Array => Some(a.len.clone()),
            _ => None,
        };
        parts.push(Part { at: at.clone(), len: len.clone() });
        at = match len {
            Some(n) => quote!(#at + #n),
            None => quote!(#at + 1usize),
        };
    }
    let floats = at;
    // g_jvp's parameters: each of g's, an active one followed by its direction; `roles`
    // says which active parameter each is, and whether it is the direction.
    let (mut grad, mut jvp, mut roles) = (Vec::new(), Vec::new(), Vec::new());
    let mut k = 0usize;
    for (i, p) in func.params.iter().enumerate() {
        let ty = &p.ty;
        let float =
            matches!(crate::ast::classify(ty), crate::ast::Kind::Float(_) | crate::ast::Kind::Array(_, Shape::Array));
        let slot = |name: Ident, active| Slot { name, ty: quote!(#ty), active, float };
        grad.push(slot(format_ident!("a{}", i), p.active));
        jvp.push(slot(format_ident!("a{}", i), p.active));
        roles.push(p.active.then_some((k, false)));
        if p.active {
            jvp.push(slot(format_ident!("d{}", i), true));
            roles.push(Some((k, true)));
            k += 1;
        }
    }
    let mut vjp: Vec<Slot> = grad.iter().map(|s| Slot { name: s.name.clone(), ty: s.ty.clone(), ..*s }).collect();
    vjp.push(Slot { name: format_ident!("seed"), ty: quote!(#f), active: true, float: true });
    let hvp = &func.names.hvp;
    let g_args: Vec<&Ident> = grad.iter().map(|s| &s.name).collect();
    // The gradient `g` and `hu`, the Hessian times `directions`, flattened.
    let hessian_times = |directions: Vec<TokenStream>| {
        quote! {
            let (_, g, hu) = #hvp(#(#g_args,)* #(#directions),*);
            let (g, hu) = (#krate::higher::flat(g), #krate::higher::flat(hu));
        }
    };
    // The directions read from the cotangent `u` after its first float.
    let from_u: Vec<TokenStream> = parts.iter().map(|p| p.read(quote!(u), quote!(1usize), f, krate)).collect();
    // g_grad: the gradient's pullback of [u_value, u_gradient..] is u_value ∇g + H u_gradient.
    let grad_slots = active_slots(&grad, |k| parts[k].each(|i| quote!(u[0] * g[#i] + hu[#i])));
    let grad_pullback = (hessian_times(from_u.clone()), grad_slots);
    // g_jvp(x, v) = (g, ∇g · v): the pullback of [u0, u1] is u0 ∇g + u1 H v for x, u1 ∇g for v.
    let directions = jvp.iter().zip(&roles).filter(|(_, r)| matches!(r, Some((_, true)))).map(|(s, _)| {
        let d = &s.name;
        quote!(#d)
    });
    let jvp_slots = roles
        .iter()
        .map(|r| match r {
            None => quote!(()),
            Some((k, true)) => parts[*k].each(|i| quote!(u[1] * g[#i])),
            Some((k, false)) => parts[*k].each(|i| quote!(u[0] * g[#i] + u[1] * hu[#i])),
        })
        .collect();
    let jvp_pullback = (hessian_times(directions.collect()), jvp_slots);
    // g_vjp(x, s) = (g, s ∇g): the pullback of [u0, u_g..] is u0 ∇g + s H u_g for x, ∇g · u_g for s.
    let mut vjp_slots =
        active_slots(&vjp[..vjp.len() - 1], |k| parts[k].each(|i| quote!(u[0] * g[#i] + seed * hu[#i])));
    vjp_slots.push(quote!((0..#floats).map(|i| g[i] * u[1 + i]).sum::<#f>()));
    let vjp_pullback = (hessian_times(from_u), vjp_slots);
    // g_hvp(x, v) = (g, ∇g, H v): the pullback of [u0, u_g.., u_h..] is, for x,
    // u0 ∇g + H u_g + D_{u_h}(H v) (a third derivative: g_hvp on duals along u_h), and H u_h
    // for v.
    let hvp_slots_in: Vec<Slot> = grad
        .iter()
        .map(|s| Slot { name: s.name.clone(), ty: s.ty.clone(), ..*s })
        .chain(func.params.iter().enumerate().filter(|(_, p)| p.active).map(|(i, p)| {
            let ty = &p.ty;
            Slot { name: format_ident!("v{}", i), ty: quote!(#ty), active: true, float: true }
        }))
        .collect();
    let (hvp_head, hvp_results) = hvp_pullback(func, &grad, &hvp_slots_in, &parts, &floats);
    let names = &func.names;
    let mut out = TokenStream::new();
    let one_more = quote!(1usize + #floats);
    let twice_more = quote!(1usize + 2usize * (#floats));
    for (name, slots, len, (head, results)) in [
        (&names.grad, &grad, one_more.clone(), grad_pullback),
        (&names.jvp, &jvp, quote!(2usize), jvp_pullback),
        (&names.vjp, &vjp, one_more, vjp_pullback),
        (&names.hvp, &hvp_slots_in, twice_more, (hvp_head, hvp_results)),
    ] {
        out.extend(protocol(func, name, slots, len, head, results));
    }
    Some(out)
}

/// The pullback of `g_hvp` (see `protocols`): its head and its gradient slots, for the
/// protocol's `slots` (g's parameters, then the directions).
fn hvp_pullback(
    func: &Function,
    grad: &[Slot],
    slots: &[Slot],
    parts: &[Part],
    floats: &TokenStream,
) -> (TokenStream, Vec<TokenStream>) {
    let (f, krate, hvp) = (&func.float, &func.krate, &func.names.hvp);
    let args: Vec<&Ident> = grad.iter().map(|s| &s.name).collect();
    let u_g: Vec<TokenStream> = parts.iter().map(|p| p.read(quote!(u), quote!(1usize), f, krate)).collect();
    let u_h: Vec<TokenStream> = parts.iter().map(|p| p.read(quote!(u), quote!(1usize + #floats), f, krate)).collect();
    // g_hvp along u_h: each active parameter lifted with its part of u_h, the directions and
    // the float constants duals without tangents.
    let mut k = 0;
    let lifted = grad.iter().map(|s| {
        let a = &s.name;
        match (s.active, s.float) {
            (true, _) => {
                let d = &u_h[k];
                k += 1;
                quote!(#krate::higher::Lift::lift(#a, #d))
            }
            (false, true) => quote!(#krate::higher::Constant::constant(#a)),
            (false, false) => quote!(#a),
        }
    });
    let directions = slots[grad.len()..].iter().map(|s| {
        let v = &s.name;
        quote!(#krate::higher::Constant::constant(#v))
    });
    let head = quote! {
        let (_, g, hug) = #hvp(#(#args,)* #(#u_g),*);
        let (g, hug) = (#krate::higher::flat(g), #krate::higher::flat(hug));
        let (_, _, huh) = #hvp(#(#args,)* #(#u_h),*);
        let huh = #krate::higher::flat(huh);
        let (_, _, third) = #hvp(#(#lifted,)* #(#directions),*);
        let third = #krate::higher::flat(#krate::higher::Split::split(third).1);
    };
    let mut results = active_slots(grad, |k| parts[k].each(|i| quote!(u[0] * g[#i] + hug[#i] + third[#i])));
    results.extend(parts.iter().map(|p| p.each(|i| quote!(huh[#i]))));
    (head, results)
}

/// An active parameter's floats among the gradient's: from `at`, `len` of them (`None`: one,
/// a scalar).
struct Part {
    at: TokenStream,
    len: Option<syn::Expr>,
}

impl Part {
    /// The parameter's value made of its floats, float `i` written by `float(index)`.
    fn each(&self, float: impl Fn(TokenStream) -> TokenStream) -> TokenStream {
        let at = &self.at;
        match &self.len {
            None => float(quote!(#at)),
            Some(_) => {
                let body = float(quote!(#at + i));
                quote!(::core::array::from_fn(|i| #body))
            }
        }
    }

    /// The parameter's part of the floats `v`, after `base` of them.
    fn read(&self, v: TokenStream, base: TokenStream, f: &Ident, krate: &TokenStream) -> TokenStream {
        let at = &self.at;
        match &self.len {
            None => quote!(#v[#base + #at]),
            Some(n) => quote!(#krate::higher::part::<#f, { #n }>(&#v, #base + #at)),
        }
    }
}

/// Each active slot's gradient, `term(k)` for the `k`-th; `()` for a constant.
fn active_slots(slots: &[Slot], term: impl Fn(usize) -> TokenStream) -> Vec<TokenStream> {
    let mut k = 0;
    slots
        .iter()
        .map(|s| {
            if !s.active {
                return quote!(());
            }
            k += 1;
            term(k - 1)
        })
        .collect()
}

/// One companion's protocol: `tangent` runs it on duals; `pullback` computes it and, for a
/// cotangent `u` of its `len` floats, the gradient slots `results` after `head`.
fn protocol(
    func: &Function,
    name: &Ident,
    slots: &[Slot],
    len: TokenStream,
    head: TokenStream,
    results: Vec<TokenStream>,
) -> TokenStream {
    let (vis, krate, f) = (&func.vis, &func.krate, &func.float);
    let generics = func.generics(&[]);
    let tangent_params = slots.iter().map(|s| {
        let (a, ty) = (&s.name, &s.ty);
        match s.active {
            true => {
                let t = format_ident!("t_{}", a);
                quote!(#a: #ty, #t: #ty)
            }
            false => quote!(#a: #ty, _: ()),
        }
    });
    let dual_args = slots.iter().map(|s| {
        let a = &s.name;
        match (s.active, s.float) {
            (true, _) => {
                let t = format_ident!("t_{}", a);
                quote!(#krate::higher::Lift::lift(#a, #t))
            }
            (false, true) => quote!(#krate::higher::Constant::constant(#a)),
            (false, false) => quote!(#a),
        }
    });
    let params: Vec<TokenStream> = slots
        .iter()
        .map(|s| {
            let (a, ty) = (&s.name, &s.ty);
            quote!(#a: #ty)
        })
        .collect();
    let args: Vec<_> = slots.iter().map(|s| &s.name).collect();
    let units: Vec<TokenStream> = slots.iter().map(|_| quote!(())).collect();
    let slot_types: Vec<_> = slots.iter().map(|s| if s.active { s.ty.clone() } else { quote!(()) }).collect();
    let closure = quote!(::core::ops::FnOnce([#f; #len], (#(#units,)*)) -> (#(#slot_types,)*));
    let wanted = pullback_wanted(func, &[], &params, quote!([#f; #len]), closure, &args);
    protocol_struct(
        func,
        name,
        quote! {
                /// How many floats the result holds, flattened.
                #[doc(hidden)]
                #vis const RESULT_LEN: usize = #len;

                /// Forward mode: the companion on dual numbers.
                #[doc(hidden)]
                #[inline]
                #vis fn tangent #generics(#(#tangent_params),*) -> ([#f; #len], [#f; #len]) {
                    let r = #name(#(#dual_args),*);
                    #krate::higher::lanes_of::<#f, { #len }, _>(&r)
                }

                /// Reverse mode: the companion, and its pullback by Hessian-vector products.
                #[doc(hidden)]
                #[inline]
                #vis fn pullback #generics(#(#params),*)
                    -> ([#f; #len], impl ::core::ops::FnOnce([#f; #len], (#(#units,)*)) -> (#(#slot_types,)*) + use<#f>) {
                    let r = #name(#(#args),*);
                    (#krate::higher::array_of::<#f, { #len }, _>(r), move |u: [#f; #len], _: (#(#units,)*)| {
                        #head
                        (#(#results,)*)
                    })
                }

                #wanted
        },
    )
}
