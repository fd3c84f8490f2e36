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

/// Writes `f_grad`, `f_vjp` and `f_jvp` beside `f`. See the `chainrule` crate docs.
#[proc_macro_attribute]
pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::differentiable(args.into(), item.into()).into()
}

/// Gives a function a hand-written derivative. See the `chainrule` crate docs.
#[proc_macro_attribute]
pub fn derivative(args: TokenStream, item: TokenStream) -> TokenStream {
    custom::derivative(args.into(), item.into()).into()
}

/// `#[derive(Differentiable)]`: a struct whose floats a differentiable function takes, and
/// whose gradient is a value of the same type. See the `chainrule` crate docs.
#[proc_macro_derive(Differentiable, attributes(no_grad))]
pub fn derive_differentiable(item: TokenStream) -> TokenStream {
    derive::derive(item.into()).into()
}

/// The compact form `fn f(x, y) < body >`. See the `chainrule` crate docs.
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
