//! The intermediate representation: a Wengert list with nested regions.
//!
//! Every intermediate result is one single-assignment [`Value`]. A user variable is either
//! renamed at each assignment (straight-line code: `y`, `y_2`, ...) or, when it is assigned
//! inside a branch or loop, a mutable [`Slot`] that values are read from and written to.
//! Arrays are always slots. Statements nest in `if` and loop regions.
//!
//! Both transformations walk this structure: forward mode top to bottom with tangents
//! beside values; reverse mode top to bottom for the primal and then bottom to top for the
//! adjoints, with loops run backwards.

pub use crate::entity::{BlockId, Id, IdVec, SlotId, ValueId};
use crate::rules::Rule;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Ident, Type};

#[derive(Clone)]
pub struct Ir {
    pub values: IdVec<ValueId, Value>,
    pub slots: IdVec<SlotId, Slot>,
    pub body: Block,
    /// How many blocks there are (the body and every region), numbered at lowering.
    pub blocks: usize,
    /// What the function returns.
    pub output: Output,
    /// The fields of struct parameters the body reads.
    pub fields: Vec<Field>,
    /// The struct parameters, by position.
    pub structs: std::collections::BTreeMap<usize, StructParam>,
    /// The rows parameters of their own lengths (`&[Vec<F>]`), by position.
    pub ragged: std::collections::BTreeMap<usize, RaggedParam>,
    /// For an array result of rows (`[[F; N]; M]`), the runtime's path: its slot is flat,
    /// made rows on the way out (`rows_out`).
    pub rows_result: Option<TokenStream>,
}

/// A parameter of rows of their own lengths, copied into its flat slot on entry: the names
/// of where its rows start, and of its shadow as the pullback receives it (its flat adjoint
/// is added into it at the end).
#[derive(Clone)]
pub struct RaggedParam {
    pub starts: Ident,
    pub shadow: Ident,
}

/// A struct parameter's names in the generated code.
#[derive(Clone)]
pub struct StructParam {
    /// The parameter itself.
    pub name: Ident,
    /// Its tangent in `tangent`, its shadow in the pullback.
    pub derivative: Ident,
    /// The shadow lent to the calls it is passed to, added into its own at the end (a
    /// callee cannot borrow the shadow while its fields' parts are borrowed).
    pub calls: Ident,
}

/// A field of a struct parameter (see `lower::fields`): `path` from the parameter, as in
/// `p.layer.w`.
#[derive(Clone)]
pub struct Field {
    pub param: usize,
    pub path: Vec<Ident>,
    pub place: FieldPlace,
    /// Of a field read as rows (`p.w[i][j]` of `[[F; N]; M]` or `Vec<[F; N]>`): the local
    /// holding its row length, taken from the field's type on entry; the slot is flat.
    pub row_len: Option<Ident>,
}

/// How the body reads a field: as a slice parameter, or as a float parameter.
#[derive(Clone, Copy)]
pub enum FieldPlace {
    Array(SlotId),
    Scalar(ValueId),
}

#[derive(Clone)]
pub enum Output {
    Scalar(Operand),
    Tuple(Vec<Operand>),
    /// A local array returned by value.
    Array(SlotId),
    /// `()`: results are written into `&mut` parameters.
    Unit,
}

/// A region's statements, in order, with the block's id.
#[derive(Clone, Default)]
pub struct Block {
    pub id: BlockId,
    pub stmts: Vec<Stmt>,
}

impl std::ops::Deref for Block {
    type Target = [Stmt];
    fn deref(&self) -> &[Stmt] {
        &self.stmts
    }
}

impl<'a> IntoIterator for &'a Block {
    type Item = &'a Stmt;
    type IntoIter = std::slice::Iter<'a, Stmt>;
    fn into_iter(self) -> Self::IntoIter {
        self.stmts.iter()
    }
}

