//! `f_graph`, the companion that draws: one pass through the IR in program order, like
//! forward mode, where each active value's "tangent" is its node in a runtime
//! `chainrule::graph::Graph`, recorded with the rule table's partial derivative along each
//! operand (`Graph::op`). The graph then sweeps itself backwards (`Graph::finish`), so its
//! gradients come from the same partials as `f_grad`'s but by an independent route, which is
//! what its tests compare.
//!
//! Written only on request (`#[differentiable(graph)]`): it records at run time, and a
//! first-order user should not compile it.

use crate::ast::{Function, Shape};
use crate::code;
use crate::ir::{Block, IdVec, Ir, Op, Operand, Output, SlotId, SlotKind, Stmt, ValueId};
use crate::names::Names;
use crate::rules::Syntax;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::Ident;

struct Graph<'a> {
    ir: &'a Ir,
    func: &'a Function,
    /// The node of each active value, of each active slot (a `Vec` of nodes for an array).
    wires: IdVec<ValueId, Option<Ident>>,
    slot_wires: IdVec<SlotId, Option<Ident>>,
    /// The user's name of each value and slot, as the drawing labels it.
    labels: IdVec<ValueId, Option<String>>,
    slot_labels: IdVec<SlotId, Option<String>>,
    recorder: Ident,
    /// Locals of the generated code: an element's index, a call's pullback, partials,
    /// operands and (numbered) shadow buffers.
    tmp: [Ident; 5],
}

/// The body of `f_graph`, or our error where the function has what it cannot draw yet.
/// `entry` takes the parameters apart as the other protocol functions do.
pub fn body(ir: &Ir, func: &Function, entry: &TokenStream, names: &mut Names) -> syn::Result<TokenStream> {
    supported(ir, func)?;
    let fresh = |names: &mut Names, base: String| names.fresh(&base, Span::call_site());
    let wires = ir.values.map(|v| v.active.then(|| fresh(names, format!("{}_node", base(&v.name)))));
    let slot_wires = ir.slots.map(|s| {
        let suffix = if matches!(s.kind, SlotKind::Scalar { .. }) { "node" } else { "nodes" };
        (s.active && s.holds_floats()).then(|| fresh(names, format!("{}_{suffix}", base(&s.name))))
    });
    let labels = ir.values.map(|v| label_name(&v.name, names));
    let slot_labels = ir.slots.map(|s| label_name(&s.name, names));
    let recorder = fresh(names, "__graph".to_string());
    let tmp = ["__i", "__pullback", "__partials", "__operands", "__shadow"].map(|t| fresh(names, t.to_string()));
    let g = Graph { ir, func, wires, slot_wires, labels, slot_labels, recorder, tmp };
    let (r, krate) = (&g.recorder, &func.krate);
    let title = func.ident.to_string();
    let inputs = g.inputs();
    let body = g.block(&ir.body);
    let Output::Scalar(o) = &ir.output else { unreachable!("checked by `supported`") };
    let out = g.wire(o);
    Ok(quote! {
        #entry
        let mut #r = #krate::graph::Graph::new(#title);
        #inputs
        #body
        #r.finish(#out)
    })
}

/// The base of a value's node's name: `q` for `q` (`q_node`), `__t3` for `__t3`.
fn base(name: &Ident) -> String {
    name.to_string().trim_start_matches("r#").to_string()
}

/// The name the user wrote for a value: its own, or the one a reassignment renamed
/// (`y_2` of `y`); none for a temporary.
fn label_name(name: &Ident, names: &Names) -> Option<String> {
    let name = name.to_string();
    let name = name.trim_start_matches("r#");
    // Our own bindings (`__t3`, an early return's `__result`) are nobody's variables.
    if name.starts_with("__") {
        return None;
    }
    if names.written(name) {
        return Some(name.to_string());
    }
    let (stem, n) = name.rsplit_once('_')?;
    (n.parse::<usize>().is_ok() && names.written(stem)).then(|| stem.to_string())
}

