//! Activity analysis: which values and slots depend on a differentiated parameter. A value
//! is active when an argument is; a slot when anything active is stored in it. Loops make
//! this a fixpoint (a read at the top of a loop body sees the writes at its bottom).
//!
//! Then the check that needs activity: an active value may only flow into operations that
//! have a derivative. A constant may flow anywhere.
//!
//! Last, what is active but never reaches a result (the maximum that `stop_gradient`
//! detaches, a value only compared) is made constant, so neither mode computes its
//! derivative and reverse mode keeps none of its history.

use crate::ast::Errors;
use crate::ir::{IdVec, Ir, Op, Operand, Output, SlotId, SlotKind, Stmt, ValueId};

pub fn analyse(ir: &mut Ir) -> syn::Result<()> {
    loop {
        let mut changed = false;
        let body = std::mem::take(&mut ir.body);
        crate::ir::walk(&body, &mut |stmt, _| step(ir, stmt, &mut changed));
        ir.body = body;
        if !changed {
            break;
        }
    }
    check(ir)?;
    prune(ir);
    Ok(())
}

fn active(ir: &Ir, o: &Operand) -> bool {
    o.values().iter().any(|&v| ir.values[v].active)
        || o.slot().is_some_and(|s| ir.slots[s].active)
        || matches!(o, Operand::Struct { .. })
}

/// One statement's activity from its arguments' (control flow's blocks are visited by the
/// walk itself).
fn step(ir: &mut Ir, stmt: &Stmt, changed: &mut bool) {
    match stmt {
        Stmt::Def(v) => {
            let now = match &ir.values[*v].op {
                Op::Param => ir.values[*v].active,
                Op::LoopVar | Op::Len(_) | Op::Count | Op::Snapshot(_) => false,
                Op::Opaque { .. } => false,
                Op::Prim { rule, .. } if rule.is_flat() => false,
                Op::Prim { args, .. } => args.iter().any(|a| active(ir, a)),
                // A call is active through its inputs, and through an active array it writes:
                // what it writes there replaces a derivative (with zero, when its inputs are
                // constant), which only its derivative code does. What it writes into `&mut`
                // arguments is active when the call is.
                Op::Call { args, result, .. } => {
                    let now = args.iter().any(|a| active(ir, a));
                    let written: Vec<_> =
                        args.iter().filter(|a| a.lent_mut()).filter_map(|a| a.slot()).chain(*result).collect();
                    for s in written {
                        if now && !ir.slots[s].active && ir.slots[s].holds_floats() {
                            ir.slots[s].active = true;
                            *changed = true;
                        }
                    }
                    now
                }
                Op::Read(s) | Op::Index { slot: s, .. } => ir.slots[*s].active,
            };
            if now && !ir.values[*v].active {
                ir.values[*v].active = true;
                *changed = true;
            }
        }
        Stmt::Declare(s) => {
            let init = match &ir.slots[*s].kind {
                SlotKind::Scalar { init } | SlotKind::Array { init, .. } => active(ir, init),
                SlotKind::ArrayParam { .. } | SlotKind::OutParam => false,
            };
            if init && !ir.slots[*s].active {
                ir.slots[*s].active = true;
                *changed = true;
            }
        }
        Stmt::Set { slot, value } | Stmt::Write { slot, value, .. } => {
            if active(ir, value) && !ir.slots[*slot].active {
                ir.slots[*slot].active = true;
                *changed = true;
            }
        }
        Stmt::If { .. } | Stmt::For { .. } | Stmt::While { .. } | Stmt::Break | Stmt::Continue => {}
    }
}

