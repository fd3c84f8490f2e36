//! Iterator loops and reductions, lowered into the index loops the rest of the macro
//! differentiates: `for x in xs.iter()`, `for (i, x) in xs.iter().enumerate()`, `for (a, b)
//! in xs.iter().zip(ys)`, `for row in m.chunks_exact(d)`, `for o in out.iter_mut()`, and the
//! reductions `.sum()`, `.product()` and `.fold(init, |acc, x| ..)` over such chains, with
//! `.map(|x| ..)`, `.copied()` and `.cloned()` between. Each becomes `for __i in 0..len`
//! whose body makes the element from `__i`: a reduction is an accumulator updated in that
//! loop, as one would write it by hand. Closures are only the immediate arguments of
//! `map` and `fold`, and are inlined into the loop body.

use super::{Binding, Lower, Result};
use crate::ir::{Access, Iter, Op, Operand, Part, Slot, SlotId, SlotKind, Stmt};
use crate::rules;
use proc_macro2::Span;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Expr, ExprClosure, ExprMethodCall, Pat};

/// What one iteration yields, from the index `i` of the loop.
enum Lane<'a> {
    /// `xs[i]` of an array or slice, or `xs[offset + i]` of a part of one (a chunk).
    Element(SlotId, Option<Operand>),
    /// `start + i`, of a range.
    Offset(Operand),
    /// `&mut out[i]`, for `iter_mut`.
    Place(SlotId),
    /// Row `i` of an array, for `chunks_exact` (`&m[i * size..(i + 1) * size]`) and the
    /// rows of rows.
    Chunk(SlotId, super::Row),
    Zip(Box<Lane<'a>>, Box<Lane<'a>>),
    /// `(i, element)`.
    Enumerate(Box<Lane<'a>>),
    /// The closure applied to the element.
    Map(Box<Lane<'a>>, &'a ExprClosure),
}

/// An iteration: how many times, and what each yields.
struct Chain<'a> {
    len: Operand,
    lane: Lane<'a>,
}

/// An element, bound to a closure's or a loop's pattern.
pub(super) enum Elem {
    Value(Operand),
    Tuple(Vec<Elem>),
    /// A part of an array (a chunk): indexed, measured and passed to calls like one.
    View {
        slot: SlotId,
        offset: Operand,
        len: Operand,
    },
    /// An element of an array to write (`*o = ..`).
    Place {
        slot: SlotId,
        index: Operand,
    },
}

impl<'a> Lower<'_> {
    /// `for pat in chain { body }`, when the iterator is a chain (not a range).
    pub(super) fn for_chain(&mut self, f: &'a syn::ExprForLoop) -> Result<bool> {
        let Some(chain) = self.chain(&f.expr, true)? else { return Ok(false) };
        let breaks = super::control::has_break(&f.body.stmts);
        let pat = &*f.pat;
        self.iterate(chain, breaks, f.span(), |l, elem| {
            l.bind_pattern(pat, elem)?;
            l.exits.push(Vec::new());
            l.stmts(&f.body.stmts);
            l.exits.pop();
            Ok(())
        })?;
        Ok(true)
    }