#[derive(Clone)]
pub enum Stmt {
    /// Computes a value.
    Def(ValueId),
    /// `let mut slot = init;` (its initial value, or array shape, is in the slot's kind).
    Declare(SlotId),
    /// `slot = value`.
    Set {
        slot: SlotId,
        value: Operand,
    },
    /// `slot[index] = value`.
    Write {
        slot: SlotId,
        index: Operand,
        value: Operand,
    },
    If {
        cond: Operand,
        then: Block,
        els: Block,
    },
    /// `for var in iter { body }`; `count` receives the number of iterations started when
    /// the body can `break`, so the adjoint loop knows how many to run back.
    For {
        var: ValueId,
        iter: Iter,
        body: Block,
        count: Option<ValueId>,
    },
    /// `loop { cond; if !test { break } body }`: `count` receives the number of iterations.
    While {
        cond: Block,
        test: Operand,
        body: Block,
        count: ValueId,
    },
    Break,
    Continue,
}

impl Stmt {
    /// The blocks nested directly in this statement, in program order: an `if`'s branches,
    /// a `for` loop's body, a `while` loop's condition and body.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        let (a, b) = match self {
            Stmt::If { then, els, .. } => (Some(then), Some(els)),
            Stmt::For { body, .. } => (Some(body), None),
            Stmt::While { cond, body, .. } => (Some(cond), Some(body)),
            _ => (None, None),
        };
        a.into_iter().chain(b)
    }

    /// Whether this statement is a loop, whose nested blocks run repeatedly.
    pub fn is_loop(&self) -> bool {
        matches!(self, Stmt::For { .. } | Stmt::While { .. })
    }
}

/// Where a statement stands: the block that holds it, and the loops around it.
#[derive(Clone, Copy)]
pub struct Nest<'a> {
    pub block: BlockId,
    pub loops: usize,
    /// The innermost enclosing loop statement.
    pub innermost: Option<&'a Stmt>,
}

impl<'a> Nest<'a> {
    fn top(body: &Block) -> Self {
        Nest { block: body.id, loops: 0, innermost: None }
    }

    /// Inside `block`, nested in `stmt`.
    fn into(self, stmt: &'a Stmt, block: &Block) -> Self {
        match stmt.is_loop() {
            true => Nest { block: block.id, loops: self.loops + 1, innermost: Some(stmt) },
            false => Nest { block: block.id, ..self },
        }
    }
}

/// Every statement of `block` and of the regions nested in it, in program order, each
/// statement before the statements nested in it (`walk`) or after them (`walk_post`), with
/// where it stands. The one traversal of the IR's regions: passes that visit every
/// statement use these rather than recursing over `Stmt` by hand.
pub fn walk<'a>(block: &'a Block, f: &mut impl FnMut(&'a Stmt, Nest<'a>)) {
    visit(block, Nest::top(block), false, f)
}

pub fn walk_post<'a>(block: &'a Block, f: &mut impl FnMut(&'a Stmt, Nest<'a>)) {
    visit(block, Nest::top(block), true, f)
}

fn visit<'a>(block: &'a Block, nest: Nest<'a>, post: bool, f: &mut impl FnMut(&'a Stmt, Nest<'a>)) {
    for stmt in block {
        if !post {
            f(stmt, nest);
        }
        for b in stmt.blocks() {
            visit(b, nest.into(stmt, b), post, f);
        }
        if post {
            f(stmt, nest);
        }
    }
}

/// The same statements in reverse program order, each after those nested in it: for facts
/// that flow from uses back to definitions.
pub fn walk_rev<'a>(block: &'a Block, f: &mut impl FnMut(&'a Stmt, Nest<'a>)) {
    fn go<'a>(block: &'a Block, nest: Nest<'a>, f: &mut impl FnMut(&'a Stmt, Nest<'a>)) {
        for stmt in block.iter().rev() {
            let blocks: Vec<&Block> = stmt.blocks().collect();
            for b in blocks.into_iter().rev() {
                go(b, nest.into(stmt, b), f);
            }
            f(stmt, nest);
        }
    }
    go(block, Nest::top(block), f)
}

/// A range loop's iterator: `start..end` or `start..=end`, then `.rev()` / `.step_by(step)`
/// in source order.
#[derive(Clone)]
pub struct Iter {
    pub start: Operand,
    pub end: Operand,
    pub inclusive: bool,
    pub adapters: Vec<Adapter>,
}

