//! Functions written only with what `#[differentiable]` supports: a signature of active,
//! slice, array, constant and output parameters, and a body of lets, arithmetic, float
//! methods, branches, `match`, loops with `break`/`continue`, local arrays and calls.
//!
//! The code must type-check as plain Rust, or a refusal would be the generator's fault, not
//! the macro's: every expression is of the function's float type, method receivers mention a
//! variable (a bare literal is `{float}`, on which no method resolves), and indices are
//! `usize`. Values are never run, so bounds and magnitudes do not matter here.

use crate::rng::Rng;

#[derive(Clone, PartialEq)]
pub enum Param {
    /// An active scalar.
    Scalar(String),
    /// `&[F]`, `&[F; 4]` or `&Vec<F>`: the type as written.
    Slice(String, String),
    /// `[F; 3]` by value.
    Array(String),
    /// `#[no_grad] c: F`.
    NoGrad(String),
    /// `n: usize`: a loop bound and an index.
    Count(String),
    /// `k: i32`: a `match` scrutinee and a `powi` exponent.
    Int(String),
    /// `out: &mut [F]`.
    Out(String),
    /// Written as is: a parameter some other generator breaks.
    Raw(String),
}

#[derive(Clone, PartialEq)]
pub enum Returns {
    Scalar,
    Array,
    Tuple,
    /// Results are written into `out`.
    Unit,
    /// Written as is after the parameters (`-> i32`, or nothing).
    Raw(String),
}

/// A generated function, kept in parts so that other generators can break one of them.
pub struct Function {
    pub float: &'static str,
    pub attribute: String,
    pub visibility: String,
    pub name: String,
    pub params: Vec<Param>,
    pub returns: Returns,
    /// The body's lines, indented one level, without the braces.
    pub lines: Vec<String>,
    /// Where a statement may be inserted: a line index and its indentation.
    pub points: Vec<(usize, usize)>,
}

impl Function {
    pub fn signature(&self) -> String {
        let params: Vec<String> = self.params.iter().map(|p| param(p, self.float)).collect();
        format!("{}fn {}({}){}", self.visibility, self.name, params.join(", "), self.returns_text())
    }

    /// ` -> F` or whatever the function returns, as written after the parameters.
    pub fn returns_text(&self) -> String {
        match &self.returns {
            Returns::Scalar => format!(" -> {}", self.float),
            Returns::Array => format!(" -> [{}; 2]", self.float),
            Returns::Tuple => format!(" -> ({0}, {0})", self.float),
            Returns::Unit => String::new(),
            Returns::Raw(r) => r.clone(),
        }
    }

    pub fn body(&self) -> String {
        let mut s = String::new();
        for line in &self.lines {
            s.push_str(line);
            s.push('\n');
        }
        s
    }

    pub fn source(&self) -> String {
        format!("{}\n{} {{\n{}}}\n", self.attribute, self.signature(), self.body())
    }

    /// The arguments that call this function with its own parameters (for recursion).
    pub fn self_call(&self) -> String {
        let args: Vec<String> = self
            .params
            .iter()
            .map(|p| match p {
                Param::Out(n) => format!("&mut *{n}"),
                Param::Scalar(n) | Param::Slice(n, _) | Param::Array(n) | Param::NoGrad(n) => n.clone(),
                Param::Count(n) | Param::Int(n) => n.clone(),
                Param::Raw(p) => p.split(':').next().unwrap_or(p).trim().to_string(),
            })
            .collect();
        format!("{}({})", self.name, args.join(", "))
    }

    /// Makes the float `v` part of the result: added to it, to its first element, or
    /// written into the output.
    pub fn use_in_result(&mut self, v: &str) {
        let last = self.lines.pop().unwrap();
        let body = last.trim_start();
        let (ret, body) = match body.strip_prefix("return ") {
            Some(b) => ("return ", b.strip_suffix(';').unwrap_or(b)),
            None => ("", body),
        };
        let semi = if ret.is_empty() { "" } else { ";" };
        let line = match &self.returns {
            Returns::Scalar => format!("    {ret}({body}) + {v}{semi}"),
            Returns::Array | Returns::Tuple => format!("    {ret}{}{v} + {}{semi}", &body[..1], &body[1..]),
            Returns::Unit | Returns::Raw(_) => {
                let out = self.params.iter().find(|p| matches!(p, Param::Out(_))).map_or("out", |p| p.name());
                format!("{last}\n    {out}[0] = {v};")
            }
        };
        self.lines.push(line);
    }

