//! Activity analysis: which values and slots depend on a differentiated parameter. A value
//! is active when an argument is; a slot when anything active is stored in it. Loops make
//! this a fixpoint (a read at the top of a loop body sees the writes at its bottom).
//!
//! Then the check that needs activity: an active value may only flow into operations that
//! have a derivative. A constant may flow anywhere.

use crate::ast::Errors;
use crate::ir::{Block, Ir, Op, Operand, SlotKind, Stmt};

pub fn analyse(ir: &mut Ir) -> syn::Result<()> {
    loop {
        let mut changed = false;
        let body = std::mem::take(&mut ir.body);
        walk(ir, &body, &mut changed);
        ir.body = body;
        if !changed {
            break;
        }
    }
    check(ir)
}

fn active(ir: &Ir, o: &Operand) -> bool {
    o.value.is_some_and(|v| ir.values[v].active) || o.slot.is_some_and(|s| ir.slots[s].active)
}

fn walk(ir: &mut Ir, block: &Block, changed: &mut bool) {
    for stmt in block {
        match stmt {
            Stmt::Def(v) => {
                let now = match &ir.values[*v].op {
                    Op::Param => ir.values[*v].active,
                    Op::LoopVar | Op::Len(_) | Op::Count => false,
                    Op::Const { .. } => false,
                    Op::Prim { args, .. } => args.iter().any(|a| active(ir, a)),
                    // A call is active through its inputs; what it writes into `&mut`
                    // arguments is active when the call is.
                    Op::Call { args, .. } => {
                        let now = args.iter().filter(|a| !a.lent_mut).any(|a| active(ir, a));
                        for s in args.iter().filter(|a| a.lent_mut).filter_map(|a| a.slot) {
                            if now && !ir.slots[s].active {
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
            Stmt::If { then, els, .. } => {
                walk(ir, then, changed);
                walk(ir, els, changed);
            }
            Stmt::For { body, .. } => walk(ir, body, changed),
            Stmt::While { cond, body, .. } => {
                walk(ir, cond, changed);
                walk(ir, body, changed);
            }
            Stmt::Break | Stmt::Continue => {}
        }
    }
}

/// Active values flowing where no derivative exists.
fn check(ir: &Ir) -> syn::Result<()> {
    let mut errors = Errors::default();
    for v in &ir.values {
        match &v.op {
            Op::Const { args, active_ok: false, why, .. } if args.iter().any(|a| active(ir, a)) => {
                errors.push(at(v, why));
            }
            Op::Prim { rule, args } => {
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
    for s in &ir.slots {
        if let SlotKind::Array { init, .. } = &s.kind {
            if active(ir, init) {
                errors.push(syn::Error::new(
                    s.name.span(),
                    "initialise an array with a constant (`[0.0; N]`) and write the differentiated elements after",
                ));
            }
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
