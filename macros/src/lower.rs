//! Lowering: a fenced function body becomes the IR. Expressions are flattened into
//! single-assignment values; `let` bindings name them; a variable reassigned in the same
//! region is renamed (`y`, `y_2`), one assigned inside a branch or loop becomes a mutable
//! slot; arrays are slots. `break`/`continue` are made structured here: the statements after
//! `if c { break; }` move into its `else`, so every region has one way out, which is what
//! lets reverse mode run a loop body backwards.
//!
//! Lowering decides nothing about activity: `activity` does that afterwards, because in a
//! loop a value can become active through an assignment further down.

use crate::ast::{Errors, Function, Param, Returns, Shape};
use crate::ir::{
    Block, BlockId, Depth, Id, IdVec, Ir, Op, Operand, Output, Slot, SlotId, SlotKind, Stmt, Value, ValueId,
};
use crate::names::Names;
use crate::rules;
use proc_macro2::Span;
use quote::{ToTokens, quote};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Stmt as SynStmt, Type};

mod control;
mod expr;
mod fields;
mod iter;
mod results;
mod stmt;
use control::{assigned_in_region, diverges, else_diverges, last_region_assignments, may_exit};

pub fn lower(func: &Function, body: &syn::Block, names: &mut Names) -> syn::Result<Ir> {
    let mut lower = Lower {
        func,
        names,
        values: IdVec::new(),
        slots: IdVec::new(),
        scopes: vec![HashMap::new()],
        blocks: vec![Vec::new()],
        block_ids: 1,
        errors: Errors::default(),
        temps: 0,
        unnamed: Vec::new(),
        depth: Depth::default(),
        exits: Vec::new(),
        later: Vec::new(),
        fields: Vec::new(),
        whole_fields: Vec::new(),
        structs: Default::default(),
        ragged: Default::default(),
        call_results: Default::default(),
        constant_fields: Default::default(),
        result_name: None,
    };
    let stmts = &body.stmts;
    for (i, p) in func.params.iter().enumerate() {
        lower.param(i, p, stmts);
    }
    let output = match (&func.returns, stmts.split_last()) {
        (Returns::Unit, _) => {
            lower.stmts(stmts);
            Some(Output::Unit)
        }
        (Returns::Scalar, _) | (_, None) => lower.stmts(stmts).map(Output::Scalar),
        (shape, Some((last, init))) => {
            // `let c = cross(a, b); .. c`: `c` is the array or tuple returned.
            if let SynStmt::Expr(Expr::Path(p), None) = last {
                lower.result_name = p.path.get_ident().cloned();
            }
            lower.stmts(init);
            lower.output(shape, last)
        }
    };
    let body = Block { id: BlockId::new(0), stmts: lower.blocks.pop().unwrap_or_default() };
    lower.errors.finish()?;
    let output =
        output.ok_or_else(|| syn::Error::new_spanned(&func.item.block, "the function must end with its value"))?;
    Ok(Ir {
        values: lower.values,
        slots: lower.slots,
        body,
        blocks: lower.block_ids,
        output,
        fields: lower.fields,
        structs: lower.structs,
        ragged: lower.ragged,
        rows_result: func.result_rows().map(|_| func.krate.clone()),
    })
}

#[derive(Clone)]
enum Binding {
    Value(Operand),
    Slot(SlotId),
    /// A part of an array, from an iterator over chunks (`row` of `m.chunks_exact(d)`) or
    /// bound by `let row = &x[a..b];`; `mutable` for `let o = &mut out[a..b];`, which is
    /// written through and lent to be written.
    View {
        slot: SlotId,
        offset: Operand,
        len: Operand,
        mutable: bool,
    },
    /// An element of an array to write (`o` of `out.iter_mut()`, written `*o = ..`).
    Place {
        slot: SlotId,
        index: Operand,
    },
    /// A tuple parameter, whose elements are scalar parameters (`p.0`).
    Tuple(Vec<Operand>),
    /// A struct parameter, by position, whose fields are parameters (see `fields`).
    Struct(usize),
    /// Rows of floats (`&[[F; N]]`, `&[Vec<F>]`), read through the flat slot; `name` is the
    /// parameter itself, whose `len()` counts the rows.
    Rows {
        slot: SlotId,
        row: Row,
        name: Ident,
        /// How many rows, when known (a local `[[F; N]; M]`); else `name.len()`.
        count: Option<Operand>,
    },
}