    /// Inserts `snippet` (lines without indentation) at a random statement boundary, or at
    /// one of the function body's own (`top`), where what it binds stays in scope to the end.
    pub fn insert(&mut self, rng: &mut Rng, snippet: &[String], top: bool) {
        let points: Vec<_> = self.points.iter().filter(|p| !top || p.1 == 1).cloned().collect();
        let &(at, indent) = if points.is_empty() { &self.points[0] } else { rng.pick(&points) };
        let pad = "    ".repeat(indent);
        let lines = snippet.iter().map(|l| format!("{pad}{l}"));
        self.lines.splice(at..at, lines);
    }
}

impl Param {
    pub fn name(&self) -> &str {
        match self {
            Param::Scalar(n) | Param::Slice(n, _) | Param::Array(n) | Param::NoGrad(n) => n,
            Param::Count(n) | Param::Int(n) | Param::Out(n) | Param::Raw(n) => n,
        }
    }
}

fn param(p: &Param, float: &str) -> String {
    match p {
        Param::Scalar(n) => format!("{n}: {float}"),
        Param::Slice(n, ty) => format!("{n}: {ty}"),
        Param::Array(n) => format!("{n}: [{float}; 3]"),
        Param::NoGrad(n) => format!("#[no_grad] {n}: {float}"),
        Param::Count(n) => format!("{n}: usize"),
        Param::Int(n) => format!("{n}: i32"),
        Param::Out(n) => format!("{n}: &mut [{float}]"),
        Param::Raw(p) => p.clone(),
    }
}

/// An array in scope: its name, how its length is written, whether it may be written, and
/// whether it is a slice parameter (which a differentiable call may borrow).
struct Array {
    name: String,
    len: String,
    writable: bool,
    readable: bool,
    slice: bool,
}

#[derive(Default)]
struct Scope {
    floats: Vec<(String, bool)>,
    arrays: Vec<Array>,
    indices: Vec<String>,
}

struct Expr {
    code: String,
    /// Mentions a variable, so its type is known without context.
    typed: bool,
}

pub struct Gen<'a> {
    rng: &'a mut Rng,
    float: &'static str,
    lines: Vec<String>,
    points: Vec<(usize, usize)>,
    indent: usize,
    scopes: Vec<Scope>,
    loops: usize,
    fresh: usize,
    ints: Vec<String>,
    /// Other differentiable functions may be called: the helpers are written for `f64`.
    calls: bool,
    /// A differentiable function of one `f64` defined beside this one, if any.
    sibling: Option<String>,
}

/// A random supported function named `name`; `sibling` names a function `fn(f64) -> f64` in
/// the same module it may call.
pub fn function(rng: &mut Rng, name: &str, sibling: Option<&str>) -> Function {
    random(rng, name, sibling, (1, 6))
}

/// A supported function of at most one statement and its result: for cases about the
/// attribute or the signature, where a long body would only make the report longer.
pub fn small_function(rng: &mut Rng, name: &str) -> Function {
    random(rng, name, None, (0, 1))
}

/// `statements`: the least and most statements before the result.
fn random(rng: &mut Rng, name: &str, sibling: Option<&str>, statements: (usize, usize)) -> Function {
    let float = if rng.chance(0.15) { "f32" } else { "f64" };
    let params = params(rng, float);
    let returns = if params.iter().any(|p| matches!(p, Param::Out(_))) {
        if rng.chance(0.7) { Returns::Unit } else { Returns::Scalar }
    } else {
        rng.pick(&[Returns::Scalar, Returns::Scalar, Returns::Scalar, Returns::Array, Returns::Tuple]).clone()
    };
    let n = rng.between(statements.0, statements.1);
    build(rng, name, sibling, float, params, returns, n)
}

/// A function of `params` `f64` scalars returning `f64` (what the compact form declares),
/// with between `statements.0` and `statements.1` statements before the result.
pub fn scalar_function(rng: &mut Rng, name: &str, params: usize, statements: (usize, usize)) -> Function {
    let params = ["x", "y", "z"][..params].iter().map(|n| Param::Scalar(n.to_string())).collect();
    let n = rng.between(statements.0, statements.1);
    build(rng, name, None, "f64", params, Returns::Scalar, n)
}

