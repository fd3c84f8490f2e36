//! Random programs from the grammar `#[differentiable]` supports, each with the adaptor code
//! that presents it to the checker as a `harness::Case`.
//!
//! Values stay bounded so that finite differences mean something: inputs lie in [-1, 1], every
//! expression carries an upper bound on its magnitude, and an operation that could grow past
//! [`CAP`] (a product, `exp`, `powi`, an accumulator in a loop) squashes its operand with
//! `tanh` first. Logarithms and roots see `e * e + 1.0`, divisions divide by such a sum, so no
//! domain error or pole can occur; kinks (`abs`, `max`, branches on active values) are left in
//! on purpose and found by the checker.
//!
//! Indices are always in bounds by construction: an index variable knows the range it runs
//! over, and an index that might exceed a container is reduced modulo its length.

mod adaptors;
mod expressions;
mod loops;
mod statements;

use adaptors::{adaptors, signature};

use crate::harness::Rng;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The largest magnitude an expression may reach before it is squashed.
const CAP: f64 = 50.0;

/// Every construct the generator notes; with the default count each must occur at least once,
/// so that a change to the generator cannot silently stop covering one.
pub const FEATURES: &[&str] = &[
    "!",
    "&&",
    "/",
    "*=",
    "+=",
    "-=",
    "/=",
    "=",
    "a[i] *=",
    "a[i] +=",
    "a[i] =",
    "abs",
    "accumulator",
    "array literal",
    "atan",
    "atan2",
    "block expression",
    "break",
    "call bump",
    "call dot",
    "call horner",
    "call soft_norm",
    "cast of a counter",
    "cbrt",
    "clamp",
    "computed index",
    "condition on a counter",
    "condition on an active value",
    "const path",
    "continue",
    "cos",
    "cosh",
    "else if",
    "elu",
    "exp",
    "for over .rev()",
    "for over .step_by()",
    "for over 0..n",
    "for over 0..xs.len()",
    "for over a..=b",
    "for over a..b",
    "hypot",
    "if expression",
    "if statement",
    "leaky_relu",
    "let",
    "let mut",
    "ln",
    "local array",
    "loop",
    "match expression",
    "match guard",
    "match statement",
    "max",
    "min",
    "mul_add",
    "nested loop",
    "param #[no_grad]",
    "param &Vec<f64>",
    "param &[f64; N]",
    "param &[f64]",
    "param [f64; N]",
    "param usize",
    "powf",
    "powi",
    "recurrence",
    "relu",
    "result &mut [f64]",
    "result array",
    "result tuple",
    "return",
    "sigmoid",
    "sin",
    "sinh",
    "softplus",
    "softsign",
    "shadowing",
    "sqrt",
    "squash",
    "tanh",
    "vec!",
    "while",
    "while on an active value",
    "||",
];

/// One generated program: the differentiable function, and a module body holding it, its
/// adaptors and its `CASE`.
pub struct Program {
    pub name: String,
    pub source: String,
    pub module: String,
}

#[derive(Clone, Copy, PartialEq)]
enum SliceType {
    Slice,
    ArrayRef,
    VecRef,
}