    /// `.sum()`, `.product()` or `.fold(init, |acc, x| ..)` over a chain: an accumulator.
    pub(super) fn reduction(&mut self, m: &'a ExprMethodCall) -> Result<Option<Operand>> {
        let name = m.method.to_string();
        let (init, op) = match (name.as_str(), m.args.len()) {
            ("sum", 0) => (Operand::constant(quote!(0.0)), Fold::Rule(syn::BinOp::Add(Default::default()))),
            ("product", 0) => (Operand::constant(quote!(1.0)), Fold::Rule(syn::BinOp::Mul(Default::default()))),
            ("fold", 2) => match &m.args[1] {
                Expr::Closure(c) if c.inputs.len() == 2 => (self.expr(&m.args[0])?, Fold::Closure(c)),
                other => return Err(self.error(other, "fold with a closure of two parameters: `|acc, x| ..`")),
            },
            _ => return Ok(None),
        };
        let Some(chain) = self.chain(&m.receiver, false)? else { return Ok(None) };
        let acc_name = self.names.fresh("__acc", m.span());
        let acc =
            self.slot(Slot { name: acc_name, ty: None, kind: SlotKind::Scalar { init }, active: false, param: None });
        self.emit(Stmt::Declare(acc));
        self.iterate(chain, false, m.span(), |l, elem| {
            let current = l.value(Op::Read(acc), m.span());
            let next = match &op {
                Fold::Rule(op) => {
                    let Elem::Value(x) = elem else { return Err(l.error(m, "reduce numbers: `.map(|x| ..)` first")) };
                    let rule = rules::infix(op).expect("the arithmetic operators are in the table");
                    l.binary(rule, current, x, m.span())
                }
                Fold::Closure(c) => {
                    l.bind_pattern(&c.inputs[0], Elem::Value(current))?;
                    l.bind_pattern(&c.inputs[1], elem)?;
                    l.closure_body(c)?
                }
            };
            l.emit(Stmt::Set { slot: acc, value: next });
            Ok(())
        })?;
        Ok(Some(self.value(Op::Read(acc), m.span())))
    }

