//! The protocols of `g_vjp` and `g_jvp` for a generic function of slices (`fn g<F: Float>(x:
//! &[F], ..) -> F`), so that differentiable code may call `g_vjp(x, &mut gx, seed)` (a
//! gradient added into a buffer of the caller's: `g_grad`, whose gradient is a `Vec` of runtime
//! length, cannot be a call result the caller keeps) and `g_jvp(x, dx)`. `g_vjp` adds `seed ∇g(x)` into each shadow
//! and returns `g(x)`, so, with `H` the Hessian (symmetric):
//! - forward: the tangent of a shadow is `ṡeed ∇g + seed H ẋ`, the value's `∇g · ẋ`
//!   (`g_hvp` along `ẋ`);
//! - reverse: a shadow's adjoint `ū` passes through unchanged (it is added into), and `x`
//!   receives `seed H ū + ū₀ ∇g` (`ū₀` the value's adjoint), `seed` receives `∇g · ū`
//!   (`g_hvp` along `ū`).
//!
//! `g_jvp(x, d)` returns `(g(x), ∇g · d)`: forward, the tangents `(∇g · ẋ, ẋᵀ H d + ∇g · ḋ)`;
//! reverse, for adjoints `(ū₀, ū₁)`, `x` receives `ū₀ ∇g + ū₁ H d` and `d` receives `ū₁ ∇g`
//! (each one `g_hvp` along `d`).

use crate::ast::{Function, Returns, Shape};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

/// Whether `g_vjp` of `func` gets this protocol: a function with higher-order companions and a
/// scalar result, whose active parameters are all slices and whose constants are not `&mut`.
pub fn eligible(func: &Function) -> bool {
    let actives = func.active().count() > 0 && func.active().all(|p| p.shape == Shape::Slice);
    let constants = func.params.iter().filter(|p| !p.active).all(|p| match &p.ty {
        syn::Type::Reference(r) => r.mutability.is_none(),
        _ => true,
    });
    // Its pullback and tangent are `g_hvp`'s.
    crate::expand::higher::written(func) && matches!(func.returns, Returns::Scalar) && actives && constants
}

/// One parameter of `g_vjp` or `g_jvp`: `g`'s own (active or not), an active one's shadow
/// or direction, or the seed.
enum Role {
    Param { active: bool },
    Shadow,
    Direction,
    Seed,
}

struct Slot {
    name: Ident,
    ty: TokenStream,
    role: Role,
}