/// Active values flowing where no derivative exists.
fn check(ir: &Ir) -> syn::Result<()> {
    let mut errors = Errors::default();
    for v in ir.values.values() {
        match &v.op {
            Op::Opaque { args, active_ok: false, why, .. } if args.iter().any(|a| active(ir, a)) => {
                errors.push(at(v, why));
            }
            Op::Call { func, args, plain: true, .. } if args.iter().any(|a| active(ir, a)) => {
                let name: Vec<String> = func.segments.iter().map(|s| s.ident.to_string()).collect();
                let name = name.join("::");
                errors.push(at(
                    v,
                    format!(
                        "`{name}` is not differentiable: put `#[differentiable]` on it, or give it `#[derivative(..)]`"
                    ),
                ));
            }
            Op::Prim { rule, args, .. } => {
                if let Some(&_) = rule.constant.iter().find(|&&i| active(ir, &args[i])) {
                    errors.push(at(
                        v,
                        format!(
                            "the integer argument of `{}` must not depend on a differentiated value; for a differentiable exponent use `powf`",
                            rule.name
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    for s in ir.slots.values() {
        if let SlotKind::Array { init, .. } = &s.kind
            && active(ir, init)
        {
            errors.push(syn::Error::new(
                s.name.span(),
                "initialise an array with a constant (`[0.0; N]`) and write the differentiated elements after",
            ));
        }
    }
    errors.finish()
}

/// An error on a value: over all of its syntax when known (a span cannot be joined on
/// stable Rust, so `Error::new(span)` would mark only the first token).
fn at(v: &crate::ir::Value, msg: impl std::fmt::Display) -> syn::Error {
    match &v.origin {
        Some(origin) => syn::Error::new_spanned(origin, msg),
        None => syn::Error::new(v.span, msg),
    }
}

/// Makes constant every active local value and slot that no result depends on. Parameters
/// keep their activity: it shapes the generated signatures.
fn prune(ir: &mut Ir) {
    let mut useful =
        Useful { values: ir.values.map(|_| false), slots: ir.slots.map(|s| s.param.is_some()), changed: true };
    match &ir.output {
        Output::Scalar(o) => useful.operand(o),
        Output::Tuple(items) => items.iter().for_each(|o| useful.operand(o)),
        Output::Array(s) => useful.slots[*s] = true,
        Output::Unit => {}
    }
    while useful.changed {
        useful.changed = false;
        crate::ir::walk_rev(&ir.body, &mut |stmt, _| useful.step(ir, stmt));
    }
    for (value, &useful) in ir.values.values_mut().zip(useful.values.values()) {
        if !matches!(value.op, Op::Param) && !useful {
            value.active = false;
        }
    }
    for (slot, &useful) in ir.slots.values_mut().zip(useful.slots.values()) {
        if !useful {
            slot.active = false;
        }
    }
}

/// What a result depends on, found backwards from the results to a fixpoint.
struct Useful {
    values: IdVec<ValueId, bool>,
    slots: IdVec<SlotId, bool>,
    changed: bool,
}

impl Useful {
    fn operand(&mut self, o: &Operand) {
        for v in o.values() {
            self.value(v);
        }
        if let Some(s) = o.slot() {
            self.slot(s);
        }
    }

    fn value(&mut self, v: ValueId) {
        if !self.values[v] {
            self.values[v] = true;
            self.changed = true;
        }
    }

    fn slot(&mut self, s: SlotId) {
        if !self.slots[s] {
            self.slots[s] = true;
            self.changed = true;
        }
    }

    /// What one statement needs of its arguments, given what is needed of it. The walk is
    /// backwards, as usefulness flows from uses to definitions: straight-line code takes one
    /// pass, a loop one more per value its body carries around.
    fn step(&mut self, ir: &Ir, stmt: &Stmt) {
        match stmt {
            Stmt::Def(v) => {
                let v = *v;
                match &ir.values[v].op {
                    // A call is needed for what it writes as well as for what it returns.
                    Op::Call { args, result, .. } => {
                        if args.iter().any(|a| a.lent_mut() && a.slot().is_some_and(|s| self.slots[s]))
                            || result.is_some_and(|s| self.slots[s])
                        {
                            self.value(v);
                        }
                        if self.values[v] {
                            args.iter().for_each(|a| self.operand(a));
                        }
                    }
                    // A constant's arguments have no derivative to pass on, nor have a
                    // flat primitive's.
                    Op::Opaque { .. } => {}
                    Op::Prim { rule, .. } if rule.is_flat() => {}
                    Op::Prim { args, .. } if self.values[v] => args.iter().for_each(|a| self.operand(a)),
                    Op::Read(s) | Op::Index { slot: s, .. } if self.values[v] => self.slot(*s),
                    _ => {}
                }
            }
            Stmt::Declare(s) => {
                if let (true, SlotKind::Scalar { init } | SlotKind::Array { init, .. }) =
                    (self.slots[*s], &ir.slots[*s].kind)
                {
                    self.operand(init);
                }
            }
            Stmt::Set { slot, value } | Stmt::Write { slot, value, .. } => {
                if self.slots[*slot] {
                    self.operand(value);
                }
            }
            Stmt::If { .. } | Stmt::For { .. } | Stmt::While { .. } | Stmt::Break | Stmt::Continue => {}
        }
    }
}