/// Where the rows of a `Binding::Rows` start in its flat slot.
#[derive(Clone)]
enum Row {
    /// Every row `n` floats long: row `i` starts at `i * n`.
    Stride(Operand),
    /// Rows of their own lengths: row `i` starts at `starts[i]`, ends at `starts[i + 1]`.
    Starts(Ident),
}

struct Lower<'a> {
    func: &'a Function,
    names: &'a mut Names,
    values: IdVec<ValueId, Value>,
    slots: IdVec<SlotId, Slot>,
    /// Innermost scope last: user variable name -> its current value or slot.
    scopes: Vec<HashMap<String, Binding>>,
    /// The statements of the blocks being built, innermost last.
    blocks: Vec<Vec<Stmt>>,
    /// Blocks numbered so far (the body is block 0).
    block_ids: usize,
    errors: Errors,
    temps: usize,
    /// Values named by `temp`, which a following `let` may rename to the user's name.
    unnamed: Vec<ValueId>,
    depth: Depth,
    /// Per enclosing loop body, the (exited, broke) flags of the guarded statements being
    /// lowered: a nested `break`/`continue` sets them instead of leaving (see `guarded`).
    exits: Vec<Vec<(SlotId, SlotId)>>,
    /// Per statement list being lowered, innermost last: the last statement that assigns
    /// each name inside a branch or loop (see `last_region_assignments`), and the index of
    /// the statement being lowered; `None` while a statement is lowered without its rest.
    later: Vec<Option<(HashMap<String, usize>, usize)>>,
    /// The fields of struct parameters the body reads, and the struct parameters' names.
    fields: Vec<crate::ir::Field>,
    /// Fields of struct parameters the body only lends whole to calls (`g(&p.layer, x)`),
    /// by parameter and path.
    whole_fields: Vec<(usize, Vec<Ident>)>,
    structs: std::collections::BTreeMap<usize, crate::ir::StructParam>,
    ragged: std::collections::BTreeMap<usize, crate::ir::RaggedParam>,
    /// The local arrays that keep a call's result, with the callee (a result of rows is read
    /// `r[i][j]`, its rows as long as the callee's `RESULT_ROW`).
    call_results: HashMap<SlotId, syn::Path>,
    /// Array fields of constant struct parameters lent or indexed as slices (`&data.xs`), by
    /// their path as written: each a slot bound once, at the top of the body.
    constant_fields: HashMap<String, SlotId>,
    /// The name the function's array or tuple result is returned by, if any.
    result_name: Option<Ident>,
}

/// An error already reported to `Lower::errors`; lowering of the enclosing node stops.
struct Reported;

type Result<T> = std::result::Result<T, Reported>;