/// `g_vjp`'s parameters in order (`g_jvp`'s if `jvp`), each shared reference with a
/// lifetime (which the pullback's closure captures).
fn slots(func: &Function, jvp: bool) -> (Vec<Slot>, Vec<syn::Lifetime>) {
    let f = &func.float;
    let (mut out, mut lifetimes) = (Vec::new(), Vec::new());
    let mut lifetime = |name: String| {
        let l = syn::Lifetime::new(&name, Span::call_site());
        lifetimes.push(l.clone());
        l
    };
    for (i, p) in func.params.iter().enumerate() {
        let ty = match &p.ty {
            syn::Type::Reference(r) => {
                let (l, elem) = (lifetime(format!("'__l{i}")), &r.elem);
                quote!(&#l #elem)
            }
            other => quote!(#other),
        };
        out.push(Slot { name: format_ident!("a{}", i), ty, role: Role::Param { active: p.active } });
        if p.active && jvp {
            let l = lifetime(format!("'__d{i}"));
            out.push(Slot { name: format_ident!("d{}", i), ty: quote!(&#l [#f]), role: Role::Direction });
        } else if p.active {
            out.push(Slot { name: format_ident!("s{}", i), ty: quote!(&mut [#f]), role: Role::Shadow });
        }
    }
    if !jvp {
        out.push(Slot { name: format_ident!("seed"), ty: quote!(#f), role: Role::Seed });
    }
    (out, lifetimes)
}

/// The real protocol of `g_vjp` (see the module doc), or `None` if `func` is not eligible.
pub fn vjp_protocol(func: &Function) -> Option<TokenStream> {
    if !eligible(func) {
        return None;
    }
    let (vis, krate, f) = (&func.vis, &func.krate, &func.float);
    let (vjp, hvp) = (&func.names.vjp, &func.names.hvp);
    let (slots, lifetimes) = slots(func, false);
    let params: Vec<&Ident> = slots.iter().filter(|s| matches!(s.role, Role::Param { .. })).map(|s| &s.name).collect();
    let actives: Vec<&Ident> =
        slots.iter().filter(|s| matches!(s.role, Role::Param { active: true })).map(|s| &s.name).collect();
    let shadows: Vec<&Ident> = slots.iter().filter(|s| matches!(s.role, Role::Shadow)).map(|s| &s.name).collect();
    let all: Vec<&Ident> = slots.iter().map(|s| &s.name).collect();
    let tangents: Vec<Ident> = slots.iter().map(|s| format_ident!("t_{}", s.name)).collect();
    let tangent_params = slots.iter().zip(&tangents).map(|(s, t)| {
        let (a, ty) = (&s.name, &s.ty);
        match s.role {
            Role::Param { active: false } => quote!(#a: #ty, _: ()),
            _ => quote!(#a: #ty, #t: #ty),
        }
    });
    let tangent_of = |a: &Ident| format_ident!("t_{}", a);
    let t_actives: Vec<Ident> = actives.iter().map(|a| tangent_of(a)).collect();
    let t_shadows: Vec<Ident> = shadows.iter().map(|s| tangent_of(s)).collect();
    let params_typed = slots.iter().map(|s| {
        let (a, ty) = (&s.name, &s.ty);
        quote!(#a: #ty)
    });
    let params_typed: Vec<TokenStream> = params_typed.collect();
    let shadow_types = slots.iter().map(|s| match s.role {
        Role::Param { active: true } | Role::Shadow => quote!(&mut [#f]),
        _ => quote!(()),
    });
    let shadow_types: Vec<TokenStream> = shadow_types.collect();
    let closure_shadows = slots.iter().map(|s| match s.role {
        Role::Param { active: true } | Role::Shadow => {
            let d = format_ident!("d_{}", s.name);
            quote!(#d)
        }
        _ => quote!(_),
    });
    let d_actives: Vec<Ident> = actives.iter().map(|a| format_ident!("d_{}", a)).collect();
    let d_shadows: Vec<Ident> = shadows.iter().map(|s| format_ident!("d_{}", s)).collect();
    let slot_types = slots.iter().map(|s| match s.role {
        Role::Seed => quote!(#f),
        _ => quote!(()),
    });
    let slot_types: Vec<TokenStream> = slot_types.collect();
    let results = slots.iter().map(|s| match s.role {
        Role::Seed => quote!(dseed),
        _ => quote!(()),
    });
    let generics = func.generics(&lifetimes.iter().map(|l| quote!(#l)).collect::<Vec<_>>());
    let overwrites = vec![quote!(false); slots.len()];
    let closure = quote!(::core::ops::FnOnce([#f; 1], (#(#shadow_types,)*)) -> (#(#slot_types,)*));
    let wanted = super::pullback_wanted(func, &lifetimes, &params_typed, quote!([#f; 1]), closure.clone(), &all);
    let items = quote! {
        /// How many floats the result holds, flattened: the value.
        #[doc(hidden)]
        #vis const RESULT_LEN: usize = 1;

        /// It adds into its shadows: it reads what they held.
        #[doc(hidden)]
        #vis const OVERWRITES: &'static [bool] = &[#(#overwrites),*];

        /// Forward mode: the shadows' tangents `ṡeed ∇g + seed H ẋ`, the value's `∇g · ẋ`.
        #[doc(hidden)]
        #[inline]
        #vis fn tangent #generics(#(#tangent_params),*) -> ([#f; 1], [#f; 1]) {
            // The values by `g_vjp` itself, so that they are the primal's to the bit.
            let (value, ()) = #vjp(#(#all),*);
            let (_, g, hv) = #hvp(#(#params,)* #(&*#t_actives),*);
            let (g, hv) = (#krate::higher::flat(g), #krate::higher::flat(hv));
            let mut at = 0usize;
            // The literal becomes `F::from_f64(0.0)` with every other (see `generic`).
            let mut dvalue = 0.0;
            #(
                for i in 0..#actives.len() {
                    #t_shadows[i] += t_seed * g[at + i] + seed * hv[at + i];
                    dvalue += g[at + i] * #t_actives[i];
                }
                at += #actives.len();
            )*
            let _ = at;
            ([value], [dvalue])
        }

        /// Reverse mode: `g_vjp` itself, and its pullback by one `g_hvp` along the shadows'
        /// adjoints.
        #[doc(hidden)]
        #[inline]
        #vis fn pullback #generics(#(#params_typed),*)
            -> ([#f; 1], impl #closure + use<#(#lifetimes,)* #f>) {
            let (value, ()) = #vjp(#(#all),*);
            ([value], move |u: [#f; 1], (#(#closure_shadows,)*): (#(#shadow_types,)*)| {
                let (_, g, hu) = #hvp(#(#params,)* #(&*#d_shadows),*);
                let (g, hu) = (#krate::higher::flat(g), #krate::higher::flat(hu));
                let mut at = 0usize;
                let mut dseed = 0.0;
                #(
                    for i in 0..#actives.len() {
                        #d_actives[i] += seed * hu[at + i] + u[0] * g[at + i];
                        dseed += g[at + i] * #d_shadows[i];
                    }
                    at += #actives.len();
                )*
                let _ = at;
                (#(#results,)*)
            })
        }

        #wanted
    };
    Some(super::protocol_struct(func, vjp, items))
}

/// The real protocol of `g_jvp` (see the module doc), or `None` if `func` is not eligible.
pub fn jvp_protocol(func: &Function) -> Option<TokenStream> {
    if !eligible(func) {
        return None;
    }
    let (vis, krate, f) = (&func.vis, &func.krate, &func.float);
    let (jvp, hvp) = (&func.names.jvp, &func.names.hvp);
    let (slots, lifetimes) = slots(func, true);
    let of =
        |role: fn(&Role) -> bool| -> Vec<&Ident> { slots.iter().filter(|s| role(&s.role)).map(|s| &s.name).collect() };
    let params = of(|r| matches!(r, Role::Param { .. }));
    let actives = of(|r| matches!(r, Role::Param { active: true }));
    let directions = of(|r| matches!(r, Role::Direction));
    let all: Vec<&Ident> = slots.iter().map(|s| &s.name).collect();
    let tangent = |a: &&Ident| format_ident!("t_{}", a);
    let (t_actives, t_directions): (Vec<Ident>, Vec<Ident>) =
        (actives.iter().map(tangent).collect(), directions.iter().map(tangent).collect());
    let adjoint = |a: &&Ident| format_ident!("u_{}", a);
    let (u_actives, u_directions): (Vec<Ident>, Vec<Ident>) =
        (actives.iter().map(adjoint).collect(), directions.iter().map(adjoint).collect());
    let tangent_params = slots.iter().map(|s| {
        let (a, ty, t) = (&s.name, &s.ty, format_ident!("t_{}", s.name));
        match s.role {
            Role::Param { active: false } => quote!(#a: #ty, _: ()),
            _ => quote!(#a: #ty, #t: &[#f]),
        }
    });
    let params_typed: Vec<TokenStream> = slots
        .iter()
        .map(|s| {
            let (a, ty) = (&s.name, &s.ty);
            quote!(#a: #ty)
        })
        .collect();
    let active = |s: &Slot| matches!(s.role, Role::Param { active: true } | Role::Direction);
    let shadow_types: Vec<TokenStream> =
        slots.iter().map(|s| if active(s) { quote!(&mut [#f]) } else { quote!(()) }).collect();
    let closure_shadows = slots.iter().map(|s| match active(s) {
        true => {
            let u = format_ident!("u_{}", s.name);
            quote!(#u)
        }
        false => quote!(_),
    });
    let units: Vec<TokenStream> = slots.iter().map(|_| quote!(())).collect();
    let before: Vec<TokenStream> = lifetimes.iter().map(|l| quote!(#l)).collect();
    let generics = func.generics(&before);
    let closure = quote!(::core::ops::FnOnce([#f; 2], (#(#shadow_types,)*)) -> (#(#units,)*));
    let wanted = super::pullback_wanted(func, &lifetimes, &params_typed, quote!([#f; 2]), closure.clone(), &all);
    let items = quote! {
        /// How many floats the result holds, flattened: the value and the derivative.
        #[doc(hidden)]
        #vis const RESULT_LEN: usize = 2;

        /// Forward mode: `(∇g · ẋ, ẋᵀ H d + ∇g · ḋ)`, by one `g_hvp` along `d`.
        #[doc(hidden)]
        #[inline]
        #vis fn tangent #generics(#(#tangent_params),*) -> ([#f; 2], [#f; 2]) {
            // The values by `g_jvp` itself, so that they are the primal's to the bit.
            let (value, derivative) = #jvp(#(#all),*);
            let (_, g, hd) = #hvp(#(#params,)* #(#directions),*);
            let (g, hd) = (#krate::higher::flat(g), #krate::higher::flat(hd));
            let (mut at, mut t0, mut t1) = (0usize, 0.0, 0.0);
            #(
                for i in 0..#actives.len() {
                    t0 += g[at + i] * #t_actives[i];
                    t1 += hd[at + i] * #t_actives[i] + g[at + i] * #t_directions[i];
                }
                at += #actives.len();
            )*
            let _ = at;
            ([value, derivative], [t0, t1])
        }

        /// Reverse mode: `g_jvp` itself, and its pullback by one `g_hvp` along `d`.
        #[doc(hidden)]
        #[inline]
        #vis fn pullback #generics(#(#params_typed),*)
            -> ([#f; 2], impl #closure + use<#(#lifetimes,)* #f>) {
            let (value, derivative) = #jvp(#(#all),*);
            ([value, derivative], move |u: [#f; 2], (#(#closure_shadows,)*): (#(#shadow_types,)*)| {
                let (_, g, hd) = #hvp(#(#params,)* #(#directions),*);
                let (g, hd) = (#krate::higher::flat(g), #krate::higher::flat(hd));
                let mut at = 0usize;
                #(
                    for i in 0..#actives.len() {
                        #u_actives[i] += u[0] * g[at + i] + u[1] * hd[at + i];
                        #u_directions[i] += u[1] * g[at + i];
                    }
                    at += #actives.len();
                )*
                let _ = at;
                (#(#units,)*)
            })
        }

        #wanted
    };
    Some(super::protocol_struct(func, jvp, items))
}
