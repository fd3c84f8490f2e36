//! The proc-macros of chainrule. Each entry point is three steps: parse the function
//! (`ast`), lower its body to the IR (`lower`, `activity`), and write the derivative code
//! (`forward`, `reverse`, `expand`). Users reach these through the `chainrule` crate.

mod activity;
mod ast;
mod code;
mod compact;
mod context;
mod custom;
mod derive;
mod dual;
mod entity;
mod expand;
mod fence;

mod forward;
mod generic;
mod graph;
mod ir;
mod lower;
mod mixed;
mod names;
mod nested;
#[cfg(test)]
mod readme;
mod returns;
mod reverse;
mod rule_cases;
mod rules;
mod views;

use proc_macro::TokenStream;

/// Differentiates a function at compile time: writes its gradient and tangent beside it, as
/// plain Rust (`f_grad`, `f_vjp`, `f_jvp`, with `f`'s visibility).
///
/// ```
/// use chainrule::prelude::*;
///
/// #[differentiable]
/// fn f(x: f64, y: f64, #[no_grad] n: i32) -> f64 {
///     (x * y).powi(n) + x.sin()
/// }
///
/// let (value, (dx, dy)) = f_grad(1.0, 2.0, 2); // reverse mode: value and gradient
/// assert_eq!((value, dx, dy), (4.0 + 1f64.sin(), 8.0 + 1f64.cos(), 4.0));
/// let (_, (sx, sy)) = f_vjp(1.0, 2.0, 2, 0.5); // the gradient times a seed
/// assert_eq!((sx, sy), (dx / 2.0, dy / 2.0));
/// let (_, tangent) = f_jvp(1.0, 1.0, 2.0, 0.0, 2); // forward mode, along (1, 0)
/// assert_eq!(tangent, dx);
/// ```
///
/// Parameters of `f64` or `f32` (scalars, arrays `[F; N]`, slices `&[F]`, tuples, rows
/// `&[[F; N]]`, structs that derive [`Differentiable`](derive@Differentiable)) are
/// differentiated; integers, `bool`s and parameters marked `#[no_grad]` are constants. The
/// result is a float, an array or tuple of floats, or written into `&mut [F]` parameters. A
/// function generic over `F: Float` also gets `f_hvp`, `f_hessian` and `f_jacobian`. What a
/// body may contain, and the error for what it may not, are in the crate's README ("Supported
/// in a body").
///
/// Arguments, all optional:
/// - `grad = name`, `vjp = name`, `jvp = name`, `hvp = name`, `hessian = name`,
///   `jacobian = name`: another name for a companion;
/// - `graph` (or `graph = name`): also write `f_graph`, the computation graph with its values
///   and gradients, drawn by `to_svg()` / `to_dot()` (`chainrule::graph`);
/// - `crate = path`: where the runtime is, for a crate that depends on `chainrule` under
///   another name (generated code names `::chainrule` otherwise).
#[proc_macro_attribute]
pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::differentiable(args.into(), item.into()).into()
}

/// Gives a function hand-written partial derivatives: `#[derivative(param = ∂f/∂param, ..,
/// output = name)]`, each partial an expression over the parameters and over the result
/// (named by `output`). The body is not differentiated, so it may use anything; the function
/// gets the same companions and calling protocol as a `#[differentiable]` one.
///
/// ```
/// use chainrule::prelude::*;
///
/// #[derivative(x = s * (1.0 - s), output = s)]
/// fn logistic(x: f64) -> f64 {
///     if x >= 0.0 { 1.0 / (1.0 + (-x).exp()) } else { x.exp() / (1.0 + x.exp()) }
/// }
///
/// #[differentiable]
/// fn neuron(w: f64, x: f64) -> f64 {
///     logistic(w * x)
/// }
///
/// let (s, ds) = logistic_grad(0.0);
/// assert_eq!((s, ds), (0.5, 0.25));
/// assert_eq!(neuron_grad(1.0, 0.0).1, (0.0, 0.25));
/// ```
#[proc_macro_attribute]
pub fn derivative(args: TokenStream, item: TokenStream) -> TokenStream {
    custom::derivative(args.into(), item.into()).into()
}

/// `#[derive(Differentiable)]`: a struct whose floats a differentiable function takes, and
/// whose gradient is a value of the same type. Fields may be floats, float arrays, `Vec`s,
/// rows, or other such structs; `#[no_grad]` fields (sizes, data) are constants. The derive
/// also gives `zeros_like`, `add_scaled` and a flat view of the floats, so an optimizer can
/// step any model.
///
/// ```
/// use chainrule::prelude::*;
///
/// #[derive(Differentiable, Clone)]
/// struct Line {
///     w: f64,
///     b: f64,
/// }
///
/// #[differentiable]
/// fn loss(line: &Line, #[no_grad] x: f64, #[no_grad] y: f64) -> f64 {
///     let e = line.w * x + line.b - y;
///     e * e
/// }
///
/// let mut line = Line { w: 0.0, b: 0.0 };
/// for _ in 0..100 {
///     let (_, grad) = loss_grad(&line, 2.0, 5.0); // grad: Line
///     line.add_scaled(-0.05, &grad);
/// }
/// assert!((line.w * 2.0 + line.b - 5.0).abs() < 1e-6);
/// ```
#[proc_macro_derive(Differentiable, attributes(no_grad))]
pub fn derive_differentiable(item: TokenStream) -> TokenStream {
    derive::derive(item.into()).into()
}

/// The compact form: `fn f(x, y) < body >`, every parameter and the result `f64`, the body
/// between `< >` a block's contents. Each function generates what `#[differentiable]` does.
///
/// ```
/// use chainrule::prelude::*;
///
/// differentiable_fns! {
///     fn f(x, y, z) < (x + y) * z >
///     pub fn h(x) < let s = sigmoid(x); s * s >
/// }
///
/// assert_eq!(f_grad(-2.0, 5.0, -4.0), (-12.0, (-4.0, -4.0, 3.0)));
/// assert_eq!(h_grad(0.0), (0.25, 0.25));
/// ```
#[proc_macro]
pub fn differentiable_fns(input: TokenStream) -> TokenStream {
    compact::differentiable_fns(input.into()).into()
}

/// One differentiable function per rule of the derivative table, for `tests/rules.rs`.
#[doc(hidden)]
#[proc_macro]
pub fn __rule_cases(_: TokenStream) -> TokenStream {
    rule_cases::rule_cases().into()
}

/// The `Float` impl of the runtime's dual numbers, from the rule table (see `dual`).
#[doc(hidden)]
#[proc_macro]
pub fn __dual_impl(extras: TokenStream) -> TokenStream {
    dual::dual_impl(extras.into()).into()
}