    /// The chain an expression iterates, if it is one. `whole`: a bare array (`for x in
    /// xs`) counts too.
    fn chain(&mut self, e: &'a Expr, whole: bool) -> Result<Option<Chain<'a>>> {
        let chain = match e {
            Expr::Paren(p) => return self.chain(&p.expr, whole),
            Expr::Reference(r) if whole && r.mutability.is_none() => return self.chain(&r.expr, whole),
            Expr::Path(_) | Expr::Field(_) if whole => match self.source(e) {
                Some(source) => self.elements(source),
                None => return Ok(None),
            },
            Expr::Range(r) if !whole => self.range(r)?,
            Expr::MethodCall(m) => return self.adapter(m),
            _ => return Ok(None),
        };
        Ok(Some(chain))
    }

    fn adapter(&mut self, m: &'a ExprMethodCall) -> Result<Option<Chain<'a>>> {
        let name = m.method.to_string();
        let args = m.args.len();
        let chain = match (name.as_str(), args) {
            // The rows of `&[[F; N]]`, each a view of the flat slice.
            ("iter", 0) if matches!(self.binding(&m.receiver), Some(Binding::Rows { .. })) => {
                let Some(Binding::Rows { slot, row, name, count }) = self.binding(&m.receiver) else {
                    unreachable!("rows")
                };
                let len = count.unwrap_or_else(|| self.row_count(&name, m.span()));
                Chain { len, lane: Lane::Chunk(slot, row) }
            }
            ("iter" | "into_iter", 0) => match (&*m.receiver, self.source(&m.receiver)) {
                (_, Some(source)) => self.elements(source),
                (Expr::Paren(p), None) => match &*p.expr {
                    Expr::Range(r) => self.range(r)?,
                    _ => return Ok(None),
                },
                _ => return Ok(None),
            },
            ("iter_mut", 0) => match self.array(&m.receiver) {
                Some(slot) => self.over(slot, Lane::Place(slot)),
                None => return Ok(None),
            },
            ("chunks_exact", 1) => match self.array(&m.receiver) {
                Some(slot) => {
                    let size = self.expr(&m.args[0])?;
                    let len = self.value(Op::Len(slot), m.span());
                    let count = self.opaque_int(quote!(/), len, size.clone(), m.span());
                    Chain { len: count, lane: Lane::Chunk(slot, super::Row::Stride(size)) }
                }
                None => return Ok(None),
            },
            ("copied" | "cloned", 0) => return self.chain(&m.receiver, false),
            ("enumerate", 0) => match self.chain(&m.receiver, false)? {
                Some(c) => Chain { len: c.len, lane: Lane::Enumerate(Box::new(c.lane)) },
                None => return Ok(None),
            },
            ("zip", 1) => {
                let (Some(a), Some(b)) = (self.chain(&m.receiver, false)?, self.chain(&m.args[0], true)?) else {
                    return Ok(None);
                };
                let len = self.opaque_method(quote!(min), a.len, b.len, m.span());
                Chain { len, lane: Lane::Zip(Box::new(a.lane), Box::new(b.lane)) }
            }
            ("map", 1) => match (&m.args[0], self.chain(&m.receiver, false)?) {
                (Expr::Closure(c), Some(inner)) if c.inputs.len() == 1 => {
                    Chain { len: inner.len, lane: Lane::Map(Box::new(inner.lane), c) }
                }
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        Ok(Some(chain))
    }

    /// Each element of an array, slice or view.
    fn elements(&mut self, source: Source) -> Chain<'a> {
        match source {
            Source::Whole(slot) => self.over(slot, Lane::Element(slot, None)),
            Source::View { slot, offset, len } => Chain { len, lane: Lane::Element(slot, Some(offset)) },
        }
    }

    /// What a name or `&name` iterates over: a whole array or a view.
    fn source(&self, e: &Expr) -> Option<Source> {
        match self.binding(e)? {
            Binding::View { slot, offset, len, .. } => Some(Source::View { slot, offset, len }),
            _ => self.array(e).map(Source::Whole),
        }
    }

    /// Each element of an array or slice.
    fn over(&mut self, slot: SlotId, lane: Lane<'a>) -> Chain<'a> {
        let len = self.value(Op::Len(slot), Span::call_site());
        Chain { len, lane }
    }

    /// `(a..b).iter()`-like chains over a range: `b - a` elements, `a + i` each.
    fn range(&mut self, r: &'a syn::ExprRange) -> Result<Chain<'a>> {
        let (Some(start), Some(end)) = (&r.start, &r.end) else {
            return Err(self.error(r, "iterate over a bounded range: `(a..b)`"));
        };
        let (start, end) = (self.expr(start)?, self.expr(end)?);
        let len = self.opaque_int(quote!(-), end, start.clone(), r.span());
        Ok(Chain { len, lane: Lane::Offset(start) })
    }

    /// The array a name or `&name` refers to.
    fn array(&self, e: &Expr) -> Option<SlotId> {
        if let Expr::Reference(r) = e {
            return self.array(&r.expr);
        }
        match self.binding(e)? {
            Binding::Slot(s) if !matches!(self.slots[s].kind, SlotKind::Scalar { .. }) => Some(s),
            _ => match e {
                Expr::Reference(r) => self.array(&r.expr),
                _ => None,
            },
        }
    }

    /// `for __i in 0..len { element; body }`.
    fn iterate(
        &mut self,
        chain: Chain<'a>,
        breaks: bool,
        span: Span,
        body: impl FnOnce(&mut Self, Elem) -> Result<()>,
    ) -> Result<()> {
        let iter =
            Iter { start: Operand::constant(quote!(0usize)), end: chain.len, inclusive: false, adapters: Vec::new() };
        let mut var = None;
        let mut result = Ok(());
        let (block, _) = self.region(1, |l| {
            let name = l.names.fresh("__i", span);
            let id = l.push(name, Op::LoopVar, span);
            var = Some(id);
            result = l.element(&chain.lane, l.operand(id)).and_then(|elem| body(l, elem));
            None
        });
        result?;
        let count = breaks.then(|| self.count(span));
        let var = var.expect("the loop variable is defined in the body");
        self.emit(Stmt::For { var, iter, body: block, count });
        Ok(())
    }

    /// The element a lane yields at index `i`.
    fn element(&mut self, lane: &Lane<'a>, i: Operand) -> Result<Elem> {
        let span = Span::call_site();
        Ok(match lane {
            Lane::Element(slot, None) => Elem::Value(self.value(Op::Index { slot: *slot, index: i }, span)),
            Lane::Element(slot, Some(offset)) => Elem::Value(self.view_index(*slot, offset.clone(), i, span)),
            Lane::Offset(start) if start.is_zero() => Elem::Value(i),
            Lane::Offset(start) => Elem::Value(self.opaque_int(quote!(+), start.clone(), i, span)),
            Lane::Place(slot) => Elem::Place { slot: *slot, index: i },
            Lane::Chunk(slot, row) => {
                let offset = self.row_start(row, i.clone(), span);
                let len = self.row_len(row, i, span);
                Elem::View { slot: *slot, offset, len }
            }
            Lane::Zip(a, b) => Elem::Tuple(vec![self.element(a, i.clone())?, self.element(b, i)?]),
            Lane::Enumerate(inner) => Elem::Tuple(vec![Elem::Value(i.clone()), self.element(inner, i)?]),
            Lane::Map(inner, c) => {
                let elem = self.element(inner, i)?;
                self.bind_pattern(&c.inputs[0], elem)?;
                Elem::Value(self.closure_body(c)?)
            }
        })
    }

    /// A closure's body, in the scope its parameters were just bound in.
    fn closure_body(&mut self, c: &ExprClosure) -> Result<Operand> {
        self.expr(&c.body)
    }

    /// Binds a pattern (`x`, `&x`, `(i, x)`, `_`) to an element.
    pub(super) fn bind_pattern(&mut self, pat: &Pat, elem: Elem) -> Result<()> {
        match (pat, elem) {
            (Pat::Ident(p), elem) if p.by_ref.is_none() && p.subpat.is_none() => {
                let binding = match elem {
                    Elem::Value(o) => {
                        let start = self.values.next_id();
                        Binding::Value(self.named(&p.ident, None, o, start))
                    }
                    Elem::View { slot, offset, len } => Binding::View { slot, offset, len, mutable: false },
                    Elem::Place { slot, index } => Binding::Place { slot, index },
                    Elem::Tuple(_) => return Err(self.error(pat, "bind each element of the pair: `(a, b)`")),
                };
                self.bind(&p.ident, binding);
                Ok(())
            }
            (Pat::Reference(r), elem) => self.bind_pattern(&r.pat, elem),
            (Pat::Type(t), elem) => self.bind_pattern(&t.pat, elem),
            (Pat::Paren(p), elem) => self.bind_pattern(&p.pat, elem),
            (Pat::Wild(_), _) => Ok(()),
            (Pat::Tuple(t), Elem::Tuple(elems)) if t.elems.len() == elems.len() => {
                t.elems.iter().zip(elems).try_for_each(|(p, e)| self.bind_pattern(p, e))
            }
            (other, _) => Err(self.error(other, "bind the element to a name, `&name`, or a pair `(a, b)`")),
        }
    }

    /// Integer arithmetic on indices (`a + b`, `len / size`), as the rows of `views`
    /// recognise it.
    pub(super) fn opaque_int(&mut self, op: proc_macro2::TokenStream, a: Operand, b: Operand, span: Span) -> Operand {
        let op: syn::BinOp = syn::parse2(op).expect("an arithmetic operator");
        let rule = rules::infix(&op).expect("the arithmetic operators are in the table");
        self.binary(rule, a, b, span)
    }

    fn opaque_method(&mut self, method: proc_macro2::TokenStream, a: Operand, b: Operand, span: Span) -> Operand {
        let (ta, tb) = (self.tokens(&a), self.tokens(&b));
        let code = quote!(#ta.#method(#tb));
        let why = "a length cannot depend on a differentiated value".to_owned();
        self.value(Op::Opaque { code, args: vec![a, b], active_ok: false, why }, span)
    }

    /// A view's element `row[j]`: the array's element at `offset + j`.
    pub(super) fn view_index(&mut self, slot: SlotId, offset: Operand, j: Operand, span: Span) -> Operand {
        let index = self.opaque_int(quote!(+), offset, j, span);
        self.value(Op::Index { slot, index }, span)
    }

    /// A view passed to a call: the part of its array.
    pub(super) fn view_operand(
        &mut self,
        slot: SlotId,
        offset: Operand,
        len: Operand,
        mutable: bool,
        span: Span,
    ) -> Operand {
        let end = self.opaque_int(quote!(+), offset.clone(), len, span);
        let access = if mutable { Access::Mutable } else { Access::Shared };
        Operand::Array { slot, access, part: Some(Box::new(Part { start: offset, end: Some(end) })) }
    }
}

/// What a name iterates over.
enum Source {
    Whole(SlotId),
    View { slot: SlotId, offset: Operand, len: Operand },
}

/// How a reduction combines the accumulator with an element.
enum Fold<'a> {
    Rule(syn::BinOp),
    Closure(&'a ExprClosure),
}