#[derive(Clone)]
pub enum Adapter {
    Rev,
    StepBy(Operand),
}

#[derive(Clone)]
pub struct Value {
    /// The user's variable name when the value is bound by `let`, else a fresh temporary.
    pub name: Ident,
    /// The user's type annotation, kept so generated code infers exactly as theirs does.
    pub ty: Option<Type>,
    pub op: Op,
    /// Whether the value depends on an active parameter (needs a tangent and an adjoint).
    pub active: bool,
    /// Where it is defined: the number of enclosing loops and branches.
    pub depth: Depth,
    pub span: proc_macro2::Span,
    /// The syntax it came from, when an error about it should cover all of it.
    pub origin: Option<TokenStream>,
}

impl Slot {
    /// Whether it may hold floats: not an array of integers, `bool`s or `char`s
    /// (`[0usize; n]`, `vec![false; n]`), which a call writing it cannot make active.
    pub fn holds_floats(&self) -> bool {
        let init = match &self.kind {
            SlotKind::Scalar { init } | SlotKind::Array { init, .. } => init,
            SlotKind::ArrayParam { .. } | SlotKind::OutParam => return true,
        };
        match init {
            Operand::Constant(t) => !matches!(
                syn::parse2::<syn::Lit>(t.clone()),
                Ok(syn::Lit::Int(_) | syn::Lit::Bool(_) | syn::Lit::Char(_))
            ),
            _ => true,
        }
    }
}

impl Value {
    /// Whether this is a `&mut` parameter held as a constant (`#[no_grad] used: &mut
    /// [usize]`), whose contents the body may change.
    pub fn is_mutable_param(&self) -> bool {
        matches!(self.op, Op::Param) && matches!(&self.ty, Some(Type::Reference(r)) if r.mutability.is_some())
    }
}

#[derive(Clone, Copy, Default, PartialEq)]
pub struct Depth {
    pub loops: usize,
    pub branches: usize,
}

