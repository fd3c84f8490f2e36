//! Reverse mode, JAX-style: `pullback` runs the primal sweep and returns the value with a
//! closure (the pullback) that runs the adjoint sweep. The closure captures exactly the
//! primal values the adjoints need: these are the residuals, kept by the compiler in the
//! closure, with no tape. A call to another differentiable function `g` runs
//! `g::pullback` in the primal sweep and calls the returned closure in the adjoint sweep,
//! so each function's primal runs once however deep the call chain: the gradient costs a
//! constant factor over the primal instead of a factor that grows with the depth, as it
//! would if each adjoint sweep re-ran its callee's primal.
//!
//! Adjoints accumulate: a value used twice receives two contributions (`dx += ...`), the
//! lecture's "gradients add at branches". A value with a single use is bound once with
//! `let`, so the generated code reads like a hand-written gradient.

use crate::code::{self, Term};
use crate::ir::{Ir, Op};
use crate::names::Names;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

pub struct Pullback {
    /// The primal sweep: statements before the closure.
    pub primal: TokenStream,
    /// The closure `move |seed: F| -> (gradients) { ... }`.
    pub closure: TokenStream,
}

/// `grads[i]` is the expression for parameter `i`'s slot in the returned gradient tuple.
pub fn build(ir: &Ir, derivs: &[Option<Ident>], float: &Ident, krate: &TokenStream, names: &mut Names) -> Pullback {
    let n = ir.values.len();
    // How many contributions each value's adjoint receives; zero means unreached.
    let mut uses = vec![0usize; n];
    let output = ir.active(&ir.output);
    if let Some(o) = output {
        uses[o] += 1;
    }
    for (id, value) in ir.values.iter().enumerate().rev() {
        if uses[id] == 0 {
            continue;
        }
        match &value.op {
            Op::Prim { args, .. } => {
                for (a, p) in args.iter().zip(code::partials(ir, value, float)) {
                    if let (Some(a), false) = (ir.active(a), matches!(p, crate::rules::Partial::Zero)) {
                        uses[a] += 1;
                    }
                }
            }
            Op::Call { args, .. } => {
                for a in args.iter().filter_map(|a| ir.active(a)) {
                    uses[a] += 1;
                }
            }
            Op::Param | Op::Const(_) => {}
        }
    }

    let pullbacks: Vec<Option<Ident>> = ir
        .values
        .iter()
        .enumerate()
        .map(|(id, v)| {
            (matches!(v.op, Op::Call { .. }) && uses[id] > 0).then(|| {
                names.fresh(&format!("{}_pullback", v.name.to_string().trim_start_matches('_')), v.name.span())
            })
        })
        .collect();

    let mut primal = TokenStream::new();
    for (id, value) in ir.values.iter().enumerate() {
        match &value.op {
            Op::Param => {}
            Op::Const(_) | Op::Prim { .. } => primal.extend(code::bind(value, code::primal(value))),
            Op::Call { func, args } => {
                let name = &value.name;
                let args = args.iter().map(|a| &a.tokens);
                primal.extend(match &pullbacks[id] {
                    Some(pb) => quote!(let (#name, #pb) = #func::pullback(#(#args),*);),
                    None => quote!(let #name = #func(#(#args),*);),
                });
            }
        }
    }

    // The adjoint sweep, bottom to top.
    let mut sweep = Accumulator { derivs, uses: &uses, started: vec![false; n], out: TokenStream::new() };
    let seed = match output {
        Some(o) if uses[o] == 1 => derivs[o].clone().expect("active values have derivative names"),
        Some(_) => names.fresh("seed", proc_macro2::Span::call_site()),
        // A constant result: the seed has nowhere to go.
        None => names.fresh("_seed", proc_macro2::Span::call_site()),
    };
    if let Some(o) = output.filter(|&o| uses[o] > 1) {
        sweep.add(o, quote!(#seed));
    } else if let Some(o) = output {
        sweep.started[o] = true;
    }
    for (id, value) in ir.values.iter().enumerate().rev() {
        if uses[id] == 0 || !value.active {
            continue;
        }
        let d = derivs[id].clone().expect("active values have derivative names");
        match &value.op {
            Op::Prim { args, .. } => {
                for (a, p) in args.iter().zip(code::partials(ir, value, float)) {
                    let Some(a) = ir.active(a) else { continue };
                    if let Some(term) = code::scale(&p, &quote!(#d), true) {
                        sweep.add(a, term_tokens(term));
                    }
                }
            }
            Op::Call { args, .. } => {
                let pb = &pullbacks[id];
                let slots: Vec<Option<Ident>> = args
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        ir.active(a).map(|_| format_ident!("__{}_{}", d.to_string().trim_start_matches('_'), i))
                    })
                    .collect();
                let pattern = slots.iter().map(|s| match s {
                    Some(s) => quote!(#s),
                    None => quote!(_),
                });
                sweep.out.extend(quote!(let (#(#pattern,)*) = #pb(#d);));
                for (a, slot) in args.iter().zip(&slots) {
                    if let (Some(a), Some(slot)) = (ir.active(a), slot) {
                        sweep.add(a, quote!(#krate::__private::cotangent::<#float, _>(#slot)));
                    }
                }
            }
            Op::Param | Op::Const(_) => {}
        }
    }

    let grads = ir.values.iter().enumerate().filter_map(|(id, v)| match v.op {
        Op::Param if !v.active => Some(quote!(())),
        Op::Param if uses[id] > 0 => {
            let d = &derivs[id];
            Some(quote!(#d))
        }
        Op::Param => Some(quote!(0.0)),
        _ => None,
    });
    let body = sweep.out;
    let closure = quote!(move |#seed: #float| {
        #body
        (#(#grads,)*)
    });
    Pullback { primal, closure }
}

fn term_tokens(term: Term) -> TokenStream {
    term.to_tokens()
}

/// Emits adjoint contributions: the first binds the adjoint (`let`, or `let mut` when more
/// contributions follow), the rest add to it.
struct Accumulator<'a> {
    derivs: &'a [Option<Ident>],
    uses: &'a [usize],
    started: Vec<bool>,
    out: TokenStream,
}

impl Accumulator<'_> {
    fn add(&mut self, value: usize, contribution: TokenStream) {
        let d = &self.derivs[value];
        self.out.extend(if self.started[value] {
            quote!(#d += #contribution;)
        } else if self.uses[value] > 1 {
            quote!(let mut #d = #contribution;)
        } else {
            quote!(let #d = #contribution;)
        });
        self.started[value] = true;
    }
}
