//! Forward mode: one pass down the Wengert list, each value followed by its tangent
//! `dv = Σ ∂v/∂aᵢ · daᵢ`. Calls go to the callee's own forward mode (`g::tangent`).

use crate::code::{self, Term};
use crate::ir::{Ir, Op};
use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

/// The body of the protocol function `tangent`, whose parameters are each parameter
/// followed by its tangent (named `derivs[i]` for active ones).
pub fn body(ir: &Ir, derivs: &[Option<Ident>], float: &Ident, krate: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    let tangent = |o: &crate::ir::Operand| ir.active(o).and_then(|v| derivs[v].clone());
    for (id, value) in ir.values.iter().enumerate() {
        match &value.op {
            Op::Param => {}
            Op::Const(_) => out.extend(code::bind(value, code::primal(value))),
            Op::Prim { args, .. } => {
                out.extend(code::bind(value, code::primal(value)));
                let partials = code::partials(ir, value, float);
                let terms: Vec<Term> = args
                    .iter()
                    .zip(&partials)
                    .filter_map(|(a, p)| {
                        let d = tangent(a)?;
                        code::scale(p, &quote!(#d), false)
                    })
                    .collect();
                let d = &derivs[id];
                let sum = code::sum(&terms);
                out.extend(quote!(let #d = #sum;));
            }
            Op::Call { func, args } => {
                let (name, d) = (&value.name, &derivs[id]);
                let args = args.iter().map(|a| {
                    let t = &a.tokens;
                    match tangent(a) {
                        Some(d) => quote!(#t, #krate::__private::tangent(#d)),
                        None => quote!(#t, ::core::default::Default::default()),
                    }
                });
                out.extend(quote!(let (#name, #d) = #func::tangent(#(#args),*);));
            }
        }
    }
    let value = &ir.output.tokens;
    let d = match tangent(&ir.output) {
        Some(d) => quote!(#d),
        None => quote!(0.0),
    };
    out.extend(quote!((#value, #d)));
    out
}