/// What the drawing cannot hold yet, refused with a message that says what to write.
fn supported(ir: &Ir, func: &Function) -> syn::Result<()> {
    let refuse = |span: &dyn ToTokens, what: &str| Err(syn::Error::new_spanned(span, format!("`graph`: {what}")));
    if func.method {
        return refuse(
            &func.item.sig.ident,
            "methods cannot be drawn yet; draw a free function that takes the fields it reads",
        );
    }
    if !matches!(ir.output, Output::Scalar(_)) {
        return refuse(
            &func.item.sig.output,
            "a graph's gradients are ∂f/∂node of one float result; draw a function that returns a float (a loss of this one)",
        );
    }
    for p in func.params.iter().filter(|p| p.active) {
        if !matches!(p.shape, Shape::Scalar | Shape::Array | Shape::Slice | Shape::Tuple(_)) {
            return refuse(
                &p.ty,
                "only floats, tuples of floats, float arrays and slices are drawn as inputs; mark this parameter #[no_grad] or pass its floats",
            );
        }
    }
    for v in ir.values.values().filter(|v| v.active) {
        let Op::Call { args, result, .. } = &v.op else { continue };
        let drawable = |a: &Operand| match a {
            Operand::Value(_) | Operand::Constant(_) => true,
            Operand::Array { slot, access, .. } => {
                !a.lent_mut() && ir.slots[*slot].holds_floats() && *access != crate::ir::Access::Reborrow
            }
            _ => false,
        };
        if !args.iter().all(drawable) || result.is_some() {
            let msg = "a call is drawn as one node, which needs floats or float arrays lent for reading and a float result; inline this call, or draw the callee on its own";
            return Err(syn::Error::new(v.span, format!("`graph`: {msg}")));
        }
    }
    Ok(())
}

