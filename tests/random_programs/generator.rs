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
//! over, and an index that might exceed a container is reduced modulo its length. An integer
//! the body updates (`c += 1`, a `mut n: usize` parameter) has its range fixed when it is
//! declared, with a budget of increments that each `c += 1` spends by the number of times it
//! runs, so every use before and after an update sees the same bound.
//!
//! The grammar follows the shapes of code that once gave silently wrong derivatives (issue 9):
//! calls run for what they write through `&mut` (into local arrays, in loops feeding the next
//! iteration, an output parameter passed on), `mut` parameters, counters updated in loops,
//! `break`/`continue` around calls, `cfg!` and `matches!`, `stop_gradient`, constants passed to
//! `#[no_grad]` parameters, and powers whose exponent can be 0.

mod adaptors;
mod calls;
mod counters;
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
    "#[no_grad] argument cast",
    "#[no_grad] argument literal",
    "#[no_grad] argument param",
    "#[no_grad] argument stop_gradient",
    "&&",
    "&mut call feeding its target",
    "&mut call in a loop",
    "&mut call on a local array",
    "&mut call on vec!",
    "&mut call passing out on",
    "*=",
    "+=",
    "-=",
    "/",
    "/=",
    "=",
    "a[i] *=",
    "a[i] +=",
    "a[i] =",
    "abs",
    "accumulator",
    "array literal",
    "array written out as an argument",
    "atan",
    "atan2",
    "block expression",
    "break",
    "call bump",
    "call chain_out",
    "call damp",
    "call decay_out",
    "call dot",
    "call horner",
    "call mix_out",
    "call reading an array of the function's own",
    "call soft_norm",
    "call spread_out",
    "call sq_out",
    "call with a tuple",
    "cast of a counter",
    "cbrt",
    "cfg!",
    "clamp",
    "computed index",
    "condition on a counter",
    "condition on an active value",
    "const path",
    "continue",
    "cos",
    "cosh",
    "counter += 1",
    "counter in a cast",
    "counter in an index",
    "counter update % hi",
    "drawn by f_graph",
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
    "if cfg!",
    "if expression",
    "if statement",
    "jump in a loop with a call",
    "leaky_relu",
    "let",
    "let mut",
    "let part of a slice",
    "ln",
    "local array",
    "loop",
    "match expression",
    "match guard",
    "match statement",
    "matches!",
    "max",
    "min",
    "mul_add",
    "nested loop",
    "param #[no_grad]",
    "param #[no_grad] mut",
    "param &Vec<f64>",
    "param &[f64; N]",
    "param &[f64]",
    "param [f64; N]",
    "param mut f64",
    "param mut u32",
    "param mut usize",
    "param mut usize += 1",
    "param usize",
    "powf",
    "powf of a counter",
    "powi",
    "powi of a counter",
    "recurrence",
    "relu",
    "result &mut [f64]",
    "result array",
    "result tuple",
    "return",
    "shadowing",
    "sigmoid",
    "sin",
    "sinh",
    "softplus",
    "softsign",
    "sqrt",
    "squash",
    "stop_gradient",
    "stop_gradient in a loop",
    "tanh",
    "usize counter",
    "vec!",
    "while",
    "while countdown",
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

