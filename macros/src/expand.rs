//! Code generation: the items written beside a differentiable function `f`.
//!
//! - The public companions `f_grad`, `f_vjp`, `f_jvp` (the contract in DESIGN.md), written
//!   in `public`.
//! - The *protocol* other differentiable code uses to call `f`: a hidden braced struct
//!   named `f` (braced structs live only in the type namespace, so it sits beside the
//!   function without a clash, and `use m::f;` imports both) with two associated functions:
//!   `f::tangent(x, dx, ..)` for forward mode and `f::pullback(x, ..)` for reverse mode.
//!   Every parameter has a slot in both, with `()` as the tangent and gradient of a
//!   constant, so a caller needs no knowledge of the callee's signature. Custom derivative
//!   rules (`#[derivative]`) write the same protocol, which is why user functions, runtime
//!   primitives and built-ins are called alike.

use crate::ast::{Args, Function};
use crate::ast::{Param, Shape};
use crate::ir::FieldPlace;
use crate::names::Names;
use crate::{activity, code, fence, forward, lower, reverse};
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{Ident, ItemFn};

pub(crate) mod higher;
mod jacobian;
mod public;

pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(item) => item,
        Err(_) => {
            let err = syn::Error::new(
                proc_macro2::Span::call_site(),
                "#[differentiable] applies to a free function `fn name(x: f64, ..) -> f64 { .. }`",
            );
            return quote!(#item).into_iter().chain(err.to_compile_error()).collect();
        }
    };
    let plain = without_no_grad(&item);
    let method = crate::context::in_impl_block();
    if crate::context::in_trait_block() {
        let msg = format!(
            "#[differentiable] cannot be put on a function of a trait or a trait's `impl`: its companions (`{0}_grad`, ...) would not be members of the trait; differentiate an inherent method (`impl Model {{ #[differentiable] fn {0}(&self, ..) }}`) or a free function, and call it from the trait's",
            item.sig.ident
        );
        return with_error(plain, syn::Error::new_spanned(&item.sig.ident, msg), TokenStream::new());
    }
    let mut func = match Args::parse(args).and_then(|args| Function::from_syn(item, args)) {
        Ok(func) => Function { method, ..func },
        Err(e) => return with_error(plain, e, TokenStream::new()),
    };
    let original = func.item.clone();
    if crate::generic::is_generic(&func.float) {
        *func.item.block = crate::generic::suffixed(&func.item.block);
    }
    match bodies(&func) {
        Ok(bodies) => {
            let items = items(&func, Some(bodies));
            // Index loops are the form chainrule asks for; clippy should not argue.
            quote!(#[allow(clippy::needless_range_loop)] #original #items)
        }
        // Stubs keep the user's other code compiling, so the one real error is all they see.
        Err(e) => with_error(original, e, items(&func, None)),
    }
}

/// Our error for an attribute inside an `impl` or `trait` block (see `context`), where the
/// items we write beside the function cannot stand.
pub fn outside_module(item: &ItemFn, attribute: &str) -> Option<syn::Error> {
    if !crate::context::in_impl_block() {
        return None;
    }
    let what = match item.sig.receiver() {
        Some(_) => "methods cannot be differentiated yet",
        None => "functions inside an `impl` or `trait` block cannot be differentiated yet",
    };
    let msg = format!(
        "{what}: {attribute} writes items beside the function (`{0}_grad`, ...) that only a module can hold; move `{0}` out of the block and pass what it reads from `self` as parameters",
        item.sig.ident
    );
    Some(syn::Error::new_spanned(&item.sig, msg))
}

