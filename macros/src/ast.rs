//! Parse: the signature of a `#[differentiable]` or `#[derivative]` function, its
//! parameters classified as active (differentiated) or constant (passed through), and the
//! attribute's arguments. Every error carries the span of the syntax it is about.

use proc_macro2::TokenStream;
use quote::format_ident;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type, Visibility};

/// A function under one of our attributes, as the later stages need it.
pub struct Function {
    /// The user's function, emitted unchanged except that `#[no_grad]` is stripped.
    pub item: ItemFn,
    pub vis: Visibility,
    pub ident: Ident,
    /// `#[cfg]`-like attributes that every generated item must share with the original.
    pub cfgs: Vec<syn::Attribute>,
    pub params: Vec<Param>,
    /// `f64` or `f32`: the type of every active parameter and of the result.
    pub float: Ident,
    pub names: Generated,
    /// The shape of the result.
    pub returns: Returns,
    /// The path generated code uses to reach the runtime (`::chainrule` unless renamed).
    pub krate: TokenStream,
    /// Defined in an `impl` block: its protocol and companions are associated functions.
    pub method: bool,
    /// The float type parameter of `fn f<F: Float>(..)` (see `generic`), `float` its name.
    pub generic: Option<syn::TypeParam>,
    /// Of a method in `impl<F: Float> Mlp<F>`, generic over the block's float type: the
    /// block's type (`Mlp<F>`), which the higher-order companions name at dual numbers.
    pub block_type: Option<Type>,
}

pub struct Param {
    pub ident: Ident,
    /// Declared `mut`: the body may reassign it, like a `let mut` local.
    pub mutable: bool,
    pub ty: Type,
    pub active: bool,
    pub shape: Shape,
    /// A tuple parameter's elements: the names of `(x, y): (f64, f64)`, or `p_0`, `p_1`
    /// for `p: (f64, f64)` (read as `p.0`); empty for other parameters.
    pub elements: Vec<Ident>,
}

impl Param {
    /// What an `&S` parameter refers to, `S`.
    pub fn referent(&self) -> &Type {
        match &self.ty {
            Type::Reference(r) => &r.elem,
            ty => ty,
        }
    }
}

/// How a parameter holds its floats.
#[derive(Clone, PartialEq)]
pub enum Shape {
    Scalar,
    /// `[F; N]` by value.
    Array,
    /// `&[F]`, `&[F; N]` or `&Vec<F>`.
    Slice,
    /// `&mut [F]` (or `&mut [F; N]`, `&mut Vec<F>`): an output the function writes. Its shadow
    /// in `f_vjp` carries the adjoint of what is written and is consumed (zeroed), as in Enzyme.
    Out,
    /// A tuple of floats by value, `(x, y): (f64, f64)`: its tangent and gradient are tuples
    /// too, and inside the function each element is a scalar parameter.
    Tuple(usize),
    /// `&[[F; N]]`, `&[[F; N]; M]` or `&Vec<[F; N]>`: rows of `N` floats, read as one flat
    /// slice (`a[i][j]` is element `i * N + j`); tangent and shadow have the same shape, the
    /// gradient in `f_grad` is a `Vec<[F; N]>` (an `[[F; N]; M]` for a fixed outer array).
    /// Also `&[Vec<F>]` and `&Vec<Vec<F>>`, rows of their own lengths, copied into one flat
    /// slice on entry (`a[i][j]` is element `starts[i] + j`), their gradient a `Vec<Vec<F>>`.
    Nested,
    /// `&S` of a struct that derives `Differentiable`: its tangent is an `&S`, its shadow an
    /// `&mut S` (added into, like a slice's), its gradient in `f_grad` an `S`. Inside the
    /// function each field it reads is a parameter of its own (see `lower::fields`).
    Struct,
}

/// What a function returns: `F`, `[F; N]` or `(F, .., F)`.
#[derive(Clone)]
pub enum Returns {
    Scalar,
    Array,
    Tuple(usize),
    /// Nothing: the results are written into `&mut` parameters.
    Unit,
}