/// `Count` is `n: usize` or `mut n: usize`, passed `value`; `Countdown` is `mut q: u32`, counted
/// down by `while q > 0 { ..; q -= 1; }`.
enum Param {
    Scalar { name: &'static str, mutable: bool },
    Slice { name: &'static str, len: usize, ty: SliceType },
    Array { name: &'static str, len: usize },
    NoGrad { name: &'static str, value: f64, mutable: bool },
    Count { name: &'static str, value: usize, mutable: bool },
    Countdown { name: &'static str, value: usize },
    Out { name: &'static str },
}

/// Increments (times they run) a `mut n: usize` parameter may take.
const PARAM_SPARE: usize = 6;

#[derive(Clone, Copy, PartialEq)]
enum Output {
    Scalar,
    Array(usize),
    Tuple(usize),
    OutParam(usize),
}

#[derive(Clone)]
struct Float {
    name: String,
    bound: f64,
    mutable: bool,
    /// Loop depth at the declaration: loops deeper than this repeat an update of it.
    level: usize,
}

#[derive(Clone)]
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
    /// Its elements are known to be f64 (a method may be called on them): false for a zeroed
    /// array declared without a type until a call has been lent it.
    typed: bool,
}

/// An integer whose values lie in `0..hi`: a loop variable, a counter or an integer parameter.
#[derive(Clone)]
struct Index {
    name: String,
    hi: usize,
    /// A `usize`, so that it may index (a `u32` is only compared, matched and cast).
    usize: bool,
    /// The body may update it (`c += 1`, `c = (c + 2) % hi`); loop variables and the
    /// counters of `while` loops only change where their loop says.
    counter: bool,
    /// How many more runs of `c += 1` its `hi` allows.
    spare: usize,
    /// Loop depth at the declaration, as for floats.
    level: usize,
}

impl Index {
    fn variable(name: String, hi: usize) -> Self {
        Index { name, hi, usize: true, counter: false, spare: 0, level: 0 }
    }
}

#[derive(Clone, Default)]
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

/// An enclosing loop.
#[derive(Clone)]
struct Loop {
    kind: LoopKind,
    /// At most this many iterations.
    trips: usize,
    /// Its body calls a differentiable function, or jumps (`break`, `continue`).
    called: bool,
    jumped: bool,
}

struct Gen<'a> {
    rng: &'a mut Rng,
    body: String,
    indent: usize,
    scopes: Vec<Scope>,
    loops: Vec<Loop>,
    fresh: usize,
    /// The `usize` parameter and the largest value it can take: a loop bound.
    count: Option<(&'static str, usize)>,
    /// The `mut u32` parameter, which `while` loops count down.
    countdown: Option<&'static str>,
    /// The parameters being counted down by an enclosing `while` loop: an inner one would leave
    /// 0 for the outer loop's decrement.
    counting: Vec<&'static str>,
    /// The `#[no_grad]` parameter if the body never reassigns it: a constant to pass on.
    no_grad: Option<&'static str>,
    /// Bounds that reads of a variable assume at least, by name: what a loop's later
    /// iterations may see (see `bounded`).
    floors: BTreeMap<String, f64>,
    /// `let` lines written at the top of the body whatever is being generated then: parts of
    /// slice parameters bound to names (an expression may be generated inside a `match` arm).
    preamble: String,
    features: &'a mut BTreeMap<&'static str, usize>,
}

/// What `bounded` restores to write a loop again.
struct Snapshot {
    rng: Rng,
    body: usize,
    preamble: usize,
    scopes: Vec<Scope>,
    loops: Vec<Loop>,
    fresh: usize,
    features: BTreeMap<&'static str, usize>,
}

/// Times a loop is written again with larger bounds before they are taken as they are.
const ROUNDS: usize = 6;

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
        let at = rng.below(params.len() + 1);
        params.insert(at, Param::Out { name: "out" });
    }
    let mut g = Gen {
        rng: &mut rng,
        body: String::new(),
        indent: 1,
        scopes: vec![Scope::default()],
        loops: vec![],
        fresh: 0,
        count: None,
        countdown: None,
        counting: vec![],
        no_grad: None,
        floors: BTreeMap::new(),
        preamble: String::new(),
        features,
    };
    g.declare_params(&params, output);
    let n = g.rng.between(3, 6);
    for _ in 0..n {
        g.statement();
    }
    g.result(output);

    // f_graph draws a call as one node of floats and arrays it reads: programs with calls
    // that write outputs or pass tuples, and those without a scalar result, are not drawn.
    let graphed = output == Output::Scalar && !ARRAY_CALLS.iter().any(|c| g.body.contains(c));
    if graphed {
        g.note("drawn by f_graph");
    }
    let attribute = if graphed { "#[differentiable(graph)]\n" } else { "#[differentiable]\n" };
    let mut source = String::from(attribute);
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
    let _ = write!(source, " {{\n{}{}}}\n", g.preamble, g.body);
    let detached = source.contains("stop_gradient(");
    let plain = if detached { plain_copy(&name, &source, attribute) } else { String::new() };
    let module = adaptors(&name, &params, output, detached, graphed);
    Program { module: format!("use super::*;\n\n{source}\n{plain}{module}"), name, source }
}

/// The program without the macro, calling the harness's `sg` for `stop_gradient`: the function
/// whose finite differences hold the detached values constant.
fn plain_copy(name: &str, source: &str, attribute: &str) -> String {
    let plain = source
        .replacen(attribute, "", 1)
        .replacen(&format!("fn {name}("), &format!("fn {name}_detached("), 1)
        .replace("#[no_grad] ", "")
        .replace("stop_gradient(", "sg(");
    format!("{plain}\n")
}

/// The helpers (`main.rs`'s `HELPERS`) whose calls write outputs or pass tuples, which
/// `f_graph` refuses to draw.
const ARRAY_CALLS: [&str; 2] = ["bump_pair(", "_out("];

fn params(rng: &mut Rng) -> Vec<Param> {
    let mut params: Vec<Param> = ["a", "b", "c", "d"][..rng.between(2, 4)]
        .iter()
        .map(|name| Param::Scalar { name, mutable: rng.chance(0.2) })
        .collect();
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
        let value = (rng.uniform(-1.0, 1.0) * 100.0).round() / 100.0;
        params.push(Param::NoGrad { name: "w", value, mutable: rng.chance(0.3) });
    }
    if rng.chance(0.25) {
        params.push(Param::Count { name: "n", value: rng.between(1, len), mutable: rng.chance(0.5) });
    }
    if rng.chance(0.15) {
        params.push(Param::Countdown { name: "q", value: rng.between(1, 3) });
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

    fn declare_params(&mut self, params: &[Param], output: Output) {
        for p in params {
            match *p {
                Param::Scalar { name, mutable } => {
                    if mutable {
                        self.note("param mut f64");
                    }
                    self.scope().floats.push(Float { name: name.into(), bound: 1.0, mutable, level: 0 })
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
                        typed: true,
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
                        typed: true,
                    };
                    self.scope().arrays.push(a);
                }
                Param::NoGrad { name, mutable, .. } => {
                    self.note("param #[no_grad]");
                    if mutable {
                        // Reassigned from differentiated values it becomes one: it may no
                        // longer be passed to a `#[no_grad]` parameter.
                        self.note("param #[no_grad] mut");
                    } else {
                        self.no_grad = Some(name);
                    }
                    self.scope().floats.push(Float { name: name.into(), bound: 1.0, mutable, level: 0 });
                }
                Param::Count { name, value, mutable } => {
                    self.note("param usize");
                    let spare = if mutable { PARAM_SPARE } else { 0 };
                    if mutable {
                        self.note("param mut usize");
                    }
                    self.count = Some((name, value + spare));
                    let hi = value + spare + 1;
                    let index = Index { name: name.into(), hi, usize: true, counter: mutable, spare, level: 0 };
                    self.scope().indices.push(index);
                }
                Param::Countdown { name, value } => {
                    self.note("param mut u32");
                    self.countdown = Some(name);
                    let index =
                        Index { name: name.into(), hi: value + 1, usize: false, counter: false, spare: 0, level: 0 };
                    self.scope().indices.push(index);
                }
                Param::Out { name } => {
                    self.note("result &mut [f64]");
                    let Output::OutParam(len) = output else { unreachable!("an output parameter without its output") };
                    // Written, read and passed on like a local array; on entry it holds inputs
                    // in [-1, 1].
                    let len_expr = format!("{name}.len()");
                    let a = Array {
                        name: name.into(),
                        len,
                        len_expr,
                        bound: 1.0,
                        mutable: true,
                        level: 0,
                        lendable: false,
                        typed: true,
                    };
                    self.scope().arrays.push(a);
                }
            }
        }
    }

    fn floats(&self) -> impl Iterator<Item = &Float> {
        self.scopes.iter().flat_map(|s| &s.floats)
    }

    fn arrays(&self) -> impl Iterator<Item = &Array> {
        self.scopes.iter().flat_map(|s| &s.arrays)
    }

    /// The integers in scope (loop variables, counters, integer parameters) and their bounds.
    fn indices(&self) -> Vec<(String, usize)> {
        self.scopes.iter().flat_map(|s| &s.indices).map(|i| (i.name.clone(), i.hi)).collect()
    }

    /// The `usize` integers in scope, which may index.
    fn usize_indices(&self) -> Vec<(String, usize)> {
        self.scopes.iter().flat_map(|s| &s.indices).filter(|i| i.usize).map(|i| (i.name.clone(), i.hi)).collect()
    }

    fn index_mut(&mut self, name: &str) -> &mut Index {
        self.scopes.iter_mut().rev().flat_map(|s| s.indices.iter_mut()).find(|i| i.name == name).unwrap()
    }

    /// Whether `name` is a counter the body updates.
    fn is_counter(&self, name: &str) -> bool {
        self.scopes.iter().flat_map(|s| &s.indices).any(|i| i.name == name && i.counter)
    }

    /// How many times a statement here runs per run of the declaration at `level`.
    fn repeats(&self, level: usize) -> f64 {
        self.loops[level..].iter().map(|l| l.trips as f64).product()
    }

    /// Enters a loop of at most `trips` iterations (its header written by the caller).
    fn enter_loop(&mut self, kind: LoopKind, trips: usize) {
        self.loops.push(Loop { kind, trips, called: false, jumped: false });
    }

    fn leave_loop(&mut self) {
        let l = self.loops.pop().unwrap();
        if l.called && l.jumped {
            self.note("jump in a loop with a call");
        }
    }

    /// The bound reads of `name` assume: its own, or what a later iteration may see.
    fn read_bound(&self, name: &str, bound: f64) -> f64 {
        self.floors.get(name).map_or(bound, |&floor| bound.max(floor))
    }

    /// Writes a loop with `write`, as often as needed for every read in it to assume the
    /// bound its variables reach. A value updated in the body (`s += e`) is larger in later
    /// iterations than where the body first reads it (`t = s.exp()`, above the update), so
    /// its bound at the end becomes a floor for its reads, and the loop is written again from
    /// the same random state: only the squashing changes, so it converges.
    fn bounded(&mut self, write: fn(&mut Self)) {
        let start = Snapshot {
            rng: self.rng.clone(),
            body: self.body.len(),
            preamble: self.preamble.len(),
            scopes: self.scopes.clone(),
            loops: self.loops.clone(),
            fresh: self.fresh,
            features: self.features.clone(),
        };
        for _ in 0..ROUNDS {
            write(self);
            let grown: Vec<(String, f64)> = self
                .scopes
                .iter()
                .flat_map(|s| {
                    s.floats.iter().map(|f| (&f.name, f.bound)).chain(s.arrays.iter().map(|a| (&a.name, a.bound)))
                })
                .filter(|&(name, bound)| bound > self.read_bound(name, start_bound(&start, name)))
                .map(|(name, bound)| (name.clone(), bound))
                .collect();
            if grown.is_empty() {
                return;
            }
            self.floors.extend(grown);
            *self.rng = start.rng.clone();
            self.body.truncate(start.body);
            self.preamble.truncate(start.preamble);
            self.scopes = start.scopes.clone();
            self.loops = start.loops.clone();
            self.fresh = start.fresh;
            *self.features = start.features.clone();
        }
        write(self);
    }

    /// A differentiable call here: every enclosing loop contains one.
    fn called(&mut self) {
        for l in &mut self.loops {
            l.called = true;
        }
    }
}

/// A variable's bound where a loop begins, 0 if the loop declares it.
fn start_bound(start: &Snapshot, name: &str) -> f64 {
    let mut variables =
        start.scopes.iter().rev().flat_map(|s| {
            s.floats.iter().map(|f| (&f.name, f.bound)).chain(s.arrays.iter().map(|a| (&a.name, a.bound)))
        });
    variables.find(|(n, _)| n.as_str() == name).map_or(0.0, |(_, bound)| bound)
}