#[derive(Clone)]
pub enum Op {
    /// A scalar parameter of the function.
    Param,
    /// The loop variable of a `for`.
    LoopVar,
    /// Code the macro does not differentiate (integer arithmetic, comparisons, casts to
    /// integers, methods without a rule), written out over its arguments: its result is a
    /// constant. `active_ok`: an active argument is fine (a comparison of floats yields a
    /// constant `bool`); otherwise an active argument is an error, `why`.
    Opaque { code: TokenStream, args: Vec<Operand>, active_ok: bool, why: String },
    /// A primitive from the rule table applied to operands. A function primitive
    /// (`stop_gradient`) is called through `callee`, the path the user wrote, checked to be
    /// the runtime's function.
    Prim { rule: &'static Rule, args: Vec<Operand>, callee: Option<TokenStream> },
    /// A call of another differentiable function (or one with a custom derivative). `spans`:
    /// the first and last token of each argument as written, where an error about passing
    /// it (a differentiated value to a constant parameter) belongs.
    /// `plain`: the callee is known to be a plain function (see `context`), an error if the
    /// call turns out active. `snapshots`: when the call reads an array of this function's
    /// own through a reference (`sqnorm(&c)`, `&c[a..b]`, `&out[..]`), a copy of each such
    /// array argument taken before the call. Such a call is *deferred* in reverse mode: the
    /// primal sweep calls the function itself, and the adjoint sweep runs its `pullback` on
    /// the copies (a pullback made in the primal sweep would borrow the array beyond its
    /// life, or past the writes that follow the call).
    /// `result`: the local array that receives the result, when it is an array or a tuple
    /// of floats (`let c = cross(a, b);`, `let (s, co) = sincos(t);`); the call's own value
    /// is then that result, which nothing reads, and its adjoint is the array's.
    Call {
        func: syn::Path,
        args: Vec<Operand>,
        spans: Vec<(proc_macro2::Span, proc_macro2::Span)>,
        plain: bool,
        snapshots: Vec<Option<ValueId>>,
        result: Option<SlotId>,
    },
    /// A copy of a whole array, taken for a deferred call (see `Op::Call`): a constant.
    Snapshot(SlotId),
    /// The current value of a scalar slot.
    Read(SlotId),
    /// `slot[index]`.
    Index { slot: SlotId, index: Operand },
    /// `slot.len()`.
    Len(SlotId),
    /// The number of iterations a loop ran (defined by the loop statement).
    Count,
}

#[derive(Clone)]
pub struct Slot {
    pub name: Ident,
    pub ty: Option<Type>,
    pub kind: SlotKind,
    pub active: bool,
    /// The parameter this slot holds, if any.
    pub param: Option<usize>,
}

#[derive(Clone)]
pub enum SlotKind {
    Scalar {
        init: Operand,
    },
    /// `[init; len]` (a fixed array) or `vec![init; len]`; for a parameter, its own shape.
    Array {
        init: Operand,
        len: Operand,
        vec: bool,
    },
    /// An array or slice parameter: `[F; N]` by value (`by_value`) or a reference (which
    /// a callee's pullback may keep borrowing).
    ArrayParam {
        by_value: bool,
    },
    /// A `&mut [F]` parameter the function writes its results into.
    OutParam,
}

/// An argument of an operation: a value, a whole array, or an inline constant.
#[derive(Clone)]
pub enum Operand {
    Value(ValueId),
    /// An array slot passed whole or in part, as written: `xs`, `&a`, `&x[a..b]`, or lent
    /// mutably for the callee to write (`&mut a`, `&mut out[a..]`, or a `&mut` parameter
    /// passed on).
    Array {
        slot: SlotId,
        access: Access,
        part: Option<Box<Part>>,
    },
    /// A constant expression, as written: a literal, a path such as `PI`, `cfg!(..)`.
    Constant(TokenStream),
    /// A struct parameter passed on whole to a call (`g(p, x)`, `self.helper(x)`), or a field
    /// of one (`g(&p.layer, x)`, `path` the fields): the callee takes its tangent and its
    /// shadow as they are, the same fields of the tangent and of the shadow.
    Struct {
        param: usize,
        name: Ident,
        path: Vec<Ident>,
    },
    /// A tuple of floats passed to a call (`norm2((x, 1.0))`, `norm2(p)` of a tuple
    /// parameter or `let p = (a, b);`): its elements, each a value or a constant.
    Tuple(Vec<Operand>),
}

/// Part of an array passed to a call: `start..end`, or `start..` to the end.
#[derive(Clone)]
pub struct Part {
    pub start: Operand,
    pub end: Option<Operand>,
}

/// How an array operand is passed.
#[derive(Clone, Copy, PartialEq)]
pub enum Access {
    /// `xs`: the name itself (a slice parameter passed on, an array by value).
    Name,
    /// `&a`.
    Shared,
    /// `&mut a`: a local array lent to be written.
    Mutable,
    /// `&mut *out`: a `&mut` parameter passed on to be written.
    Reborrow,
}

impl Op {
    /// The array a call writes its result into (see `Op::Call`).
    pub fn result(&self) -> Option<SlotId> {
        match self {
            Op::Call { result, .. } => *result,
            _ => None,
        }
    }

    /// Whether this is a call whose pullback runs in the adjoint sweep (see `Op::Call`).
    pub fn deferred(&self) -> bool {
        matches!(self, Op::Call { snapshots, .. } if snapshots.iter().any(Option::is_some))
    }
}

impl Operand {
    /// An inline constant: a literal or a path.
    pub fn constant(tokens: TokenStream) -> Self {
        Operand::Constant(tokens)
    }

    pub fn value(&self) -> Option<ValueId> {
        match self {
            Operand::Value(v) => Some(*v),
            _ => None,
        }
    }

    /// The values an operand is made of: its value, or a tuple's elements' values.
    pub fn values(&self) -> Vec<ValueId> {
        match self {
            Operand::Tuple(elements) => elements.iter().filter_map(Operand::value).collect(),
            other => other.value().into_iter().collect(),
        }
    }