/// Names of the public functions written beside `f`.
pub struct Generated {
    pub grad: Ident,
    pub vjp: Ident,
    pub jvp: Ident,
    /// Higher-order companions, written beside generic functions (see `expand::higher`).
    pub hvp: Ident,
    pub hessian: Ident,
    pub jacobian: Ident,
    /// `f_graph`, written only when the attribute asks for it (`graph` or `graph = name`).
    pub graph: Option<Ident>,
}

/// Arguments of `#[differentiable(...)]`.
#[derive(Default)]
pub struct Args {
    pub grad: Option<Ident>,
    pub vjp: Option<Ident>,
    pub jvp: Option<Ident>,
    pub hvp: Option<Ident>,
    pub hessian: Option<Ident>,
    pub jacobian: Option<Ident>,
    /// `graph` (`Some(None)`) or `graph = name`.
    pub graph: Option<Option<Ident>>,
    pub krate: Option<syn::Path>,
}

impl Args {
    pub fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let mut args = Args::default();
        let parser = syn::meta::parser(|meta| {
            let slot = if meta.path.is_ident("grad") {
                &mut args.grad
            } else if meta.path.is_ident("vjp") {
                &mut args.vjp
            } else if meta.path.is_ident("jvp") {
                &mut args.jvp
            } else if meta.path.is_ident("hvp") {
                &mut args.hvp
            } else if meta.path.is_ident("hessian") {
                &mut args.hessian
            } else if meta.path.is_ident("jacobian") {
                &mut args.jacobian
            } else if meta.path.is_ident("graph") {
                if args.graph.is_some() {
                    return Err(meta.error("`graph` is given twice; keep one"));
                }
                let name = if meta.input.peek(syn::Token![=]) { Some(meta.value()?.parse()?) } else { None };
                args.graph = Some(name);
                return Ok(());
            } else if meta.path.is_ident("crate") {
                if args.krate.is_some() {
                    return Err(meta.error("`crate` is given twice; keep one"));
                }
                args.krate = Some(meta.value()?.parse()?);
                return Ok(());
            } else {
                return Err(meta
                    .error("unknown argument; expected `grad = name`, `vjp = name`, `jvp = name`, `hvp = name`, `hessian = name`, `jacobian = name`, `graph`, `graph = name` or `crate = path`"));
            };
            if slot.is_some() {
                return Err(meta.error("this name is given twice; keep one"));
            }
            *slot = Some(meta.value()?.parse()?);
            Ok(())
        });
        syn::parse::Parser::parse2(parser, tokens)?;
        Ok(args)
    }
}