impl Lower<'_> {
    /// Parameter `i`: a scalar is a value (or a slot, see below), an array or slice a slot.
    fn param(&mut self, i: usize, p: &Param, body: &[SynStmt]) {
        if p.shape == Shape::Struct {
            return self.struct_param(i, p, body);
        }
        if let Shape::Tuple(_) = p.shape {
            // Each element a scalar parameter; `p.0` of a named tuple reads its element.
            let mut elements = Vec::new();
            for e in &p.elements {
                let name = self.names.user(e);
                let id = self.push(name, Op::Param, e.span());
                self.values[id].active = p.active;
                let float = &self.func.float;
                self.values[id].ty = Some(syn::parse_quote!(#float));
                self.bind(e, Binding::Value(self.operand(id)));
                elements.push(self.operand(id));
            }
            self.bind(&p.ident, Binding::Tuple(elements));
            return;
        }
        // Rows of floats: one flat slice (taken on entry, see `expand::bodies`), `a[i][j]`
        // its element `i * N + j`. Rows of their own lengths are a flat copy, this function's
        // own as an array by value is (a call's pullback cannot borrow it).
        if p.shape == Shape::Nested {
            let name = self.names.fresh(&format!("{}_flat", p.ident), p.ident.span());
            let row_len = crate::ast::nested_row(&p.ty).and_then(|(_, n)| n);
            let kind = SlotKind::ArrayParam { by_value: row_len.is_none() };
            let slot = self.slot(Slot { name, ty: None, kind, active: p.active, param: Some(i) });
            let row = match row_len {
                Some(n) => Row::Stride(Operand::constant(quote!(#n))),
                None => {
                    let span = p.ident.span();
                    let starts = self.names.fresh(&format!("{}_starts", p.ident), span);
                    let shadow = self.names.fresh(&format!("{}_shadow", p.ident), span);
                    self.ragged.insert(i, crate::ir::RaggedParam { starts: starts.clone(), shadow });
                    Row::Starts(starts)
                }
            };
            self.bind(&p.ident, Binding::Rows { slot, row, name: p.ident.clone(), count: None });
            return;
        }
        let name = self.names.user(&p.ident);
        if p.shape == Shape::Scalar {
            let id = self.push(name, Op::Param, p.ident.span());
            self.values[id].active = p.active;
            self.values[id].ty = Some(p.ty.clone());
            let value = self.operand(id);
            // A `mut` parameter reassigned in a branch or loop is a slot, as a `let mut`
            // local would be, starting from the parameter's value.
            if p.mutable && assigned_in_region(body, &p.ident) {
                let name = self.names.user(&p.ident);
                let kind = SlotKind::Scalar { init: value };
                let slot = self.slot(Slot { name, ty: Some(p.ty.clone()), kind, active: false, param: None });
                self.emit(Stmt::Declare(slot));
                self.bind(&p.ident, Binding::Slot(slot));
            } else {
                self.bind(&p.ident, Binding::Value(value));
            }
        } else {
            let kind = match p.shape {
                Shape::Out => SlotKind::OutParam,
                _ => SlotKind::ArrayParam { by_value: p.shape == Shape::Array },
            };
            let slot = self.slot(Slot { name, ty: None, kind, active: p.active, param: Some(i) });
            self.bind(&p.ident, Binding::Slot(slot));
        }
    }

    fn emit(&mut self, stmt: Stmt) {
        self.blocks.last_mut().expect("the body block is never popped").push(stmt);
    }

    /// A new value, defined here.
    fn push(&mut self, name: Ident, op: Op, span: Span) -> ValueId {
        let id = self.values.push(Value { name, ty: None, op, active: false, depth: self.depth, span, origin: None });
        if !matches!(self.values[id].op, Op::Param | Op::LoopVar | Op::Count) {
            self.emit(Stmt::Def(id));
        }
        id
    }

    fn slot(&mut self, slot: Slot) -> SlotId {
        self.slots.push(slot)
    }

    fn operand(&self, id: ValueId) -> Operand {
        Operand::Value(id)
    }

    /// An operand as code.
    fn tokens(&self, o: &Operand) -> proc_macro2::TokenStream {
        o.tokens(&self.values, &self.slots)
    }

    fn error(&mut self, node: impl ToTokens, msg: impl std::fmt::Display) -> Reported {
        self.errors.push(syn::Error::new_spanned(node, msg));
        Reported
    }

    /// Syntax the fence refuses with a message of its own, so that lowering never meets it.
    /// Should one slip through, this is still a compile error, never a panic.
    fn fenced(&mut self, node: impl ToTokens) -> Reported {
        self.error(node, "this is not supported by #[differentiable]")
    }

    fn temp(&mut self, span: Span) -> Ident {
        self.temps += 1;
        self.unnamed.push(self.values.next_id());
        self.names.fresh(&format!("__t{}", self.temps), span)
    }

    /// The iteration count of a loop ending here: defined by the loop statement itself.
    fn count(&mut self, span: Span) -> ValueId {
        let name = self.names.fresh("__iterations", span);
        self.values.push(Value { name, ty: None, op: Op::Count, active: false, depth: self.depth, span, origin: None })
    }

    /// A new temporary value computed by `op`.
    fn value(&mut self, op: Op, span: Span) -> Operand {
        let name = self.temp(span);
        let id = self.push(name, op, span);
        self.operand(id)
    }

    /// A value whose errors (if its arguments turn out active) cover all of `node`.
    fn value_from(&mut self, op: Op, node: &dyn ToTokens) -> Operand {
        let o = self.value(op, node.to_token_stream().span());
        if let Some(v) = o.value() {
            self.values[v].origin = Some(node.to_token_stream());
        }
        o
    }

    fn lookup(&self, name: &str) -> Option<Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name).cloned())
    }

    fn bind(&mut self, ident: &Ident, b: Binding) {
        self.scopes.last_mut().expect("the function scope is never popped").insert(ident.to_string(), b);
    }

    /// Reassignment of a renamed variable: updates it in the scope that declared it.
    fn rebind(&mut self, ident: &Ident, b: Binding) {
        let key = ident.to_string();
        if let Some(scope) = self.scopes.iter_mut().rev().find(|s| s.contains_key(&key)) {
            scope.insert(key, b);
        }
    }

    /// The type of a value where the generated code must say it: the user's annotation or
    /// a parameter's type, else the float type of a differentiated value.
    /// Arithmetic has the type of its operands, so a short search back through them finds
    /// it (`a = x * 2.0` has the type of `x`); past a few steps it gives up (`None`: rustc
    /// infers as it does for the user's code, or asks for an annotation).
    fn type_of(&self, v: ValueId) -> Option<Type> {
        let mut v = v;
        for _ in 0..16 {
            let value = &self.values[v];
            if value.ty.is_some() {
                return value.ty.clone();
            }
            match &value.op {
                Op::Prim { rule, .. } if std::ptr::eq(*rule, rules::cast()) => {
                    let float = &self.func.float;
                    return Some(syn::parse_quote!(#float));
                }
                Op::Prim { rule, args, .. } if rule.arity > 0 => {
                    v = args.iter().find_map(Operand::value)?;
                }
                Op::Read(slot) => return self.slots[*slot].ty.clone(),
                _ => return None,
            }
        }
        None
    }

    /// Binds the result of `init` to a user variable. A value created by the expression
    /// itself takes the user's name; an existing value or a literal is copied, so the
    /// name survives in the generated code.
    fn named(&mut self, ident: &Ident, ty: Option<&Type>, init: Operand, created_after: ValueId) -> Operand {
        if let Some(v) =
            // `unnamed` is ascending: `temp` pushes the index the next value takes.
            init.value().filter(|&v| {
                v >= created_after && v.index() + 1 == self.values.len() && self.unnamed.binary_search(&v).is_ok()
            })
        {
            self.values[v].name = self.names.user(ident);
            self.values[v].ty = ty.cloned();
            return self.operand(v);
        }
        let name = self.names.user(ident);
        let copy = rules::copy();
        let id = self.push(name, Op::Prim { rule: copy, args: vec![init], callee: None }, ident.span());
        self.values[id].ty = ty.cloned();
        self.operand(id)
    }

    /// Whether a name is assigned inside a branch or loop after the statement being lowered
    /// (in the rest of its statement list).
    fn assigned_later(&self, ident: &Ident) -> bool {
        match self.later.last() {
            Some(Some((last, at))) => last.get(&ident.to_string()).is_some_and(|&j| j > *at),
            _ => false,
        }
    }

    /// A block of the given statements, with the next block id.
    fn block(&mut self, stmts: Vec<Stmt>) -> Block {
        self.block_ids += 1;
        Block { id: BlockId::new(self.block_ids - 1), stmts }
    }

    /// Runs `f` inside a new region (block and scope) and returns the block it built.
    fn region(&mut self, loops: usize, f: impl FnOnce(&mut Self) -> Option<Operand>) -> (Block, Option<Operand>) {
        let saved = self.depth;
        self.depth.loops += loops;
        self.depth.branches += 1 - loops;
        self.blocks.push(Vec::new());
        self.scopes.push(HashMap::new());
        let value = f(self);
        self.scopes.pop();
        self.depth = saved;
        let stmts = self.blocks.pop().unwrap_or_default();
        (self.block(stmts), value)
    }

    /// Lowers statements; returns the value of the trailing expression or `return`.
    fn stmts(&mut self, stmts: &[SynStmt]) -> Option<Operand> {
        self.later.push(Some((last_region_assignments(stmts), 0)));
        let result = self.stmts_in(stmts);
        self.later.pop();
        result
    }

    fn stmts_in(&mut self, stmts: &[SynStmt]) -> Option<Operand> {
        let mut result = None;
        for (i, stmt) in stmts.iter().enumerate() {
            if let Some(Some((_, at))) = self.later.last_mut() {
                *at = i;
            }
            // `if c { ..; break; }` followed by more: the rest belongs to the `else`.
            if let SynStmt::Expr(Expr::If(e), _) = stmt {
                let rest = &stmts[i + 1..];
                if !rest.is_empty() && (diverges(&e.then_branch.stmts) || else_diverges(e)) {
                    let _ = self.if_stmt(e, rest);
                    return None;
                }
            }
            // A `break`/`continue` nested deeper in `stmt`: the rest runs under `if !exited`,
            // so the adjoint loop knows which statements the last iteration skipped.
            let rest = &stmts[i + 1..];
            if !rest.is_empty() && !self.exits.is_empty() && may_exit(stmt) {
                let _ = self.guarded(stmt, rest);
                return None;
            }
            match self.stmt(stmt, &stmts[i + 1..]) {
                Ok(Some(value)) => result = Some(value),
                Ok(None) => result = None,
                Err(Reported) => {}
            }
            // What follows a `break`/`continue` in the same block never runs.
            if matches!(stmt, SynStmt::Expr(Expr::Break(_) | Expr::Continue(_), _)) {
                return None;
            }
        }
        result
    }

    /// `stmt`, then `rest` only if `stmt` did not leave the iteration. A `break`/`continue`
    /// inside `stmt` only sets flags: the iteration then ends after the guarded `rest`
    /// (`if broke { break; }`), so every iteration the adjoint loop replays ran its body to
    /// the end and recorded what the adjoint needs.
    fn guarded(&mut self, stmt: &SynStmt, rest: &[SynStmt]) -> Result<()> {
        let exited = self.flag("__exited", stmt);
        let broke = self.flag("__broke", stmt);
        // The flags stay in force over `rest` too: a `break` there must not leave before
        // the `if broke` below either.
        self.exits.last_mut().expect("inside a loop body").push((exited, broke));
        self.later.push(None);
        let lowered = self.stmt(stmt, &[]);
        self.later.pop();
        if lowered.is_ok() {
            let read = self.value(Op::Read(exited), stmt.span());
            let t = &self.tokens(&read);
            let code = quote!(!#t);
            let cond =
                self.value(Op::Opaque { code, args: vec![read], active_ok: true, why: String::new() }, stmt.span());
            let (then, _) = self.region(0, |l| {
                l.stmts(rest);
                None
            });
            let els = self.block(Vec::new());
            self.emit(Stmt::If { cond, then, els });
        }
        self.exits.last_mut().expect("inside a loop body").pop();
        lowered?;
        // Leaving for real, or, inside an enclosing guard, through its flags.
        let cond = self.value(Op::Read(broke), stmt.span());
        let (then, _) = self.region(0, |l| {
            l.exit(true);
            None
        });
        let els = self.block(Vec::new());
        self.emit(Stmt::If { cond, then, els });
        Ok(())
    }

    /// A `bool` slot declared `false` here.
    fn flag(&mut self, base: &str, node: &SynStmt) -> SlotId {
        let name = self.names.fresh(base, node.span());
        let init = Operand::constant(quote!(false));
        let flag = self.slot(Slot { name, ty: None, kind: SlotKind::Scalar { init }, active: false, param: None });
        self.emit(Stmt::Declare(flag));
        flag
    }

    /// `break` (or `continue`): a real one, or inside a guarded statement, flags that the
    /// enclosing guard acts on.
    fn exit(&mut self, is_break: bool) {
        match self.exits.last().and_then(|flags| flags.last()).copied() {
            Some((exited, broke)) => {
                // Every guard between here and the loop body learns that the iteration ended.
                let flags = self.exits.last().cloned().unwrap_or_default();
                for (e, _) in flags {
                    self.emit(Stmt::Set { slot: e, value: Operand::constant(quote!(true)) });
                }
                let _ = exited;
                if is_break {
                    self.emit(Stmt::Set { slot: broke, value: Operand::constant(quote!(true)) });
                }
            }
            None => self.emit(if is_break { Stmt::Break } else { Stmt::Continue }),
        }
    }
}