    pub fn slot(&self) -> Option<SlotId> {
        match self {
            Operand::Array { slot, .. } => Some(*slot),
            _ => None,
        }
    }

    /// The part of its array an array operand passes, if not all of it.
    pub fn part(&self) -> Option<&Part> {
        match self {
            Operand::Array { part, .. } => part.as_deref(),
            _ => None,
        }
    }

    /// The slot is lent mutably: the callee writes it.
    pub fn lent_mut(&self) -> bool {
        matches!(self, Operand::Array { access: Access::Mutable | Access::Reborrow, .. })
    }

    /// The operand as code, given the names of values and slots.
    pub fn tokens(&self, values: &IdVec<ValueId, Value>, slots: &IdVec<SlotId, Slot>) -> TokenStream {
        match self {
            Operand::Value(v) => values[*v].name.to_token_stream(),
            Operand::Array { slot, access, part: Some(part) } => {
                let (name, range) = (&slots[*slot].name, part.range(values, slots));
                match access {
                    Access::Mutable | Access::Reborrow => quote::quote!(&mut #name[#range]),
                    Access::Name | Access::Shared => quote::quote!(&#name[#range]),
                }
            }
            Operand::Array { slot, access, part: None } => {
                let name = &slots[*slot].name;
                match access {
                    Access::Name => quote::quote!(#name),
                    Access::Shared => quote::quote!(&#name),
                    Access::Mutable => quote::quote!(&mut #name),
                    Access::Reborrow => quote::quote!(&mut *#name),
                }
            }
            Operand::Constant(tokens) => tokens.clone(),
            Operand::Struct { name, path, .. } if path.is_empty() => name.to_token_stream(),
            Operand::Struct { name, path, .. } => quote::quote!(&#name #(.#path)*),
            Operand::Tuple(elements) => {
                let elements = elements.iter().map(|e| e.tokens(values, slots));
                quote::quote!((#(#elements,)*))
            }
        }
    }

    /// An array operand passed as `copy`, an owned copy of its array that the expression
    /// consumes (`&mut { copy }[a..b]` needs no `mut` binding).
    pub fn tokens_of_copy(
        &self,
        copy: &Ident,
        values: &IdVec<ValueId, Value>,
        slots: &IdVec<SlotId, Slot>,
    ) -> TokenStream {
        let Operand::Array { access, part, .. } = self else { return self.tokens(values, slots) };
        let range = part.as_ref().map(|p| p.range(values, slots));
        match (access, range) {
            (Access::Name, None) => quote::quote!(#copy),
            (Access::Name | Access::Shared, Some(r)) => quote::quote!(&#copy[#r]),
            (Access::Shared, None) => quote::quote!(&#copy),
            (Access::Mutable | Access::Reborrow, Some(r)) => quote::quote!(&mut ({ #copy })[#r]),
            (Access::Mutable | Access::Reborrow, None) => quote::quote!(&mut ({ #copy })[..]),
        }
    }

    /// Whether two scalar operands are the same value or the same constant as written (an
    /// array index read and written at, say).
    pub fn same_scalar(&self, other: &Operand) -> bool {
        match (self, other) {
            (Operand::Value(x), Operand::Value(y)) => x == y,
            (Operand::Constant(x), Operand::Constant(y)) => x.to_string() == y.to_string(),
            _ => false,
        }
    }

    /// Whether this is the literal `0` (a range from it needs no offset).
    pub fn is_zero(&self) -> bool {
        matches!(self, Operand::Constant(t) if syn::parse2::<syn::LitInt>(t.clone()).is_ok_and(|l| l.base10_digits() == "0"))
    }
}

impl Part {
    /// `start..end` or `start..`.
    pub fn range(&self, values: &IdVec<ValueId, Value>, slots: &IdVec<SlotId, Slot>) -> TokenStream {
        let start = self.start.tokens(values, slots);
        match &self.end {
            Some(end) => {
                let end = end.tokens(values, slots);
                quote::quote!(#start..#end)
            }
            None => quote::quote!(#start..),
        }
    }
}

impl Ir {
    /// The part of an array (or its derivative `d`) that an operand passes: `&d[a..b]`,
    /// `&mut d[a..b]`, or all of it, `&d[..]`.
    pub fn view(&self, operand: &Operand, d: &Ident, mutable: bool) -> TokenStream {
        let range = match operand.part() {
            Some(part) => part.range(&self.values, &self.slots),
            None => quote::quote!(..),
        };
        if mutable { quote::quote!(&mut #d[#range]) } else { quote::quote!(&#d[#range]) }
    }

    /// How many elements an array operand passes (an expression).
    pub fn passed_len(&self, operand: &Operand) -> TokenStream {
        let Some(s) = operand.slot() else { return quote::quote!(1) };
        self.passed_len_of(operand, &self.slots[s].name)
    }

    /// The same, of the array named `name` (the copy a deferred call takes, which the
    /// adjoint sweep holds where it cannot borrow the array itself).
    pub fn passed_len_of(&self, operand: &Operand, name: &Ident) -> TokenStream {
        match operand.part() {
            Some(Part { start, end: Some(end) }) => {
                let (start, end) = (self.tokens(start), self.tokens(end));
                quote::quote!((#end - #start))
            }
            Some(Part { start, end: None }) => {
                let start = self.tokens(start);
                quote::quote!((#name.len() - #start))
            }
            None => quote::quote!(#name.len()),
        }
    }

    /// The returned value as an expression.
    pub fn output_tokens(&self) -> TokenStream {
        match &self.output {
            Output::Scalar(o) => self.tokens(o),
            Output::Tuple(items) => {
                let items = items.iter().map(|o| self.tokens(o));
                quote::quote!((#(#items,)*))
            }
            Output::Array(s) => self.rows_out(&self.slots[*s].name),
            Output::Unit => quote::quote!(()),
        }
    }

    /// The array result `flat` (or its tangent) as the function returns it.
    pub fn rows_out(&self, flat: &Ident) -> TokenStream {
        match &self.rows_result {
            Some(krate) => quote::quote!(#krate::__private::rows_of(&#flat)),
            None => quote::quote!(#flat),
        }
    }

    /// The value of a scalar parameter, by its name.
    pub fn param(&self, ident: &Ident) -> Option<ValueId> {
        self.values.iter().find(|(_, v)| matches!(v.op, Op::Param) && v.name == *ident).map(|(id, _)| id)
    }

    /// Whether struct parameter `param` is passed whole to a call.
    pub fn struct_lent(&self, param: usize) -> bool {
        self.values.values().any(|v| match &v.op {
            Op::Call { args, .. } => args.iter().any(|a| matches!(a, Operand::Struct { param: p, .. } if *p == param)),
            _ => false,
        })
    }

    /// The slot of an array parameter, by its position.
    /// Whether `slot` is an `&mut` output the body writes and never reads: no read of an
    /// element, no copy, not lent to any call (whose callee might read it). What the array
    /// held before the call then cannot matter to the call.
    pub fn overwritten(&self, slot: SlotId) -> bool {
        matches!(self.slots[slot].kind, SlotKind::OutParam)
            && self.values.values().all(|v| match &v.op {
                Op::Index { slot: s, .. } | Op::Read(s) | Op::Snapshot(s) => *s != slot,
                Op::Call { args, .. } | Op::Opaque { args, .. } | Op::Prim { args, .. } => {
                    args.iter().all(|a| a.slot() != Some(slot))
                }
                _ => true,
            })
    }

    pub fn param_slot(&self, param: usize) -> Option<SlotId> {
        self.slots.iter().find(|(_, s)| s.param == Some(param)).map(|(id, _)| id)
    }

    /// The value an operand refers to, if that value is active.
    pub fn active(&self, operand: &Operand) -> Option<ValueId> {
        operand.value().filter(|&v| self.values[v].active)
    }

    /// An operand as code.
    pub fn tokens(&self, operand: &Operand) -> TokenStream {
        operand.tokens(&self.values, &self.slots)
    }
}