fn build(
    rng: &mut Rng,
    name: &str,
    sibling: Option<&str>,
    float: &'static str,
    params: Vec<Param>,
    returns: Returns,
    statements: usize,
) -> Function {
    let attribute = match rng.below(12) {
        0 => format!("#[differentiable(grad = {name}_gradient)]"),
        1 => format!("#[differentiable(vjp = {name}_back, jvp = {name}_fwd)]"),
        2 => "#[differentiable(crate = ::chainrule)]".to_string(),
        _ => "#[differentiable]".to_string(),
    };
    let visibility = rng.pick(&["", "", "pub ", "pub(crate) "]).to_string();
    let mut g = Gen {
        rng,
        float,
        lines: Vec::new(),
        points: Vec::new(),
        indent: 1,
        scopes: vec![Scope::default()],
        loops: 0,
        fresh: 0,
        ints: Vec::new(),
        calls: float == "f64",
        sibling: sibling.filter(|_| float == "f64").map(str::to_string),
    };
    g.declare(&params);
    for _ in 0..statements {
        g.statement(2);
    }
    g.point();
    g.result(&returns);
    Function { float, attribute, visibility, name: name.to_string(), params, returns, lines: g.lines, points: g.points }
}

fn params(rng: &mut Rng, float: &str) -> Vec<Param> {
    let mut params: Vec<Param> =
        ["x", "y", "z"][..rng.between(1, 3)].iter().map(|n| Param::Scalar(n.to_string())).collect();
    if rng.chance(0.4) {
        let ty = rng.pick(&["&[F]", "&[F]", "&[F; 4]", "&Vec<F>"]).replace('F', float);
        params.push(Param::Slice("xs".into(), ty));
    }
    if rng.chance(0.2) {
        params.push(Param::Slice("ys".into(), format!("&[{float}]")));
    }
    let optional = [
        (0.2, Param::Array("v".into())),
        (0.2, Param::NoGrad("c".into())),
        (0.3, Param::Count("n".into())),
        (0.3, Param::Int("k".into())),
        (0.15, Param::Out("out".into())),
    ];
    for (p, param) in optional {
        if rng.chance(p) {
            params.push(param);
        }
    }
    // Any order: the macro keeps the gradient in declaration order.
    for i in (1..params.len()).rev() {
        params.swap(i, rng.below(i + 1));
    }
    params
}