enum Param {
    Scalar(&'static str),
    Slice { name: &'static str, len: usize, ty: SliceType },
    Array { name: &'static str, len: usize },
    NoGrad { name: &'static str, value: f64 },
    Count { name: &'static str, value: usize },
    Out { name: &'static str },
}

#[derive(Clone, Copy, PartialEq)]
enum Output {
    Scalar,
    Array(usize),
    Tuple(usize),
    OutParam(usize),
}

struct Float {
    name: String,
    bound: f64,
    mutable: bool,
    /// Loop depth at the declaration: loops deeper than this repeat an update of it.
    level: usize,
}

struct Array {
    name: String,
    len: usize,
    /// How the body writes its length: `xs.len()` for slices, the literal for arrays.
    len_expr: String,
    bound: f64,
    mutable: bool,
    level: usize,
    /// A slice parameter, which may be lent to a differentiable call.
    lendable: bool,
}

/// A loop counter whose values lie in `0..hi`.
struct Index {
    name: String,
    hi: usize,
}

#[derive(Default)]
struct Scope {
    floats: Vec<Float>,
    arrays: Vec<Array>,
    indices: Vec<Index>,
}

#[derive(Clone, Copy, PartialEq)]
enum LoopKind {
    For,
    /// Over `a..=b` (which cannot be walked backwards by count: the adjoint loop replays the
    /// values it took).
    ForInclusive,
    /// `while` and `loop`: the counter is incremented at the end of the body, so a `continue`
    /// would skip it and never terminate.
    Counted,
}

struct Expr {
    code: String,
    bound: f64,
    /// Has type f64 by itself (mentions a variable); literals alone are `{float}`, on which
    /// a method call does not type-check.
    typed: bool,
}

impl Expr {
    fn new(code: String, bound: f64) -> Self {
        Expr { code, bound, typed: true }
    }
}

struct Gen<'a> {
    rng: &'a mut Rng,
    body: String,
    indent: usize,
    scopes: Vec<Scope>,
    /// Enclosing loops: kind, trip count, and the scope depth of the loop body.
    loops: Vec<(LoopKind, usize, usize)>,
    fresh: usize,
    /// The `usize` parameter and its value: a loop bound, and a constant to cast.
    count: Option<(&'static str, usize)>,
    features: &'a mut BTreeMap<&'static str, usize>,
}

/// Generates program number `index` of `seed`.
pub fn program(seed: u64, index: usize, features: &mut BTreeMap<&'static str, usize>) -> Program {
    let mut rng = Rng::new(seed, index as u64 + 1);
    let name = format!("p{index}");
    let mut params = params(&mut rng);
    let output = match rng.below(10) {
        0 => Output::Array(rng.between(2, 3)),
        1 => Output::Tuple(rng.between(2, 3)),
        2 => Output::OutParam(rng.between(2, 4)),
        _ => Output::Scalar,
    };
    if let Output::OutParam(_) = output {
        params.push(Param::Out { name: "out" });
    }
    let mut g = Gen {
        rng: &mut rng,
        body: String::new(),
        indent: 1,
        scopes: vec![Scope::default()],
        loops: vec![],
        fresh: 0,
        count: None,
        features,
    };
    g.declare_params(&params);
    let n = g.rng.between(3, 6);
    for _ in 0..n {
        g.statement();
    }
    g.result(output);

    let mut source = String::from("#[differentiable]\n");
    let signature: Vec<String> = params.iter().map(signature).collect();
    let _ = write!(source, "fn {name}({})", signature.join(", "));
    match output {
        Output::Scalar => source.push_str(" -> f64"),
        Output::Array(m) => {
            let _ = write!(source, " -> [f64; {m}]");
        }
        Output::Tuple(m) => {
            let _ = write!(source, " -> ({})", vec!["f64"; m].join(", "));
        }
        Output::OutParam(_) => {}
    }
    let _ = write!(source, " {{\n{}}}\n", g.body);
    let module = adaptors(&name, &params, output);
    Program { module: format!("use super::*;\n\n{source}\n{module}"), name, source }
}

fn params(rng: &mut Rng) -> Vec<Param> {
    let mut params: Vec<Param> = ["a", "b", "c", "d"][..rng.between(2, 4)].iter().map(|n| Param::Scalar(n)).collect();
    let len = rng.between(3, 6);
    let ty = *rng.pick(&[SliceType::Slice, SliceType::Slice, SliceType::ArrayRef, SliceType::VecRef]);
    params.push(Param::Slice { name: "xs", len, ty });
    if rng.chance(0.25) {
        params.push(Param::Slice { name: "ys", len, ty: SliceType::Slice });
    }
    if rng.chance(0.35) {
        params.push(Param::Array { name: "v", len: rng.between(2, 4) });
    }
    if rng.chance(0.2) {
        params.push(Param::NoGrad { name: "w", value: (rng.uniform(-1.0, 1.0) * 100.0).round() / 100.0 });
    }
    if rng.chance(0.2) {
        params.push(Param::Count { name: "n", value: rng.between(1, len) });
    }
    // Fisher-Yates: the macro must keep the gradient in declaration order whatever it is.
    for i in (1..params.len()).rev() {
        params.swap(i, rng.below(i + 1));
    }
    params
}

impl Gen<'_> {
    fn note(&mut self, feature: &'static str) {
        *self.features.entry(feature).or_default() += 1;
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.body.push_str("    ");
        }
        self.body.push_str(text);
        self.body.push('\n');
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn scope(&mut self) -> &mut Scope {
        self.scopes.last_mut().unwrap()
    }

    fn declare_params(&mut self, params: &[Param]) {
        for p in params {
            match *p {
                Param::Scalar(n) => {
                    self.scope().floats.push(Float { name: n.into(), bound: 1.0, mutable: false, level: 0 })
                }
                Param::Slice { name, len, ty } => {
                    self.note(match ty {
                        SliceType::Slice => "param &[f64]",
                        SliceType::ArrayRef => "param &[f64; N]",
                        SliceType::VecRef => "param &Vec<f64>",
                    });
                    let len_expr = format!("{name}.len()");
                    let a = Array {
                        name: name.into(),
                        len,
                        len_expr,
                        bound: 1.0,
                        mutable: false,
                        level: 0,
                        lendable: true,
                    };
                    self.scope().arrays.push(a);
                }
                Param::Array { name, len } => {
                    self.note("param [f64; N]");
                    let a = Array {
                        name: name.into(),
                        len,
                        len_expr: len.to_string(),
                        bound: 1.0,
                        mutable: false,
                        level: 0,
                        lendable: false,
                    };
                    self.scope().arrays.push(a);
                }
                Param::NoGrad { name, .. } => {
                    self.note("param #[no_grad]");
                    self.scope().floats.push(Float { name: name.into(), bound: 1.0, mutable: false, level: 0 });
                }
                Param::Count { name, value } => {
                    self.note("param usize");
                    self.count = Some((name, value));
                }
                Param::Out { .. } => self.note("result &mut [f64]"),
            }
        }
    }

    fn floats(&self) -> impl Iterator<Item = &Float> {
        self.scopes.iter().flat_map(|s| &s.floats)
    }

    fn arrays(&self) -> impl Iterator<Item = &Array> {
        self.scopes.iter().flat_map(|s| &s.arrays)
    }

    /// The loop counters in scope.
    fn indices(&self) -> Vec<(String, usize)> {
        self.scopes.iter().flat_map(|s| &s.indices).map(|i| (i.name.clone(), i.hi)).collect()
    }

    /// How many times a statement here runs per run of the declaration at `level`.
    fn repeats(&self, level: usize) -> f64 {
        self.loops[level..].iter().map(|&(_, trips, _)| trips as f64).product()
    }
}