impl Function {
    /// Reads the signature. Body checks are the fence's job, not this one's.
    pub fn from_syn(mut item: ItemFn, args: Args) -> syn::Result<Self> {
        let mut errors = Errors::default();
        signature_errors(&item.sig, &mut errors);
        let generic = crate::generic::float_param(&item.sig.generics, &mut errors);
        // A method of `impl<F: Float> Mlp<F>` is generic over the block's float type, which
        // the generated associated functions share rather than declare.
        let block = match (&generic, item.sig.generics.params.is_empty()) {
            (None, true) => crate::context::impl_block().and_then(|b| Some((crate::generic::block_float(&b)?, b))),
            _ => None,
        };
        let (block_float, block_type) = block.map(|(f, b)| (f, *b.self_ty)).unzip();
        crate::generic::declare(generic.as_ref().map(|g| &g.ident).or(block_float.as_ref()));
        let mut params: Vec<Param> = Vec::new();
        let mut float: Option<Ident> = None;
        for input in item.sig.inputs.iter_mut() {
            if let Some(p) = param(input, &params, &mut float, &item.block, &mut errors) {
                params.push(p);
            }
        }
        let (returns, ret_float) = returns(&item.sig, &params, &mut errors);
        // A struct's float type is its own (its `Differentiable::Float`, checked by rustc).
        let structs = params.iter().any(|p| p.active && p.shape == Shape::Struct);
        let float = match (float, structs) {
            (None, true) => ret_float.clone(),
            (float, _) => float,
        };
        let float = agreed_float(&item.sig, float, ret_float, &mut errors);
        errors.finish()?;

        let ident = item.sig.ident.clone();
        let given = [args.grad, args.vjp, args.jvp, args.hvp, args.hessian, args.jacobian];
        let names = Generated::new(&ident, given, args.graph)?;
        let krate = match args.krate {
            Some(p) => quote::quote!(#p),
            None => quote::quote!(::chainrule),
        };
        let cfgs = item.attrs.iter().filter(|a| a.path().is_ident("cfg")).cloned().collect();
        let method = false;
        Ok(Function {
            vis: item.vis.clone(),
            ident,
            cfgs,
            params,
            float,
            names,
            returns,
            krate,
            item,
            method,
            generic,
            block_type,
        })
    }

    /// The result type: `F`, `[F; N]` or `(F, ..)`.
    pub fn output_type(&self) -> TokenStream {
        match (&self.returns, &self.item.sig.output) {
            (Returns::Unit, _) => quote::quote!(()),
            (Returns::Scalar, _) | (_, ReturnType::Default) => {
                let f = &self.float;
                quote::quote!(#f)
            }
            (_, ReturnType::Type(_, ty)) => quote::quote!(#ty),
        }
    }

    /// Whether a call's path names this function itself (`f(..)`, or `Self::f(..)` in an
    /// `impl` block).
    pub fn calls_itself(&self, path: &syn::Path) -> bool {
        let n = path.segments.len();
        path.is_ident(&self.ident)
            || (self.method && n == 2 && path.segments[0].ident == "Self" && path.segments[1].ident == self.ident)
    }

    /// The pullback protocol a call of `path` uses: `pullback_dyn` for a call of this function
    /// itself, whose pullback's type cannot contain itself (see `expand::items`).
    pub fn pullback_of(&self, path: &syn::Path) -> &'static str {
        if self.calls_itself(path) { "pullback_dyn" } else { "pullback" }
    }

    /// The path of one of its protocol functions: `f::pullback`, or `Self::__f_pullback` for a
    /// method.
    pub fn protocol(&self, protocol: &str) -> TokenStream {
        let ident = &self.ident;
        if self.method {
            let f = crate::code::method_protocol(ident, protocol);
            return quote::quote!(Self::#f);
        }
        let p = Ident::new(protocol, ident.span());
        quote::quote!(#ident::#p)
    }

    /// How many floats an array or tuple result holds, as written (`N` of `[f64; N]`).
    pub fn result_len(&self) -> Option<TokenStream> {
        match (&self.returns, &self.item.sig.output) {
            (Returns::Tuple(n), _) => Some(quote::quote!(#n)),
            (Returns::Array, ReturnType::Type(_, ty)) => match (&**ty, self.result_rows()) {
                (_, Some((n, m))) => Some(quote::quote!((#n) * (#m))),
                (syn::Type::Array(a), None) => {
                    let len = &a.len;
                    Some(quote::quote!(#len))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A result of rows, `[[F; N]; M]`: `N` and `M`. Inside the function it is one flat
    /// array of `N * M` floats, made rows on the way out (`__private::rows_of`).
    pub fn result_rows(&self) -> Option<(&syn::Expr, &syn::Expr)> {
        let ReturnType::Type(_, ty) = &self.item.sig.output else { return None };
        let syn::Type::Array(outer) = &**ty else { return None };
        let syn::Type::Array(inner) = &*outer.elem else { return None };
        Some((&inner.len, &outer.len))
    }

    /// The generic parameter list of every function written beside a generic one,
    /// `<F: Float>` with chainrule's `Float` by its absolute path (empty otherwise); `before`
    /// comes first (lifetimes).
    pub fn generics(&self, before: &[TokenStream]) -> TokenStream {
        self.generics_around(before, &[])
    }

    /// [`Self::generics`] with `after` (const parameters) following the float type.
    pub fn generics_around(&self, before: &[TokenStream], after: &[TokenStream]) -> TokenStream {
        let krate = &self.krate;
        let float = self.generic.as_ref().map(|g| {
            let (name, bounds) = (&g.ident, &g.bounds);
            quote::quote!(#name: #bounds + #krate::float::Float)
        });
        let all: Vec<TokenStream> = before.iter().cloned().chain(float).chain(after.iter().cloned()).collect();
        if all.is_empty() { TokenStream::new() } else { quote::quote!(<#(#all),*>) }
    }

    pub fn active(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.active)
    }
}

impl Generated {
    /// The companions' names: those the attribute gives (in the order grad, vjp, jvp, hvp,
    /// hessian, jacobian), else `f_grad`, `f_vjp`, ...
    fn new(ident: &Ident, given: [Option<Ident>; 6], graph: Option<Option<Ident>>) -> syn::Result<Self> {
        let [grad, vjp, jvp, hvp, hessian, jacobian] = given;
        let or = |name: Option<Ident>, suffix: &str| name.unwrap_or_else(|| format_ident!("{}_{}", ident, suffix));
        let names = Generated {
            grad: or(grad, "grad"),
            vjp: or(vjp, "vjp"),
            jvp: or(jvp, "jvp"),
            hvp: or(hvp, "hvp"),
            hessian: or(hessian, "hessian"),
            jacobian: or(jacobian, "jacobian"),
            graph: graph.map(|name| or(name, "graph")),
        };
        // Each companion needs a name of its own, which is not the function's.
        let mut all = vec![ident, &names.grad, &names.vjp, &names.jvp, &names.hvp, &names.hessian, &names.jacobian];
        all.extend(&names.graph);
        for (i, name) in all.iter().enumerate().skip(1) {
            if all[..i].contains(name) {
                return Err(syn::Error::new_spanned(
                    name,
                    format!(
                        "`{name}` would name two functions; give each companion (`grad`, `vjp`, `jvp`, `hvp`, `hessian`, `jacobian`, `graph`) a name of its own, other than the function's"
                    ),
                ));
            }
        }
        Ok(names)
    }
}

/// Signatures that cannot be differentiated whatever their types: `async`, `unsafe`,
/// variadic or `extern` (generics are `generic::float_param`'s).
fn signature_errors(sig: &syn::Signature, errors: &mut Errors) {
    if let Some(a) = &sig.asyncness {
        errors.push(syn::Error::new_spanned(a, "async functions cannot be differentiated; make it a plain `fn`"));
    }
    if let Some(u) = &sig.unsafety {
        errors.push(syn::Error::new_spanned(u, "unsafe functions cannot be differentiated; remove `unsafe`"));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new_spanned(v, "variadic functions cannot be differentiated"));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(abi, "extern functions cannot be differentiated; remove the ABI"));
    }
}

/// One parameter, its `#[no_grad]` stripped, or `None` if it is refused. `float` is the
/// type of the active parameters so far, which this one must share.
fn param(
    input: &mut FnArg,
    earlier: &[Param],
    float: &mut Option<Ident>,
    body: &syn::Block,
    errors: &mut Errors,
) -> Option<Param> {
    let FnArg::Typed(pt) = input else {
        // `&self` or `self` of a struct that derives `Differentiable`: a struct parameter. The
        // generated companions borrow it either way (`m.loss_grad(x)` need not consume the
        // model whose gradient it takes), and so does the protocol.
        let FnArg::Receiver(r) = &*input else { unreachable!("a parameter is typed or a receiver") };
        if r.mutability.is_some() {
            let what = if r.reference.is_some() { "`&mut self`" } else { "`mut self`" };
            errors.push(syn::Error::new_spanned(
                &*input,
                format!("{what} cannot be differentiated: a method reads its struct; take `&self` or `self`"),
            ));
            return None;
        }
        let ident = Ident::from(r.self_token);
        let ty = match &r.reference {
            Some(_) => (*r.ty).clone(),
            None => syn::parse_quote!(&Self),
        };
        return Some(Param { ident, mutable: false, ty, active: true, shape: Shape::Struct, elements: Vec::new() });
    };
    if let Some(a) = no_grad_arguments(&pt.attrs) {
        errors.push(syn::Error::new_spanned(a, "`#[no_grad]` takes no arguments"));
    }
    let no_grad = strip_no_grad(&mut pt.attrs);
    if let Some(t) = impl_trait(&pt.ty) {
        errors.push(syn::Error::new_spanned(
            t,
            "`impl Trait` parameters are not supported by #[differentiable]; take a concrete type (for a function of the input, call a #[differentiable] function instead)",
        ));
        return None;
    }
    let (ident, mutable, elements) = match &*pt.pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
            let elements = match &*pt.ty {
                Type::Tuple(t) => (0..t.elems.len()).map(|i| format_ident!("{}_{i}", p.ident)).collect(),
                _ => Vec::new(),
            };
            (p.ident.clone(), p.mutability.is_some(), elements)
        }
        Pat::Tuple(t) if matches!(&*pt.ty, Type::Tuple(ty) if ty.elems.len() == t.elems.len()) => {
            let mut names = Vec::new();
            for e in &t.elems {
                match e {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() && p.mutability.is_none() => {
                        names.push(p.ident.clone())
                    }
                    other => {
                        errors.push(syn::Error::new_spanned(
                            other,
                            "each element of a tuple parameter needs a plain name: `(x, y): (f64, f64)`",
                        ));
                        return None;
                    }
                }
            }
            let joined = names.iter().map(Ident::to_string).collect::<Vec<_>>().join("_");
            (format_ident!("{joined}"), false, names)
        }
        other => {
            errors.push(syn::Error::new_spanned(
                other,
                "parameter patterns are not supported by #[differentiable]; give the parameter a name",
            ));
            return None;
        }
    };
    // A constant array of floats is an array all the same (indexed, iterated, lent whole or
    // in part to a call, which takes it with zero derivatives); any other constant is a value.
    let constant_shape = match classify(&pt.ty) {
        Kind::Array(_, shape @ (Shape::Slice | Shape::Array | Shape::Nested)) => shape,
        _ => Shape::Scalar,
    };
    // A struct by value (`m: Model`), told from an alias of a float (`x: Real`) by its
    // derive in this file or by the body reading its fields: borrowed by the protocol and
    // the companions, as `&self` is.
    if !no_grad
        && elements.is_empty()
        && by_value_struct(&pt.ty)
            .is_some_and(|name| reads_fields(body, &ident) || crate::context::differentiable_struct(&name))
    {
        let ty = &pt.ty;
        let ty = syn::parse_quote!(&#ty);
        return Some(Param { ident, mutable, ty, active: true, shape: Shape::Struct, elements });
    }
    let (active, shape) = if no_grad { (false, constant_shape) } else { activity(&pt.ty, float, errors)? };
    if earlier.iter().any(|p| p.ident == ident) {
        errors.push(syn::Error::new_spanned(&ident, format!("`{ident}` names two parameters; rename one")));
        return None;
    }
    let shape = if elements.is_empty() { shape } else { Shape::Tuple(elements.len()) };
    if mutable && !elements.is_empty() {
        errors.push(syn::Error::new_spanned(
            &pt.pat,
            "a tuple parameter cannot be `mut`; copy its elements into `let mut` locals",
        ));
        return None;
    }
    // Rows by value (`m: [[f64; 3]; 3]`) are borrowed by the protocol and the companions,
    // as a struct by value is: their gradient has their shape all the same.
    let ty = match (&shape, &*pt.ty) {
        (Shape::Nested, Type::Array(_)) => {
            let ty = &pt.ty;
            syn::parse_quote!(&#ty)
        }
        (_, ty) => ty.clone(),
    };
    Some(Param { ident, mutable, ty, active, shape, elements })
}

/// The name of a named type without generic arguments that is not a scalar (`Model`), as a
/// struct taken by value would be written.
fn by_value_struct(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last().filter(|s| p.qself.is_none() && struct_arguments(&s.arguments))?;
    matches!(classify(ty), Kind::Unsupported(_)).then(|| last.ident.to_string())
}

/// Whether a struct's type has arguments a struct may have: none, or types and lifetimes
/// (`Mlp<F>`, generic over the float type).
fn struct_arguments(args: &syn::PathArguments) -> bool {
    match args {
        syn::PathArguments::None => true,
        syn::PathArguments::AngleBracketed(a) => {
            a.args.iter().all(|g| matches!(g, syn::GenericArgument::Type(_) | syn::GenericArgument::Lifetime(_)))
        }
        syn::PathArguments::Parenthesized(_) => false,
    }
}

/// Whether the body reads a named field of `ident` (`m.w`, `m.layer.b`).
fn reads_fields(body: &syn::Block, ident: &Ident) -> bool {
    any_expr(body, &|e| {
        matches!(e, syn::Expr::Field(f) if matches!(f.member, syn::Member::Named(_))
            && matches!(&*f.base, syn::Expr::Path(p) if p.path.is_ident(ident)))
    })
}

/// Whether `block` holds an expression for which `found` is true.
pub fn any_expr(block: &syn::Block, found: &dyn Fn(&syn::Expr) -> bool) -> bool {
    struct Find<'a> {
        found: &'a dyn Fn(&syn::Expr) -> bool,
        any: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Find<'_> {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            self.any |= (self.found)(e);
            syn::visit::visit_expr(self, e);
        }
    }
    let mut find = Find { found, any: false };
    syn::visit::Visit::visit_block(&mut find, block);
    find.any
}

/// Whether a parameter not marked `#[no_grad]` is active, and its shape; `None` if its type
/// is refused. An active one's float type must be the earlier active parameters' `float`.
fn activity(ty: &Type, float: &mut Option<Ident>, errors: &mut Errors) -> Option<(bool, Shape)> {
    let (f, shape) = match classify(ty) {
        Kind::Float(f) => (f, Shape::Scalar),
        Kind::Array(f, shape) => (f, shape),
        Kind::Struct => return Some((true, Shape::Struct)),
        Kind::Constant => return Some((false, Shape::Scalar)),
        Kind::Unsupported(msg) => {
            errors.push(syn::Error::new_spanned(ty, msg));
            return None;
        }
    };
    match &*float {
        Some(prev) if prev != &f => errors.push(syn::Error::new_spanned(
            ty,
            format!(
                "all active parameters must share one float type; this one is `{f}` but an earlier one is `{prev}`; convert with `as` inside the body or mark it #[no_grad]"
            ),
        )),
        Some(_) => {}
        None => *float = Some(f),
    }
    Some((true, shape))
}

/// The result's shape and its float type (`None` for `()` or a refused type).
fn returns(sig: &syn::Signature, params: &[Param], errors: &mut Errors) -> (Returns, Option<Ident>) {
    match &sig.output {
        ReturnType::Type(_, ty) => match (classify(ty), &**ty) {
            (Kind::Float(f), _) => (Returns::Scalar, Some(f)),
            (Kind::Array(f, Shape::Array | Shape::Nested), Type::Array(_)) => (Returns::Array, Some(f)),
            (_, Type::Tuple(t)) if !t.elems.is_empty() => match tuple_float(t) {
                Some(f) => (Returns::Tuple(t.elems.len()), Some(f)),
                None => {
                    errors.push(syn::Error::new_spanned(
                        ty,
                        "a returned tuple must hold floats of one type: `(f64, f64)`",
                    ));
                    (Returns::Scalar, None)
                }
            },
            _ => {
                errors.push(syn::Error::new_spanned(
                    ty,
                    "a #[differentiable] function must return `f64` or `f32`, an array `[f64; N]` or a tuple of floats",
                ));
                (Returns::Scalar, None)
            }
        },
        ReturnType::Default if params.iter().any(|p: &Param| p.shape == Shape::Out) => (Returns::Unit, None),
        ReturnType::Default => {
            errors.push(syn::Error::new_spanned(
                sig,
                "a #[differentiable] function must return `f64` or `f32`; add `-> f64`",
            ));
            (Returns::Scalar, None)
        }
    }
}

/// The float type and the row length `N` of `&[[F; N]]`, `&[[F; N]; M]` or `&Vec<[F; N]>`.
pub fn nested_row(ty: &Type) -> Option<(Ident, Option<syn::Expr>)> {
    let Type::Reference(r) = ty else { return None };
    let row = match &*r.elem {
        Type::Slice(s) => &*s.elem,
        Type::Array(a) => &*a.elem,
        Type::Path(p) => vec_element(p)?,
        _ => return None,
    };
    match row {
        Type::Array(row) => match classify(&row.elem) {
            Kind::Float(f) => Some((f, Some(row.len.clone()))),
            _ => None,
        },
        // Rows of their own lengths, `&[Vec<F>]` or `&Vec<Vec<F>>`.
        Type::Path(p) if !matches!(&*r.elem, Type::Array(_)) => match classify(vec_element(p)?) {
            Kind::Float(f) => Some((f, None)),
            _ => None,
        },
        _ => None,
    }
}

/// `T` of `Vec<T>`.
fn vec_element(p: &syn::TypePath) -> Option<&Type> {
    match p.path.segments.last() {
        Some(s) if s.ident == "Vec" => match &s.arguments {
            syn::PathArguments::AngleBracketed(a) => match a.args.first() {
                Some(syn::GenericArgument::Type(t)) => Some(t),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// The float type of a tuple of floats of one type.
fn tuple_float(t: &syn::TypeTuple) -> Option<Ident> {
    let kinds: Vec<_> = t.elems.iter().map(classify).collect();
    match kinds.first() {
        Some(Kind::Float(f)) if kinds.iter().all(|k| matches!(k, Kind::Float(g) if g == f)) => Some(f.clone()),
        _ => None,
    }
}

/// The function's float type: the active parameters' and the result's, which must agree.
/// A float result with no active parameter has nothing to differentiate.
fn agreed_float(sig: &syn::Signature, params: Option<Ident>, result: Option<Ident>, errors: &mut Errors) -> Ident {
    match (params, result) {
        (Some(p), Some(r)) => {
            if p != r {
                errors.push(syn::Error::new_spanned(
                    &sig.output,
                    format!("the result must have the active parameters' type `{p}`"),
                ));
            }
            p
        }
        (None, Some(r)) if !errors.has_any() => {
            errors.push(syn::Error::new_spanned(
                &sig.inputs,
                format!("nothing to differentiate: no parameter is `{r}`; add one, or drop #[differentiable]"),
            ));
            r
        }
        (None, Some(r)) => r,
        (Some(p), None) => p,
        (None, None) => format_ident!("f64"),
    }
}

/// The first `impl Trait` in a type: an anonymous type parameter, which the generated
/// functions could not name in what their pullback captures.
fn impl_trait(ty: &Type) -> Option<&Type> {
    struct Find<'a>(Option<&'a Type>);
    impl<'a> syn::visit::Visit<'a> for Find<'a> {
        fn visit_type(&mut self, ty: &'a Type) {
            match ty {
                Type::ImplTrait(_) if self.0.is_none() => self.0 = Some(ty),
                _ => syn::visit::visit_type(self, ty),
            }
        }
    }
    let mut find = Find(None);
    syn::visit::Visit::visit_type(&mut find, ty);
    find.0
}

fn strip_no_grad(attrs: &mut Vec<syn::Attribute>) -> bool {
    let before = attrs.len();
    attrs.retain(|a| !a.path().is_ident("no_grad"));
    attrs.len() != before
}

/// `#[no_grad]` takes no arguments.
fn no_grad_arguments(attrs: &[syn::Attribute]) -> Option<&syn::Attribute> {
    attrs.iter().find(|a| a.path().is_ident("no_grad") && !matches!(a.meta, syn::Meta::Path(_)))
}

pub enum Kind {
    Float(Ident),
    /// Floats in an array by value or behind a reference, with the element type.
    Array(Ident, Shape),
    /// `&S` of any other named type: a struct that must derive `Differentiable`.
    Struct,
    Constant,
    Unsupported(String),
}

/// Which parameters are differentiated. Floats are; integers, `bool` and `char` are
/// constants. Anything else is refused rather than guessed: treating an alias of `f64` as a
/// constant would silently drop its gradient.
pub fn classify(ty: &Type) -> Kind {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return Kind::Unsupported("empty type".into());
            };
            let name = last.ident.to_string();
            match name.as_str() {
                "f64" | "f32" => Kind::Float(last.ident.clone()),
                _ if p.path.segments.len() == 1 && crate::generic::is_float_param(&last.ident) => {
                    Kind::Float(last.ident.clone())
                }
                "usize" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128" | "i8" | "i16" | "i32" | "i64" | "i128"
                | "bool" | "char" => Kind::Constant,
                _ => Kind::Unsupported(format!(
                    "chainrule cannot tell whether `{name}` is differentiable; write `f64` or `f32` for a differentiated parameter, `&{name}` for a struct that derives `Differentiable` (by value, one this file derives or whose fields the body reads), or put #[no_grad] on the parameter to pass it through as a constant"
                )),
            }
        }
        Type::Paren(p) => classify(&p.elem),
        Type::Tuple(t) if !t.elems.is_empty() => match tuple_float(t) {
            Some(f) => Kind::Array(f, Shape::Tuple(t.elems.len())),
            None => Kind::Unsupported(
                "only tuples of `f64` or `f32` can be differentiated; mark it #[no_grad] to pass it through".into(),
            ),
        },
        Type::Array(a) => match classify(&a.elem) {
            Kind::Float(f) => Kind::Array(f, Shape::Array),
            Kind::Constant => Kind::Constant,
            // `[[F; N]; M]` by value: rows, borrowed by the companions (see `param`).
            Kind::Array(f, Shape::Array) => Kind::Array(f, Shape::Nested),
            Kind::Array(_, Shape::Nested) => Kind::Unsupported(
                "arrays nest two deep, as rows `[[f64; N]; M]`; flatten deeper ones into rows (`[[f64; N]; M * K]`) and index the row `i * K + k`".into(),
            ),
            _ => Kind::Unsupported(
                "only arrays of `f64` or `f32` can be differentiated; mark it #[no_grad] to pass it through".into(),
            ),
        },
        // `&S` of a named type other than `Vec` and the scalars: a differentiable struct.
        Type::Reference(r)
            if r.mutability.is_none()
                && matches!(&*r.elem, Type::Path(p) if p.qself.is_none()
                    && p.path.segments.last().is_some_and(|s| s.ident != "Vec" && struct_arguments(&s.arguments))
                    && matches!(classify(&r.elem), Kind::Unsupported(_))) =>
        {
            Kind::Struct
        }
        // Rows of floats behind a shared reference.
        Type::Reference(r) if r.mutability.is_none() && nested_row(ty).is_some() => match nested_row(ty) {
            Some((f, _)) => Kind::Array(f, Shape::Nested),
            None => unreachable!("checked above"),
        },
        Type::Reference(r) => {
            let mutable = r.mutability.is_some();
            let elem = match &*r.elem {
                Type::Slice(s) => Some(&*s.elem),
                Type::Array(a) => Some(&*a.elem),
                Type::Path(p) => p.path.segments.last().filter(|s| s.ident == "Vec").and_then(|s| match &s.arguments {
                    syn::PathArguments::AngleBracketed(a) => match a.args.first() {
                        Some(syn::GenericArgument::Type(t)) => Some(t),
                        _ => None,
                    },
                    _ => None,
                }),
                _ => None,
            };
            match elem.map(classify) {
                Some(Kind::Float(f)) if mutable => Kind::Array(f, Shape::Out),
                Some(Kind::Float(f)) => Kind::Array(f, Shape::Slice),
                Some(Kind::Constant) if !mutable => Kind::Constant,
                _ => Kind::Unsupported(
                    "references are supported to float slices only (`&[f64]`, `&[f64; N]`, `&Vec<f64>`, and `&mut [f64]` for outputs); return a scalar result instead, or mark it #[no_grad] to pass it through".into(),
                ),
            }
        }
        _ => Kind::Unsupported(
            "this parameter type cannot be differentiated; use `f64` or `f32`, or mark it #[no_grad]".into(),
        ),
    }
}

/// Errors collected across a pass and reported together (serde_derive's `Ctxt`).
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub fn has_any(&self) -> bool {
        self.0.is_some()
    }

    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}
