//! The intermediate representation: a Wengert list. Every intermediate result of the body
//! is one single-assignment [`Value`]; reassignment and shadowing create new values. Both
//! transformations walk this list: forward mode top to bottom with tangents beside values,
//! reverse mode top to bottom for the primal and then bottom to top for the adjoints.

use crate::rules::Rule;
use proc_macro2::TokenStream;
use syn::{Ident, Type};

pub struct Ir {
    pub values: Vec<Value>,
    /// What the function returns.
    pub output: Operand,
}

pub struct Value {
    /// The user's variable name when the value is bound by `let`, else a fresh temporary.
    pub name: Ident,
    /// The user's type annotation, kept so generated code infers exactly as theirs does.
    pub ty: Option<Type>,
    pub op: Op,
    /// Whether the value depends on an active parameter (needs a tangent and an adjoint).
    pub active: bool,
}

pub enum Op {
    /// A parameter of the function (parameters are the first values, in order).
    Param,
    /// An inactive computation, already written out; it has no derivative.
    Const(TokenStream),
    /// A primitive from the rule table applied to operands (at least one active).
    Prim { rule: &'static Rule, args: Vec<Operand> },
    /// A call of another differentiable function (or one with a custom derivative).
    Call { func: syn::Path, args: Vec<Operand> },
}

/// An argument of an operation: a value of the list, or an inline constant (a literal,
/// a path such as `PI`).
#[derive(Clone)]
pub struct Operand {
    pub tokens: TokenStream,
    pub value: Option<usize>,
}

impl Ir {
    /// The value an operand refers to, if that value is active.
    pub fn active(&self, operand: &Operand) -> Option<usize> {
        operand.value.filter(|&v| self.values[v].active)
    }
}