fn with_error(item: ItemFn, e: syn::Error, stubs: TokenStream) -> TokenStream {
    let err = e.to_compile_error();
    quote!(#item #stubs #err)
}

/// The user's function as they wrote it, minus our `#[no_grad]` markers.
pub fn without_no_grad(item: &ItemFn) -> ItemFn {
    let mut item = item.clone();
    for input in item.sig.inputs.iter_mut() {
        if let syn::FnArg::Typed(pt) = input {
            pt.attrs.retain(|a| !a.path().is_ident("no_grad"));
        }
    }
    item
}

/// The bodies of the two protocol functions, and the tangent parameters' names.
pub struct Bodies {
    pub tangents: Vec<Option<Ident>>,
    pub tangent: TokenStream,
    pub pullback: TokenStream,
    /// Whether the body has a loop: then the public functions are not `#[inline]`.
    pub loops: bool,
    /// Whether the function calls itself: then it has a `pullback_dyn`.
    pub recursive: bool,
    /// Per parameter: an `&mut` output the body writes and never reads (see `OVERWRITES`).
    pub overwrites: Vec<bool>,
    /// The body of `f_graph`, when asked for.
    pub graph: Option<TokenStream>,
    /// `f_vjp`'s closure when its sweeps are one (see `reverse/fused.rs`), after the
    /// parameters' entry.
    pub fused: Option<TokenStream>,
}

fn bodies(func: &Function) -> syn::Result<Bodies> {
    fence::check(&func.item.block, &func.returns)?;
    let mut names = Names::new(func.item.to_token_stream());
    // Early returns rewritten into one return at the end (see `returns`).
    let rewritten = crate::returns::rewrite(func, &mut names)?;
    let body = rewritten.as_ref().unwrap_or(&func.item.block);
    let mut ir = lower::lower(func, body, &mut names)?;
    activity::analyse(&mut ir)?;
    let derivs = code::derivative_names(&ir, &mut names);
    let slot_derivs = code::slot_derivative_names(&ir, &mut names);
    let zeros = forward::zero_tangents(&ir, &slot_derivs, &mut names);
    let forward = forward::Forward {
        ir: &ir,
        derivs: &derivs,
        slot_derivs: &slot_derivs,
        float: &func.float,
        krate: &func.krate,
        zeros: &zeros,
    };
    let tangent = forward.body();
    let pb = reverse::build(&ir, func, &derivs, &slot_derivs, &mut names);
    let (primal, closure, fused, output) = (pb.primal, pb.closure, pb.fused, ir.output_tokens());
    // Each parameter's tangent: a scalar's is its value's, an array's its slot's, a tuple's
    // a tuple of its elements' (taken apart on entry, with the tuple itself).
    let (mut tangents, mut entry, mut tangent_entry) = (Vec::new(), TokenStream::new(), TokenStream::new());
    for (i, p) in func.params.iter().enumerate() {
        tangents.push(match (ir.param_slot(i), &p.shape) {
            // Rows, and their tangent, as flat slices.
            (Some(s), Shape::Nested) => {
                let (x, flat, d) = (&p.ident, &ir.slots[s].name, slot_derivs[s].clone());
                match ir.ragged.get(&i) {
                    // Rows of their own lengths: copied, with where each starts.
                    Some(r) => {
                        let (starts, krate) = (&r.starts, &func.krate);
                        entry.extend(quote!(let (#flat, #starts) = #krate::__private::flatten_rows(#x);));
                        if let Some(d) = &d {
                            tangent_entry.extend(quote!(let #d = #krate::__private::flatten_rows(#d).0;));
                        }
                    }
                    None => {
                        entry.extend(quote!(let #flat = #x.as_flattened();));
                        if let Some(d) = &d {
                            tangent_entry.extend(quote!(let #d = #d.as_flattened();));
                        }
                    }
                }
                d
            }
            (Some(s), _) => slot_derivs[s].clone(),
            (None, Shape::Tuple(_)) => {
                let (x, elements) = (&p.ident, &p.elements);
                entry.extend(quote!(let (#(#elements,)*) = #x;));
                let d = p.active.then(|| names.fresh(&format!("d{x}"), x.span()));
                if let Some(d) = &d {
                    let ds = elements.iter().map(|e| match ir.param(e).and_then(|v| derivs[v].clone()) {
                        Some(de) => quote!(#de),
                        None => quote!(_),
                    });
                    tangent_entry.extend(quote!(let (#(#ds,)*) = #d;));
                }
                d
            }
            (None, Shape::Struct) => {
                let d = ir.structs.get(&i).map(|s| s.derivative.clone());
                for f in ir.fields.iter().filter(|f| f.param == i) {
                    let (x, path) = (&p.ident, &f.path);
                    let (name, tangent) = match f.place {
                        FieldPlace::Array(s) => (&ir.slots[s].name, slot_derivs[s].as_ref()),
                        FieldPlace::Scalar(v) => (&ir.values[v].name, derivs[v].as_ref()),
                    };
                    let krate = &func.krate;
                    // A `#[no_grad]` field's tangent is zero, whatever the tangent struct holds.
                    let constant = code::constant_field(krate, x, path);
                    // On the field's span: a field of the wrong type is rustc's error there.
                    let (float, at) =
                        (&func.float, path.last().map_or_else(proc_macro2::Span::call_site, |f| f.span()));
                    // An array field's floats, flat: a rows field's through its own view.
                    let view = match f.row_len {
                        Some(_) => quote!(field_rows),
                        None => quote!(field_slice),
                    };
                    let value = match f.place {
                        FieldPlace::Array(_) => {
                            quote_spanned!(at=> #krate::__private::#view::<#float, _>(&#x #(.#path)*))
                        }
                        FieldPlace::Scalar(_) => quote!(#x #(.#path)*),
                    };
                    entry.extend(quote!(let #name = #value;));
                    if let Some(n) = &f.row_len {
                        let len = quote_spanned!(at=> #krate::__private::field_row_len::<#float, _>(&#x #(.#path)*));
                        entry.extend(quote!(let #n = #len;));
                    }
                    if let (Some(d), Some(t)) = (&d, tangent) {
                        tangent_entry.extend(match f.place {
                            FieldPlace::Array(_) => {
                                let zeros = quote::format_ident!("__{}_zeros", t);
                                quote! {
                                    let mut #zeros = ::core::option::Option::None;
                                    let #t = #krate::__private::#view::<#float, _>(&#d #(.#path)*);
                                    let #t = #krate::__private::tangent_or_zeros(#t, #constant, &mut #zeros);
                                }
                            }
                            FieldPlace::Scalar(_) => {
                                quote!(let #t = #krate::__private::tangent_of_field(&#d #(.#path)*, #constant);)
                            }
                        });
                    }
                }
                d
            }
            (None, _) => ir.param(&p.ident).and_then(|v| derivs[v].clone()),
        });
    }
    let graph = match func.names.graph {
        Some(_) => Some(crate::graph::body(&ir, func, &entry, &mut names)?),
        None => None,
    };
    let tangent = quote!(#entry #tangent_entry #tangent);
    let loops = has_loops(&ir.body);
    let recursive =
        ir.values.values().any(|v| matches!(&v.op, crate::ir::Op::Call { func: f, .. } if func.calls_itself(f)));
    let overwrites = (0..func.params.len()).map(|i| ir.param_slot(i).is_some_and(|s| ir.overwritten(s))).collect();
    let pullback = quote!(#entry #primal (#output, #closure));
    let fused = fused.map(|c| quote!({ #entry #c }));
    Ok(Bodies { tangents, tangent, pullback, loops, recursive, overwrites, graph, fused })
}

/// Lints that generated code must never raise in a user's crate.
pub fn allow() -> TokenStream {
    quote!(#[allow(
        unused_variables, unused_mut, unused_parens, unreachable_code, non_snake_case,
        clippy::all, clippy::pedantic, clippy::nursery
    )])
}

/// The protocol struct and functions, and the public companions. `None` writes stubs with
/// the right signatures (used beside a compile error).
pub fn items(func: &Function, bodies: Option<Bodies>) -> TokenStream {
    let items = written_items(func, bodies);
    match crate::generic::is_generic(&func.float) {
        true => crate::generic::literals(items, &func.float),
        false => items,
    }
}

fn written_items(func: &Function, bodies: Option<Bodies>) -> TokenStream {
    let (ident, vis, cfgs) = (&func.ident, &func.vis, &func.cfgs);
    // A straight-line gradient is best inlined into its caller. One with loops stays a
    // function: its slice parameters are then known not to alias one another, which LLVM
    // needs to vectorise the adjoint loops (inlined into a caller that holds the buffers,
    // that knowledge is lost), and a call costs nothing beside a loop.
    let inline = match bodies.as_ref().is_some_and(|b| b.loops) {
        true => TokenStream::new(),
        false => quote!(#[inline]),
    };
    let public = public::companions(func, &inline, bodies.as_ref().and_then(|b| b.fused.as_ref()));
    let graph = graph_companion(func, bodies.as_ref().map(|b| b.graph.clone()));
    // A caller that lends an array to be written copies it first for the call's pullback,
    // unless the callee never reads what the array held (`reverse/calls.rs`).
    let outputs = func.params.iter().any(|p| matches!(p.shape, crate::ast::Shape::Out));
    let overwrites = bodies.as_ref().filter(|_| outputs).map(|b| {
        let o = &b.overwrites;
        quote! {
            /// Per parameter: an `&mut` output written and never read.
            #[doc(hidden)]
            #vis const OVERWRITES: &'static [bool] = &[#(#o),*];
        }
    });
    let protocol = Protocol::new(func, bodies);
    // A method's protocol: associated functions beside it, `__f_tangent` and `__f_pullback`
    // (an impl block can hold no struct).
    if func.method {
        let (tangent, pullback) = (code::method_protocol(ident, "tangent"), code::method_protocol(ident, "pullback"));
        let wanted = code::method_protocol(ident, "pullback_wanted");
        let (tangent, pullback) = (protocol.tangent(&tangent), protocol.pullback(&pullback, &wanted));
        let pullback_dyn = protocol.pullback_dyn(&code::method_protocol(ident, "pullback_dyn"));
        return quote!(#(#cfgs)* #tangent #(#cfgs)* #pullback #(#cfgs)* #pullback_dyn #public);
    }
    // A caller that keeps an array or tuple result in a local array needs its length.
    let result_len = func.result_len().map(|len| {
        quote! {
            /// How many floats the result holds.
            #[doc(hidden)]
            #vis const RESULT_LEN: usize = #len;
        }
    });
    // ... and, for rows, how long a row is (`r[i][j]` of a kept result).
    let result_row = func.result_rows().map(|(n, _)| {
        quote! {
            #[doc(hidden)]
            #vis const RESULT_ROW: usize = #n;
        }
    });
    let (tangent, pullback) = (
        protocol.tangent(&format_ident!("tangent")),
        protocol.pullback(&format_ident!("pullback"), &format_ident!("pullback_wanted")),
    );
    let pullback_dyn = protocol.pullback_dyn(&format_ident!("pullback_dyn"));
    let allow = allow();
    quote! {
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #ident {}

        #(#cfgs)*
        #allow
        impl #ident {
            #overwrites
            #result_len
            #result_row
            #tangent
            #pullback
            #pullback_dyn
        }

        #public
        #graph
    }
}

/// `f_graph(x, ..) -> Graph`, when the attribute asks for it: `f` run once with every
/// operation recorded (see `graph`).
fn graph_companion(func: &Function, body: Option<Option<TokenStream>>) -> TokenStream {
    let Some(name) = &func.names.graph else { return TokenStream::new() };
    let (vis, cfgs, krate, ident, allow) = (&func.vis, &func.cfgs, &func.krate, &func.ident, allow());
    let body = match body.flatten() {
        Some(body) => body,
        None => quote!(::core::unimplemented!("chainrule could not differentiate this function")),
    };
    let params = func.params.iter().map(|p| {
        let (x, ty) = (&p.ident, &p.ty);
        quote!(#x: #ty)
    });
    let generics = func.generics(&[]);
    // As in the protocol: `f` counts as used wherever its graph is.
    let float = func.generic.as_ref().map(|g| &g.ident).map(|f| quote!(::<#f>));
    let doc = format!(
        "The computation graph of [`{ident}`] at these arguments: every operation with its value and ∂{ident}/∂node, and each wire's partial derivative. Draw it with `to_svg()` or `to_dot()`."
    );
    quote! {
        #(#cfgs)*
        #[doc = #doc]
        #allow
        #vis fn #name #generics(#(#params),*) -> #krate::graph::Graph {
            let _ = #ident #float;
            #body
        }
    }
}

/// The pieces of a function's protocol functions.
struct Protocol<'a> {
    func: &'a Function,
    tangent_params: Vec<TokenStream>,
    pullback_params: Vec<TokenStream>,
    lifetimes: Vec<syn::Lifetime>,
    captured: Vec<syn::Lifetime>,
    shadow_types: Vec<TokenStream>,
    slot_types: Vec<TokenStream>,
    tangent_body: TokenStream,
    pullback_body: TokenStream,
    recursive: bool,
}

impl<'a> Protocol<'a> {
    fn new(func: &'a Function, bodies: Option<Bodies>) -> Self {
        let (ident, float, out) = (&func.ident, &func.float, func.output_type());
        // tangent(x, dx, n, _: ()) -> (F, F).
        let tangent_names: Vec<Option<Ident>> = match &bodies {
            Some(b) => b.tangents.clone(),
            None => func.params.iter().map(|p| p.active.then(|| format_ident!("_d{}", p.ident))).collect(),
        };
        let tangent_params = func
            .params
            .iter()
            .zip(&tangent_names)
            .map(|(p, d)| {
                let (x, ty) = (&p.ident, &p.ty);
                match (p.active, d) {
                    (true, Some(d)) => {
                        let t = tangent_type(p, float);
                        quote!(#x: #ty, #d: #t)
                    }
                    _ => quote!(#x: #ty, _: ()),
                }
            })
            .collect();
        let slot_types: Vec<_> = func.params.iter().map(|p| gradient_slot_type(p, float)).collect();
        let shadow_types: Vec<_> = func.params.iter().map(|p| shadow_type(p, float)).collect();
        let (pullback_params, lifetimes, captured) = pullback_params(func);
        let recursive = bodies.as_ref().is_some_and(|b| b.recursive);
        let unimplemented = quote!(::core::unimplemented!("chainrule could not differentiate this function"));
        let (tangent_body, pullback_body) = match bodies {
            // `let _ = f;` marks the user's function as used whenever its derivatives are,
            // so a private `f` called only through `f_grad` raises no dead-code warning.
            Some(b) => {
                let (t, p) = (b.tangent, b.pullback);
                let float = func.generic.as_ref().map(|g| &g.ident).map(|f| quote!(::<#f>));
                let own = if func.method { quote!(Self::#ident #float) } else { quote!(#ident #float) };
                (quote!(let _ = #own; #t), quote!(let _ = #own; #p))
            }
            None => (
                unimplemented.clone(),
                quote!((#unimplemented, move |_: #out, _: (#(#shadow_types,)*)| -> (#(#slot_types,)*) { #unimplemented })),
            ),
        };
        Protocol {
            func,
            tangent_params,
            pullback_params,
            lifetimes,
            captured,
            shadow_types,
            slot_types,
            tangent_body,
            pullback_body,
            recursive,
        }
    }

    /// Forward mode: value and tangent.
    fn tangent(&self, name: &Ident) -> TokenStream {
        let (vis, out, allow) = (&self.func.vis, self.func.output_type(), allow());
        let (params, body, generics) = (&self.tangent_params, &self.tangent_body, self.func.generics(&[]));
        quote! {
            /// Forward mode: value and tangent. Every parameter is followed by its tangent
            /// (`()` for a constant).
            #[doc(hidden)]
            #[inline]
            #allow
            #vis fn #name #generics(#(#params),*) -> (#out, #out) {
                #body
            }
        }
    }

    /// The closure a pullback returns, as a type over `bound` (`impl .. + use<..>` or
    /// `dyn .. + '__r`).
    fn closure_type(&self, bound: TokenStream) -> TokenStream {
        let (out, shadows, slots) = (self.func.output_type(), &self.shadow_types, &self.slot_types);
        quote!(::core::ops::FnOnce(#out, (#(#shadows,)*)) -> (#(#slots,)*) + #bound)
    }

    /// Reverse mode: value and pullback, as `pullback` (every adjoint wanted) over
    /// `pullback_wanted`, whose last argument says which arguments' adjoints the caller
    /// wants (`__private::Wanted`; the closure's writes into the others' shadows are guarded
    /// by it, see `reverse/adjoint.rs`).
    fn pullback(&self, name: &Ident, wanted_name: &Ident) -> TokenStream {
        let (func, out, allow) = (self.func, self.func.output_type(), allow());
        let (vis, krate) = (&func.vis, &func.krate);
        let (params, lifetimes, captured, body) =
            (&self.pullback_params, &self.lifetimes, &self.captured, &self.pullback_body);
        // Captured: the function's float type, or its `impl` block's.
        let float = crate::generic::is_generic(&func.float).then_some(&func.float);
        let closure = self.closure_type(quote!(use<#(#captured,)* #float>));
        let float_comma = float.map(|f| quote!(#f,));
        let wanted_closure = self.closure_type(quote!(use<#(#captured,)* #float_comma __WANTED>));
        let before: Vec<TokenStream> = lifetimes.iter().map(ToTokens::to_token_stream).collect();
        let generics = func.generics(&before);
        let wanted_generics = func.generics_around(&before, &[quote!(const __WANTED: u64)]);
        let wanted_path = if func.method { quote!(Self::#wanted_name) } else { quote!(Self::pullback_wanted) };
        let args = func.params.iter().map(|p| &p.ident);
        // Only an array can be lent with a discard buffer for its shadow (`reverse/calls.rs`).
        if func.params.iter().all(|p| matches!(p.shape, Shape::Scalar | Shape::Tuple(_))) {
            return quote! {
                /// Reverse mode: value and pullback, which maps the output's adjoint to one
                /// gradient slot per parameter (`()` for a constant).
                #[doc(hidden)]
                #[inline]
                #allow
                #vis fn #name #generics(#(#params),*) -> (#out, impl #closure) {
                    #body
                }
            };
        }
        quote! {
            /// Reverse mode: value and pullback, which maps the output's adjoint to one
            /// gradient slot per parameter (`()` for a constant).
            #[doc(hidden)]
            #[inline]
            #allow
            #vis fn #name #generics(#(#params),*) -> (#out, impl #closure) {
                #wanted_path(#(#args,)* #krate::__private::Wanted::<{ u64::MAX }>)
            }

            /// The pullback for a caller that wants only some arguments' adjoints: bit `i`
            /// of `__WANTED` for argument `i`.
            #[doc(hidden)]
            #[inline]
            #allow
            #vis fn #wanted_name #wanted_generics(
                #(#params,)*
                _: #krate::__private::Wanted<__WANTED>,
            ) -> (#out, impl #wanted_closure) {
                #body
            }
        }
    }

    /// A recursive call's pullback, boxed: the type of `pullback`'s closure would contain
    /// itself. Only recursive functions have one, and only their recursive calls pay for the
    /// box, which lives as long as what the closure captures (a `&mut` parameter's borrow
    /// ends with the call).
    fn pullback_dyn(&self, name: &Ident) -> Option<TokenStream> {
        if !self.recursive {
            return None;
        }
        let (func, out, allow) = (self.func, self.func.output_type(), allow());
        let (vis, params) = (&func.vis, &self.pullback_params);
        let args = func.params.iter().map(|p| &p.ident);
        let bounds: Vec<_> = std::iter::once(quote!('__r))
            .chain(self.lifetimes.iter().map(|l| if self.captured.contains(l) { quote!(#l: '__r) } else { quote!(#l) }))
            .collect();
        let generics = func.generics(&bounds);
        let pullback = if func.method { func.protocol("pullback") } else { quote!(Self::pullback) };
        let closure = self.closure_type(quote!('__r));
        Some(quote! {
            #[doc(hidden)]
            #allow
            #vis fn #name #generics(#(#params),*) -> (#out, ::std::boxed::Box<dyn #closure>) {
                let (value, pullback) = #pullback(#(#args),*);
                (value, ::std::boxed::Box::new(pullback))
            }
        })
    }
}

/// The pullback's parameters, each shared reference with a named lifetime, which the
/// returned closure may capture (`use<..>`); a `&mut` output's lifetime is left out, so the
/// caller may use the output as soon as `pullback` returns. Also returns the lifetimes, and
/// those captured.
fn pullback_params(func: &Function) -> (Vec<TokenStream>, Vec<syn::Lifetime>, Vec<syn::Lifetime>) {
    let params: Vec<_> = func.params.iter().map(|p| (&p.ident, &p.ty)).collect();
    let mut captured = Vec::new();
    let pullback_params: Vec<TokenStream> = params
        .iter()
        .enumerate()
        .map(|(i, (x, ty))| match ty {
            syn::Type::Reference(r) if r.lifetime.is_none() => {
                let lifetime = syn::Lifetime::new(&format!("'__l{i}"), proc_macro2::Span::call_site());
                let (m, elem) = (&r.mutability, &r.elem);
                if m.is_none() {
                    captured.push(lifetime.clone());
                }
                quote!(#x: &#lifetime #m #elem)
            }
            _ => quote!(#x: #ty),
        })
        .collect();
    let lifetimes: Vec<_> = (0..params.len())
        .filter(|&i| matches!(params[i].1, syn::Type::Reference(r) if r.lifetime.is_none()))
        .map(|i| syn::Lifetime::new(&format!("'__l{i}"), proc_macro2::Span::call_site()))
        .collect();
    (pullback_params, lifetimes, captured)
}

/// A parameter's tangent in the protocol and in `f_jvp`.
fn tangent_type(p: &Param, float: &Ident) -> TokenStream {
    match p.shape {
        Shape::Scalar => quote!(#float),
        Shape::Array | Shape::Tuple(_) => p.ty.to_token_stream(),
        Shape::Slice => quote!(&[#float]),
        Shape::Out => quote!(&mut [#float]),
        Shape::Struct | Shape::Nested => {
            let s = p.referent();
            quote!(&#s)
        }
    }
}

/// A parameter's slot in the gradient the pullback returns: `()` for constants and for
/// slices, whose gradient is added into their shadow instead.
fn gradient_slot_type(p: &Param, float: &Ident) -> TokenStream {
    match (p.active, &p.shape) {
        (false, _) | (true, Shape::Slice | Shape::Out | Shape::Struct | Shape::Nested) => quote!(()),
        (true, Shape::Scalar) => quote!(#float),
        (true, Shape::Array | Shape::Tuple(_)) => p.ty.to_token_stream(),
    }
}

/// A parameter's shadow, passed to the pullback: `&mut [F]` for an active slice.
fn shadow_type(p: &Param, float: &Ident) -> TokenStream {
    match (p.active, &p.shape) {
        (true, Shape::Slice | Shape::Out) => quote!(&mut [#float]),
        (true, Shape::Struct | Shape::Nested) => {
            let s = p.referent();
            quote!(&mut #s)
        }
        _ => quote!(()),
    }
}

fn has_loops(block: &crate::ir::Block) -> bool {
    let mut loops = false;
    crate::ir::walk(block, &mut |stmt, _| loops |= stmt.is_loop());
    loops
}