impl Graph<'_> {
    fn to_f64(&self, x: TokenStream) -> TokenStream {
        let krate = &self.func.krate;
        quote!(#krate::float::Float::to_f64(#x))
    }

    /// An operand's node: `Wire::NONE` for a constant.
    fn wire(&self, o: &Operand) -> TokenStream {
        match self.ir.active(o).and_then(|v| self.wires[v].as_ref()) {
            Some(w) => quote!(#w),
            None => self.none(),
        }
    }

    fn none(&self) -> TokenStream {
        let krate = &self.func.krate;
        quote!(#krate::graph::Wire::NONE)
    }

    /// One input node per active float parameter, one per element of an array.
    fn inputs(&self) -> TokenStream {
        let (ir, r) = (self.ir, &self.recorder);
        let mut out = TokenStream::new();
        for (i, p) in self.func.params.iter().enumerate().filter(|(_, p)| p.active) {
            if let Some(s) = ir.param_slot(i) {
                let (x, w, name, i) = (&ir.slots[s].name, &self.slot_wires[s], p.ident.to_string(), &self.tmp[0]);
                let value = self.to_f64(quote!(#x[#i]));
                out.extend(quote! {
                    let mut #w: ::std::vec::Vec<_> = (0..#x.len()).map(|#i| #r.input_at(#name, #i, #value)).collect();
                });
                continue;
            }
            // A tuple's elements are taken apart by `entry`.
            let scalars = if p.elements.is_empty() { vec![p.ident.clone()] } else { p.elements.clone() };
            for x in &scalars {
                let Some(w) = ir.param(x).and_then(|v| self.wires[v].as_ref()) else { continue };
                let (name, value) = (x.to_string(), self.to_f64(quote!(#x)));
                out.extend(quote!(let #w = #r.input(#name, #value);));
            }
        }
        out
    }

    fn block(&self, block: &Block) -> TokenStream {
        block.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&self, stmt: &Stmt) -> TokenStream {
        let (ir, r) = (self.ir, &self.recorder);
        match stmt {
            Stmt::Def(v) => self.def(*v),
            Stmt::Declare(s) => {
                let mut out = code::declare(ir, &ir.slots[*s]).unwrap_or_default();
                if let Some(w) = &self.slot_wires[*s] {
                    let init = match &ir.slots[*s].kind {
                        SlotKind::Scalar { init } => self.wire(init),
                        SlotKind::Array { len, .. } => {
                            let (len, none) = (ir.tokens(len), self.none());
                            quote!(::std::vec![#none; #len])
                        }
                        _ => unreachable!("a parameter is not declared"),
                    };
                    out.extend(quote!(let mut #w = #init;));
                }
                out
            }
            Stmt::Set { slot, value } => {
                let (name, v) = (&ir.slots[*slot].name, ir.tokens(value));
                let mut out = quote!(#name = #v;);
                if let Some(w) = &self.slot_wires[*slot] {
                    let wire = self.wire(value);
                    out.extend(quote!(#w = #wire;));
                    if let Some(label) = &self.slot_labels[*slot] {
                        out.extend(quote!(#r.assigned(#w, #label);));
                    }
                }
                out
            }
            Stmt::Write { slot, index, value } => {
                let (name, i, v) = (&ir.slots[*slot].name, ir.tokens(index), ir.tokens(value));
                let mut out = quote!(#name[#i] = #v;);
                if let Some(w) = &self.slot_wires[*slot] {
                    let wire = self.wire(value);
                    out.extend(quote!(#w[#i] = #wire;));
                    if let Some(label) = &self.slot_labels[*slot] {
                        out.extend(quote!(#r.assigned_at(#w[#i], #label, #i);));
                    }
                }
                out
            }
            Stmt::If { cond, then, els } => {
                let (c, then, els) = (ir.tokens(cond), self.block(then), self.block(els));
                quote!(if #c { #then } else { #els })
            }
            Stmt::For { var, iter, body, .. } => {
                let (var, iter, body) = (&ir.values[*var].name, code::iter(ir, iter), self.block(body));
                quote!(#r.enter_loop(); for #var in #iter { #r.iteration(); #body } #r.exit_loop();)
            }
            Stmt::While { cond, test, body, .. } => {
                let (cond, test, body) = (self.block(cond), ir.tokens(test), self.block(body));
                quote!(#r.enter_loop(); loop { #r.iteration(); #cond if !(#test) { break; } #body } #r.exit_loop();)
            }
            Stmt::Break => quote!(break;),
            Stmt::Continue => quote!(continue;),
        }
    }

    fn def(&self, v: ValueId) -> TokenStream {
        let (ir, r) = (self.ir, &self.recorder);
        let value = &ir.values[v];
        let name = &value.name;
        match (&value.op, &self.wires[v]) {
            (Op::Param | Op::LoopVar | Op::Count | Op::Snapshot(_), _) => TokenStream::new(),
            (Op::Call { func, args, .. }, Some(w)) => self.call(v, func, args, w),
            (Op::Call { func, args, .. }, None) => {
                let args = args.iter().map(|a| ir.tokens(a));
                let call = code::plain_call(func, quote!(#(#args),*));
                quote!(let #name = #call;)
            }
            (op, w) => {
                let mut out = code::bind(value, code::primal(ir, value, &self.func.float));
                let Some(w) = w else { return out };
                out.extend(match op {
                    Op::Read(s) => {
                        let ws = &self.slot_wires[*s];
                        quote!(let #w = #ws;)
                    }
                    Op::Index { slot, index } => {
                        let (ws, i) = (&self.slot_wires[*slot], ir.tokens(index));
                        quote!(let #w = #ws[#i];)
                    }
                    // `let y = x;` and `x as F` are the same wire under another name.
                    Op::Prim { rule, args, .. } if matches!(rule.syntax, Syntax::Copy | Syntax::Cast) => {
                        let a = self.wire(&args[0]);
                        quote!(let #w = #a;)
                    }
                    Op::Prim { args, .. } => {
                        let partials = code::partials(ir, value, &self.func.float);
                        let operands = code::by_target(args.iter().map(|a| ir.active(a)).zip(partials))
                            .into_iter()
                            .map(|(a, p)| (self.wires[a].clone(), self.partial(p)))
                            .map(|(a, p)| quote!((#a, #p)));
                        let (gate, label, x) = (self.gate(v), self.label(v), self.to_f64(quote!(#name)));
                        quote!(let #w = #r.op(#gate, #label, #x, &[#(#operands),*]);)
                    }
                    _ => unreachable!("only reads, rules and calls are active"),
                });
                out
            }
        }
    }

    /// A partial derivative as an `f64` (suffixed: a generic function's literal pass leaves
    /// it an `f64`).
    fn partial(&self, p: crate::rules::Partial) -> TokenStream {
        use crate::rules::Partial;
        match p {
            Partial::Zero => quote!(0.0_f64),
            Partial::One => quote!(1.0_f64),
            Partial::MinusOne => quote!(-1.0_f64),
            Partial::Expr(e) => self.to_f64(code::paren(e)),
        }
    }

    /// `Some("q")` for a value the user named.
    fn label(&self, v: ValueId) -> TokenStream {
        match &self.labels[v] {
            Some(l) => quote!(::core::option::Option::Some(#l)),
            None => quote!(::core::option::Option::None),
        }
    }

    /// A call as one node, with the callee's gradient (its pullback of 1) as the partial
    /// derivatives along its arguments: a float's from its gradient slot, an array's elements'
    /// from a shadow buffer of the part passed (its wires then one per element).
    fn call(&self, v: ValueId, func: &syn::Path, args: &[Operand], w: &Ident) -> TokenStream {
        let (ir, r, krate) = (self.ir, &self.recorder, &self.func.krate);
        let name = &ir.values[v].name;
        let call = code::protocol_call(func, self.func.pullback_of(func), {
            let args = args.iter().map(|a| ir.tokens(a));
            quote!(#(#args),*)
        });
        let [i, pullback, partials, operands, shadow] = &self.tmp;
        let shadow_of = |k: usize| Ident::new(&format!("{shadow}{k}"), Span::call_site());
        let mut out = TokenStream::new();
        for (k, a) in args.iter().enumerate().filter(|(_, a)| a.slot().is_some()) {
            let (s, len) = (shadow_of(k), ir.passed_len(a));
            out.extend(quote!(let mut #s = ::std::vec![0.0; #len];));
        }
        let shadows = args.iter().enumerate().map(|(k, a)| match a.slot() {
            Some(_) => {
                let s = shadow_of(k);
                quote!(#krate::__private::shadow(&mut #s[..]))
            }
            None => quote!(()),
        });
        out.extend(quote! {
            let (#name, #pullback) = #call;
            let #partials = #pullback(1.0, (#(#shadows,)*));
            let mut #operands = ::std::vec::Vec::new();
        });
        for (k, a) in args.iter().enumerate() {
            let slot = syn::Index::from(k);
            match (a, a.slot()) {
                (_, Some(s)) => {
                    let Some(ws) = &self.slot_wires[s] else { continue };
                    let buffer = shadow_of(k);
                    let value = self.to_f64(quote!(#buffer[#i]));
                    let start = a.part().map_or_else(|| quote!(0), |p| ir.tokens(&p.start));
                    out.extend(quote! {
                        #krate::__private::accumulate(&mut #buffer[..], #partials.#slot);
                        for #i in 0..#buffer.len() {
                            #operands.push((#ws[#start + #i], #value));
                        }
                    });
                }
                (a, None) if ir.active(a).is_some() => {
                    let (wire, p) = (self.wire(a), self.to_f64(quote!(#partials.#slot)));
                    out.extend(quote!(#operands.push((#wire, #p));));
                }
                _ => {}
            }
        }
        let callee = func.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        let (label, x) = (self.label(v), self.to_f64(quote!(#name)));
        // The call's value and node out of a block holding the rest.
        quote!(let (#name, #w) = { #out (#name, #r.call(#callee, #label, #x, &#operands)) };)
    }

    /// The gate's text: the operator or method, with its constant operands written in and
    /// `x` for the wire (`x+1`, `1/x`, `-x`, `powi(2)`).
    fn gate(&self, v: ValueId) -> String {
        let ir = self.ir;
        let Op::Prim { rule, args, .. } = &ir.values[v].op else { return String::new() };
        let consts: Vec<Option<String>> = args.iter().map(|a| self.constant_text(a)).collect();
        match rule.syntax {
            Syntax::Infix => match (&consts[0], &consts[1]) {
                (Some(c), None) => format!("{c}{}x", rule.name),
                (None, Some(c)) => format!("x{}{c}", rule.name),
                _ => rule.name.to_string(),
            },
            Syntax::Prefix => "-x".to_string(),
            _ => {
                let rest: Vec<String> = consts.iter().skip(1).flatten().cloned().collect();
                if rest.is_empty() { rule.name.to_string() } else { format!("{}({})", rule.name, rest.join(", ")) }
            }
        }
    }

    /// A constant operand as the gate shows it: a literal as written (`1` for `1.0`), a
    /// named constant by its name, another constant as `c`; `None` for an active operand.
    fn constant_text(&self, a: &Operand) -> Option<String> {
        if self.ir.active(a).is_some() {
            return None;
        }
        Some(match a {
            Operand::Constant(t) => {
                let t = t.to_string().replace(' ', "");
                let t = t.trim_end_matches("f64").trim_end_matches("f32").trim_end_matches('_');
                t.strip_suffix(".0").unwrap_or(t).to_string()
            }
            Operand::Value(c) => self.labels[*c].clone().unwrap_or_else(|| "c".to_string()),
            _ => "c".to_string(),
        })
    }
}