impl Gen<'_> {
    fn line(&mut self, text: &str) {
        self.lines.push(format!("{}{text}", "    ".repeat(self.indent)));
    }

    /// Marks the next line as a place a statement may go.
    fn point(&mut self) {
        self.points.push((self.lines.len(), self.indent));
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn scope(&mut self) -> &mut Scope {
        self.scopes.last_mut().unwrap()
    }

    fn declare(&mut self, params: &[Param]) {
        for p in params {
            match p {
                Param::Scalar(n) | Param::NoGrad(n) => self.scope().floats.push((n.clone(), false)),
                Param::Slice(n, _) => {
                    let a = Array {
                        name: n.clone(),
                        len: format!("{n}.len()"),
                        writable: false,
                        readable: true,
                        slice: true,
                    };
                    self.scope().arrays.push(a);
                }
                Param::Array(n) => {
                    let a = Array { name: n.clone(), len: "3".into(), writable: false, readable: true, slice: false };
                    self.scope().arrays.push(a);
                }
                Param::Count(n) => {
                    self.scope().indices.push(n.clone());
                    self.ints.push(n.clone());
                }
                Param::Int(n) => self.ints.push(n.clone()),
                Param::Raw(_) => {}
                Param::Out(n) => {
                    let a = Array {
                        name: n.clone(),
                        len: format!("{n}.len()"),
                        writable: true,
                        readable: false,
                        slice: false,
                    };
                    self.scope().arrays.push(a);
                }
            }
        }
    }

    /// Runs `f` one level deeper, in a scope of its own.
    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.indent += 1;
        self.scopes.push(Scope::default());
        f(self);
        self.scopes.pop();
        self.indent -= 1;
    }

    /// The floats in scope, each name once, as its innermost declaration has it.
    fn floats(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        for (name, mutable) in self.scopes.iter().flat_map(|s| &s.floats) {
            out.retain(|f| &f.0 != name);
            out.push((name.clone(), *mutable));
        }
        out
    }

    fn indices(&self) -> Vec<String> {
        self.scopes.iter().flat_map(|s| s.indices.iter().cloned()).collect()
    }

    fn arrays(&self, pick: impl Fn(&Array) -> bool) -> Vec<(String, String)> {
        self.scopes
            .iter()
            .flat_map(|s| &s.arrays)
            .filter(|a| pick(a))
            .map(|a| (a.name.clone(), a.len.clone()))
            .collect()
    }

    fn literal(&mut self) -> String {
        self.rng.pick(&["0.5", "2.0", "1.0", "0.25", "3.0", "1e-3", "10.0", "0.0"]).to_string()
    }

    /// A `usize` index into an array of length `len`.
    fn index(&mut self, len: &str) -> String {
        let indices = self.indices();
        if indices.is_empty() || self.rng.chance(0.2) {
            return self.rng.pick(&["0", "1"]).to_string();
        }
        let i = self.rng.pick(&indices).clone();
        match self.rng.below(4) {
            0 => format!("({i} + 1) % {len}"),
            1 => format!("{i} % {len}"),
            _ => i,
        }
    }

    fn variable(&mut self) -> Expr {
        let floats = self.floats();
        let readable = self.arrays(|a| a.readable);
        if !readable.is_empty() && self.rng.chance(0.3) {
            let (a, len) = self.rng.pick(&readable).clone();
            let i = self.index(&len);
            return Expr { code: format!("{a}[{i}]"), typed: true };
        }
        if !self.ints.is_empty() && self.rng.chance(0.1) {
            let k = self.rng.pick(&self.ints).clone();
            return Expr { code: format!("({k} as {})", self.float), typed: true };
        }
        let (name, _) = self.rng.pick(&floats).clone();
        Expr { code: name, typed: true }
    }

    fn atom(&mut self) -> Expr {
        match self.rng.below(10) {
            0..=1 => Expr { code: self.literal(), typed: false },
            2 => Expr { code: format!("std::{}::consts::PI", self.float), typed: true },
            _ => self.variable(),
        }
    }

    /// A typed expression, for a method's receiver.
    fn operand(&mut self, depth: usize) -> String {
        let e = self.expr(depth);
        let code = if e.typed { e.code } else { self.variable().code };
        if code.chars().all(|c| c.is_alphanumeric() || c == '_') { code } else { format!("({code})") }
    }

    fn expr(&mut self, depth: usize) -> Expr {
        if depth == 0 {
            return self.atom();
        }
        let d = depth - 1;
        let typed = |code: String| Expr { code, typed: true };
        match self.rng.below(16) {
            0..=2 => {
                let (a, b) = (self.expr(d), self.expr(d));
                let op = self.rng.pick(&["+", "-", "*"]);
                Expr { code: format!("{} {op} {}", a.code, b.code), typed: a.typed || b.typed }
            }
            3 => {
                let (a, b) = (self.expr(d), self.operand(d));
                typed(format!("{} / ({b} * {b} + 1.0)", a.code))
            }
            4 => {
                let a = self.expr(d);
                Expr { code: format!("-({})", a.code), typed: a.typed }
            }
            5..=6 => {
                let r = self.operand(d);
                let m = self.rng.pick(&[
                    "sin",
                    "cos",
                    "tan",
                    "exp",
                    "exp2",
                    "exp_m1",
                    "ln_1p",
                    "sqrt",
                    "cbrt",
                    "recip",
                    "tanh",
                    "sinh",
                    "cosh",
                    "atan",
                    "asin",
                    "acos",
                    "abs",
                    "signum",
                    "floor",
                    "ceil",
                    "round",
                    "trunc",
                    "fract",
                    "to_degrees",
                    "to_radians",
                    "ln",
                    "log2",
                    "log10",
                ]);
                typed(format!("{r}.{m}()"))
            }
            7 => {
                let (r, a) = (self.operand(d), self.expr(d).code);
                let m = self.rng.pick(&["max", "min", "atan2", "hypot", "powf", "log"]);
                typed(format!("{r}.{m}({a})"))
            }
            8 => {
                let r = self.operand(d);
                match self.rng.below(4) {
                    0 if !self.ints.is_empty() => {
                        let k = self.rng.pick(&self.ints).clone();
                        typed(format!("{r}.powi({k} as i32)"))
                    }
                    1 => typed(format!("{r}.clamp(-1.0, 1.0)")),
                    2 => {
                        let (a, b) = (self.expr(d).code, self.expr(d).code);
                        typed(format!("{r}.mul_add({a}, {b})"))
                    }
                    _ => typed(format!("{r}.powi(2)")),
                }
            }
            9 => {
                let (a, m) = (self.operand(d), self.rng.pick(&["sin", "exp", "abs", "sqrt"]));
                typed(format!("{}::{m}({a})", self.float))
            }
            10 => self.call(d),
            11 => typed(format!("stop_gradient({})", self.operand(d))),
            12 => {
                let c = self.condition(d);
                let (a, b) = (self.expr(d), self.expr(d));
                Expr { code: format!("if {c} {{ {} }} else {{ {} }}", a.code, b.code), typed: a.typed || b.typed }
            }
            13 if !self.ints.is_empty() => self.match_expr(d),
            14 => {
                let u = self.fresh("u");
                let a = self.operand(d);
                self.scope().floats.push((u.clone(), false));
                let b = self.operand(d);
                self.scope().floats.pop();
                typed(format!("{{ let {u} = {a}; {u} * {b} }}"))
            }
            _ => self.atom(),
        }
    }

    fn call(&mut self, d: usize) -> Expr {
        let typed = |code: String| Expr { code, typed: true };
        if !self.calls {
            return typed(format!("{}.tanh()", self.operand(d)));
        }
        let slices = self.arrays(|a| a.slice);
        match self.rng.below(8) {
            0 => typed(format!("bump({}, {})", self.expr(d).code, self.expr(d).code)),
            1 => typed(format!("softsign({})", self.expr(d).code)),
            2 => typed(format!("{}({})", self.rng.pick(&["sigmoid", "relu", "softplus"]), self.expr(d).code)),
            3 => typed(format!("leaky_relu({}, 0.1)", self.expr(d).code)),
            4 => typed(format!("prelu({}, {})", self.expr(d).code, self.expr(d).code)),
            5 if !slices.is_empty() => {
                let (a, b) = (self.rng.pick(&slices).0.clone(), self.rng.pick(&slices).0.clone());
                typed(format!("dot({a}, {b})"))
            }
            6 if !slices.is_empty() => {
                let a = self.rng.pick(&slices).0.clone();
                typed(format!("horner({}, {a})", self.expr(d).code))
            }
            7 if self.sibling.is_some() => {
                let s = self.sibling.clone().unwrap();
                typed(format!("{s}({})", self.expr(d).code))
            }
            _ => typed(format!("elu({}, 1.0)", self.expr(d).code)),
        }
    }

    fn match_expr(&mut self, d: usize) -> Expr {
        let k = self.rng.pick(&self.ints).clone();
        let arms = ["0", "1 | 2", "3..=5", "6..9"];
        let mut code = format!("match {k} {{ ");
        for arm in &arms[..self.rng.between(1, 4)] {
            code.push_str(&format!("{arm} => {}, ", self.expr(d).code));
        }
        if self.rng.chance(0.3) {
            code.push_str(&format!("_ if {k} > 10 => {}, ", self.expr(d).code));
        }
        code.push_str(&format!("_ => {} }}", self.operand(d)));
        Expr { code, typed: true }
    }

    fn condition(&mut self, d: usize) -> String {
        match self.rng.below(8) {
            0 if !self.indices().is_empty() => {
                let i = self.rng.pick(&self.indices()).clone();
                format!("{i} == {}", self.rng.below(3))
            }
            1 => format!("{} && {}", self.condition(0), self.condition(0)),
            2 => format!("!({})", self.condition(0)),
            3 => format!("{} || {}", self.condition(0), self.condition(0)),
            4 if !self.ints.is_empty() => format!("matches!({}, 1 | 2)", self.rng.pick(&self.ints)),
            _ => {
                let op = self.rng.pick(&[">", "<", ">=", "<=", "==", "!="]);
                format!("{} {op} {}", self.operand(d), self.expr(d).code)
            }
        }
    }

    fn mutable(&mut self) -> String {
        let mutable: Vec<String> = self.floats().into_iter().filter(|f| f.1).map(|f| f.0).collect();
        if let Some(m) = mutable.first().filter(|_| self.rng.chance(0.7)) {
            return m.clone();
        }
        let name = self.fresh("s");
        let e = self.operand(1);
        self.point();
        self.line(&format!("let mut {name} = {e};"));
        self.scope().floats.push((name.clone(), true));
        name
    }

    fn statement(&mut self, depth: usize) {
        self.point();
        let depth = if self.loops >= 2 { 0 } else { depth };
        match self.rng.below(14) {
            0..=2 => {
                let name = self.fresh("t");
                let e = self.expr(2);
                let ty = if self.rng.chance(0.3) { format!(": {}", self.float) } else { String::new() };
                // An untyped literal as a later method receiver would not resolve.
                let e = if e.typed || !ty.is_empty() { e.code } else { self.operand(0) };
                self.line(&format!("let {name}{ty} = {e};"));
                self.scope().floats.push((name, false));
            }
            3..=4 => {
                let m = self.mutable();
                let op = self.rng.pick(&["=", "+=", "-=", "*=", "/="]);
                let e = self.expr(2).code;
                self.point();
                self.line(&format!("{m} {op} {e};"));
            }
            5 => {
                // Shadowing a mutable variable would break a later assignment to it.
                let floats: Vec<_> = self.floats().into_iter().filter(|f| !f.1).collect();
                let (x, _) = self.rng.pick(&floats).clone();
                let e = self.operand(1);
                self.line(&format!("let {x} = {e} * 0.5;"));
                self.scope().floats.push((x, false));
            }
            6 if depth > 0 => self.if_statement(depth - 1),
            7..=8 if depth > 0 => self.for_loop(depth - 1),
            9 if depth > 0 => self.counted_loop(depth - 1),
            10 => self.local_array(),
            11 => self.write_output(),
            12 if self.calls && self.loops == 0 => {
                let a = self.fresh("w");
                self.line(&format!("let mut {a} = [0.0; 3];"));
                let e = self.expr(1).code;
                self.point();
                self.line(&format!("spread({e}, &mut {a});"));
                let arr = Array { name: a, len: "3".into(), writable: true, readable: true, slice: false };
                self.scope().arrays.push(arr);
            }
            13 if self.loops > 0 => {
                let c = self.condition(0);
                let jump = if self.rng.chance(0.5) { "break" } else { "continue" };
                self.line(&format!("if {c} {{"));
                self.line(&format!("    {jump};"));
                self.line("}");
            }
            _ => {
                let name = self.fresh("t");
                let e = self.operand(1);
                self.line(&format!("let {name} = {e};"));
                self.scope().floats.push((name, false));
            }
        }
    }

    fn if_statement(&mut self, depth: usize) {
        let m = self.mutable();
        let c = self.condition(1);
        self.point();
        self.line(&format!("if {c} {{"));
        self.nested(|g| {
            g.statement(depth);
            let e = g.expr(1).code;
            g.point();
            g.line(&format!("{m} += {e};"));
        });
        if self.rng.chance(0.6) {
            if self.rng.chance(0.3) {
                let c = self.condition(0);
                self.line(&format!("}} else if {c} {{"));
                self.nested(|g| {
                    let e = g.expr(1).code;
                    g.point();
                    g.line(&format!("{m} = {e};"));
                });
            }
            self.line("} else {");
            self.nested(|g| {
                let e = g.expr(1).code;
                g.point();
                g.line(&format!("{m} *= {e};"));
            });
        }
        self.line("}");
    }

    fn for_loop(&mut self, depth: usize) {
        let acc = self.mutable();
        let i = self.fresh("i");
        let slices = self.arrays(|a| a.slice);
        let counts: Vec<String> = self.scopes[0].indices.clone();
        let range = match self.rng.below(6) {
            0 if !slices.is_empty() => format!("0..{}", self.rng.pick(&slices).1),
            1 => format!("(0..{}).rev()", self.rng.between(2, 5)),
            2 => format!("(0..{}).step_by(2)", self.rng.between(2, 6)),
            3 => format!("1..={}", self.rng.between(1, 4)),
            4 if !counts.is_empty() => format!("0..{}", self.rng.pick(&counts)),
            _ => format!("0..{}", self.rng.between(1, 5)),
        };
        self.point();
        self.line(&format!("for {i} in {range} {{"));
        self.loops += 1;
        self.nested(|g| {
            g.scope().indices.push(i);
            for _ in 0..g.rng.between(0, 2) {
                g.statement(depth);
            }
            let e = g.expr(2).code;
            let op = g.rng.pick(&["=", "+=", "*=", "-="]);
            g.point();
            g.line(&format!("{acc} {op} {e};"));
        });
        self.loops -= 1;
        self.line("}");
    }

    /// `while j < K { ..; j += 1; }` or `loop { if j >= K { break; } ..; j += 1; }`.
    fn counted_loop(&mut self, depth: usize) {
        let acc = self.mutable();
        let j = self.fresh("j");
        let trips = self.rng.between(1, 4);
        self.point();
        self.line(&format!("let mut {j} = 0;"));
        let is_while = self.rng.chance(0.6);
        if is_while {
            let c = if self.rng.chance(0.3) { format!(" && {}", self.condition(0)) } else { String::new() };
            self.line(&format!("while {j} < {trips}{c} {{"));
        } else {
            self.line("loop {");
        }
        self.loops += 1;
        self.nested(|g| {
            if !is_while {
                g.line(&format!("if {j} >= {trips} {{"));
                g.line("    break;");
                g.line("}");
            }
            g.scope().indices.push(j.clone());
            if g.rng.chance(0.5) {
                g.statement(depth);
            }
            let e = g.expr(2).code;
            g.point();
            g.line(&format!("{acc} += {e};"));
            g.line(&format!("{j} += 1;"));
        });
        self.loops -= 1;
        self.line("}");
    }

    /// `let mut a = [0.0; N];` (or a `vec!`, or an array literal), filled by a loop.
    fn local_array(&mut self) {
        let a = self.fresh("a");
        let slices = self.arrays(|a| a.slice);
        if self.rng.chance(0.25) {
            let items: Vec<String> = (0..3).map(|_| self.operand(1)).collect();
            self.line(&format!("let {a} = [{}];", items.join(", ")));
            let arr = Array { name: a, len: "3".into(), writable: false, readable: true, slice: false };
            self.scope().arrays.push(arr);
            return;
        }
        let len = if !slices.is_empty() && self.rng.chance(0.3) {
            let len = self.rng.pick(&slices).1.clone();
            self.line(&format!("let mut {a} = vec![0.0; {len}];"));
            len
        } else {
            let len = self.rng.between(2, 5).to_string();
            self.line(&format!("let mut {a} = [0.0; {len}];"));
            len
        };
        let i = self.fresh("i");
        self.point();
        self.line(&format!("for {i} in 0..{len} {{"));
        self.loops += 1;
        self.nested(|g| {
            g.scope().indices.push(i.clone());
            let e = g.operand(2);
            let op = g.rng.pick(&["=", "+="]);
            g.point();
            g.line(&format!("{a}[{i}] {op} {e};"));
        });
        self.loops -= 1;
        self.line("}");
        let arr = Array { name: a, len, writable: true, readable: true, slice: false };
        self.scope().arrays.push(arr);
    }

    fn write_output(&mut self) {
        let writable = self.arrays(|a| a.writable);
        let Some((out, len)) = writable.first().cloned() else {
            let name = self.fresh("t");
            let e = self.operand(2);
            return self.line(&format!("let {name} = {e};"));
        };
        let e = self.expr(2).code;
        let i = self.index(&len);
        self.line(&format!("{out}[{i}] = {e};"));
    }

    fn result(&mut self, returns: &Returns) {
        let ret = if self.rng.chance(0.15) { "return " } else { "" };
        let semi = if ret.is_empty() { "" } else { ";" };
        match returns {
            Returns::Scalar => {
                let e = self.operand(2);
                self.line(&format!("{ret}{e}{semi}"));
            }
            Returns::Array => {
                let (a, b) = (self.operand(1), self.operand(1));
                self.line(&format!("{ret}[{a}, {b}]{semi}"));
            }
            Returns::Tuple => {
                let (a, b) = (self.operand(1), self.operand(1));
                self.line(&format!("{ret}({a}, {b}){semi}"));
            }
            Returns::Unit | Returns::Raw(_) => self.write_output(),
        }
    }
}
