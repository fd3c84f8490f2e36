//! How reverse mode stores what a `for` loop's adjoint needs: room reserved for the loop's
//! stacks before it starts, history slices indexed by the loop variable, and the rows the
//! primal sweep reads parameters through. Each keeps the loop body free of calls and bounds
//! checks, the things that stop LLVM from keeping a loop in registers or vectorising it.

use super::Plan;
use crate::ir::{Adapter, Block, Stmt, ValueId};
use crate::views;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

/// A `for` loop's history slices: the number of iterations, the values, and the counter
/// that indexes them when the loop variable cannot (a loop with `step_by` or `..=`).
pub(super) struct History {
    pub trips: Ident,
    pub at: Option<Ident>,
    pub values: Vec<ValueId>,
}

impl Plan<'_> {
    /// Rows for the parameter reads of the primal sweep's loops (see `views`): a reduction
    /// such as `s += w[j * n + i] * x[i]` then has no bounds check per element, and LLVM
    /// unrolls it as it does a hand-written one over row slices.
    pub(super) fn plan_sweep(&mut self) {
        let ir = self.ir;
        crate::ir::walk_post(&ir.body, &mut |stmt, _| {
            let Stmt::For { var, iter, body, count: None } = stmt else { return };
            if let Some(plan) = views::plan(ir, *var, iter, body, &|_| true, &|_| None, self.names) {
                for (v, row) in &plan.primal {
                    self.sweep_rows.insert(*v, (row.clone(), plan.local.clone()));
                }
                self.sweep_views.insert(*var, plan);
            }
        });
    }

    /// The values a `for` loop without `break` or `continue` defines directly in its body
    /// are pushed once per iteration: the loop writes them into a slice of its stack, at the
    /// loop variable's offset in its range (or a counter's), and the adjoint loop reads them
    /// back from there, instead of a push and a pop whose length lives in memory the loop's
    /// other stores might alias.
    pub(super) fn histories(&mut self) {
        let ir = self.ir;
        crate::ir::walk_post(&ir.body, &mut |stmt, _| {
            if let Stmt::For { var, iter, body, count: None } = stmt {
                self.history(*var, iter, body);
            }
        });
    }

    /// The history slices of one `for` loop, if it has any.
    fn history(&mut self, var: ValueId, iter: &crate::ir::Iter, body: &Block) {
        let jumps = body.iter().any(|s| matches!(s, Stmt::Break | Stmt::Continue));
        if jumps {
            return;
        }
        let values: Vec<ValueId> = body
            .iter()
            .filter_map(|s| match s {
                Stmt::Def(v)
                    if self.stacks[*v].is_some()
                        && self.stack_type(*v).is_some()
                        && !self.restored.contains(v)
                        && !self.sliced.contains_key(v) =>
                {
                    Some(*v)
                }
                _ => None,
            })
            .collect();
        if values.is_empty() {
            return;
        }
        let base = self.ir.values[var].name.to_string();
        let base = base.trim_start_matches('_');
        let trips = self.names.fresh(&format!("__{base}_trips"), Span::call_site());
        // Over `a..b`, iteration `i` keeps its values at `i - a`, an index LLVM can
        // see is in bounds; other ranges count their iterations.
        let plain = !iter.inclusive && iter.adapters.iter().all(|a| matches!(a, Adapter::Rev));
        let (at, write, read) = if plain {
            let (v, start) = (&self.ir.values[var].name, &self.ir.tokens(&iter.start));
            let local = if iter.start.is_zero() { quote!(#v) } else { quote!((#v - #start)) };
            (None, local.clone(), local)
        } else {
            let at = self.names.fresh(&format!("__{base}_at"), Span::call_site());
            (Some(at.clone()), quote!(#at - 1), quote!(#at))
        };
        for &v in &values {
            let name = self.ir.values[v].name.to_string();
            let history = self.names.fresh(&format!("__{}_history", name.trim_start_matches('_')), Span::call_site());
            self.history_of.insert(v, (history, write.clone(), read.clone()));
        }
        self.histories.insert(var, History { trips, at, values });
    }

    /// The type of a value's stack when it is one with history slices: the float type for
    /// an active value (and an array's restored copy), `usize` for an index (every `a[i]` of the function's arrays takes
    /// one); `None` for others, kept on an `AnyStack`.
    pub(super) fn stack_type(&self, v: ValueId) -> Option<TokenStream> {
        if self.ir.values[v].active || self.restored.contains(&v) || self.sliced.contains_key(&v) {
            let f = self.float();
            Some(quote!(#f))
        } else if self.indexes[v] {
            Some(quote!(usize))
        } else {
            None
        }
    }

    /// Room for one value per iteration in the stack of each value (or pullback) a `for`
    /// loop's body defines (outside loops nested in it, which reserve for themselves).
    pub(super) fn reserve(&self, body: &Block, iter: &TokenStream) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in body {
            match stmt {
                Stmt::Def(v) if self.reserved[*v] => {
                    let krate = &self.func.krate;
                    let stack = self.stacks[*v].as_ref().filter(|_| !self.history_of.contains_key(v));
                    let pullbacks = self.pullbacks[*v].as_ref().filter(|_| self.ir.values[*v].depth.loops > 0);
                    let choices = self.choices.get(v).map(|(stack, _)| stack);
                    for stack in stack.into_iter().chain(pullbacks).chain(choices) {
                        out.extend(quote!(#stack.reserve(#krate::__private::trip_count(&#iter));));
                    }
                }
                Stmt::If { then, els, .. } => {
                    out.extend(self.reserve(then, iter));
                    out.extend(self.reserve(els, iter));
                }
                _ => {}
            }
        }
        out
    }
}
