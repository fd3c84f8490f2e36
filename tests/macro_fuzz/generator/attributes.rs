//! Malformed attribute arguments and signatures, on otherwise supported functions, and the
//! names generated code must not clash with. The macro parses these itself (attribute
//! arguments reach it as plain tokens), so each must be refused with a message of ours or,
//! where the form is valid, accepted.

use super::Expect::{self, Accept, Any, Refuse};
use super::body::{Function, Param, Returns, function, small_function};
use crate::rng::Rng;

/// `#[differentiable(..)]` forms: `{NAME}` is the function's name.
const DIFFERENTIABLE: &[(&str, Expect)] = &[
    ("#[differentiable(grad = )]", Refuse),
    ("#[differentiable(foo)]", Refuse),
    ("#[differentiable(foo = bar)]", Refuse),
    ("#[differentiable(grad = 1)]", Refuse),
    ("#[differentiable(grad = \"g\")]", Refuse),
    ("#[differentiable(grad = a::b)]", Refuse),
    ("#[differentiable(grad = 'a)]", Refuse),
    ("#[differentiable(grad = _)]", Refuse),
    ("#[differentiable(grad = self)]", Refuse),
    ("#[differentiable(grad = g = h)]", Refuse),
    ("#[differentiable(grad: g)]", Refuse),
    ("#[differentiable(grad(g))]", Refuse),
    ("#[differentiable(grad)]", Refuse),
    ("#[differentiable(Grad = g)]", Refuse),
    ("#[differentiable(grad = g; vjp = v)]", Refuse),
    ("#[differentiable(grad = g vjp = v)]", Refuse),
    ("#[differentiable(crate = )]", Refuse),
    ("#[differentiable(crate)]", Refuse),
    ("#[differentiable(crate = \"chainrule\")]", Refuse),
    ("#[differentiable(crate = nonexistent)]", Refuse),
    ("#[differentiable(crate = ::chainrule::prelude)]", Refuse),
    ("#[differentiable(,)]", Refuse),
    ("#[differentiable(grad = g,, vjp = v)]", Refuse),
    ("#[differentiable(grad = g, grad = h)]", Refuse),
    ("#[differentiable(crate = ::chainrule, crate = ::chainrule)]", Refuse),
    // A clash only where `f_grad` exists: for a scalar result.
    ("#[differentiable(grad = g, vjp = g)]", Any),
    ("#[differentiable(grad = {NAME})]", Any),
    ("#[differentiable(grad = {NAME}_jvp)]", Any),
    ("#[differentiable(jvp = {NAME}_vjp)]", Refuse),
    ("#[differentiable = \"x\"]", Refuse),
    ("#[differentiable[grad = g]]", Any),
    ("#[differentiable{}]", Any),
    ("#[differentiable()]", Accept),
    ("#[differentiable(grad = g,)]", Accept),
    ("#[differentiable(grad = r#g)]", Accept),
    ("#[differentiable(crate = chainrule)]", Accept),
    ("#[chainrule::differentiable]", Accept),
    ("#[::chainrule::prelude::differentiable(grad = g)]", Accept),
    ("#[chainrule::differentiable(grad = )]", Refuse),
    ("#[differentiable]\n#[differentiable]", Refuse),
    ("#[differentiable]\n#[derivative(x = 1.0)]", Refuse),
    ("#[derivative(x = 1.0)]\n#[differentiable]", Refuse),
    ("#[differentiable]\n#[inline]", Accept),
    ("#[inline(always)]\n#[differentiable]", Accept),
    ("#[differentiable]\n#[must_use]", Accept),
    ("/// Documented.\n#[differentiable]", Accept),
    ("#[differentiable]\n#[no_grad]", Refuse),
    ("#[differentiable]\n#[cfg(all())]", Accept),
    ("#[differentiable]\n#[cfg(any())]", Accept),
];

/// `#[derivative(..)]` forms, each with the parameters it is written for.
const DERIVATIVE: &[(&str, &str, Expect)] = &[
    ("#[derivative(x = )]", "x: f64", Refuse),
    ("#[derivative(output)]", "x: f64", Refuse),
    ("#[derivative(y = 1.0)]", "x: f64", Refuse),
    ("#[derivative(x = 1.0, output = x)]", "x: f64", Refuse),
    ("#[derivative(x = 1.0, x = 2.0)]", "x: f64", Refuse),
    ("#[derivative(x = 1.0, output = s, output = t)]", "x: f64", Refuse),
    ("#[derivative(output = s)]", "x: f64", Refuse),
    ("#[derivative()]", "x: f64", Refuse),
    ("#[derivative]", "x: f64", Refuse),
    ("#[derivative(x = 1.0; y = 2.0)]", "x: f64, y: f64", Refuse),
    ("#[derivative(x = 1.0 y = 2.0)]", "x: f64, y: f64", Refuse),
    ("#[derivative(x == 1.0)]", "x: f64", Refuse),
    ("#[derivative(1 = x)]", "x: f64", Refuse),
    ("#[derivative(x = 1.0, output = 3)]", "x: f64", Refuse),
    ("#[derivative(x = 1.0, output = a.b)]", "x: f64", Refuse),
    ("#[derivative(x = \"s\")]", "x: f64", Refuse),
    ("#[derivative(x = 1)]", "x: f64", Refuse),
    ("#[derivative(x = 1.0, n = 1.0)]", "x: f64, n: usize", Refuse),
    ("#[derivative(x = 1.0, c = 1.0)]", "x: f64, #[no_grad] c: f64", Refuse),
    ("#[derivative(x = 1.0)]", "x: f64, y: f64", Refuse),
    ("#[derivative(x = 1.0)]", "x: &[f64]", Refuse),
    ("#[derivative(x = 1.0)]", "x: [f64; 2]", Refuse),
    ("#[derivative(x = undefined_name)]", "x: f64", Refuse),
    ("#[derivative(x = x.foo())]", "x: f64", Refuse),
    ("#[derivative(x = |t| t)]", "x: f64", Refuse),
    ("#[derivative(self = 1.0)]", "x: f64", Refuse),
    ("#[derivative(crate = 1.0)]", "x: f64", Refuse),
    ("#[derivative(x = 1.0, y = 2.0, z = 3.0)]", "x: f64, y: f64", Refuse),
    ("#[derivative(x = 1.0, output = y)]", "x: f64, y: f64", Refuse),
    ("#[derivative(x = 1.0)]", "x: f64, y: f32", Refuse),
    ("#[derivative(x = 1.0)]", "x: String", Refuse),
    // Names the generated code binds: a partial that mentions one must not read it.
    ("#[derivative(x = seed)]", "x: f64", Refuse),
    ("#[derivative(x = dx)]", "x: f64", Refuse),
    ("#[derivative(x = output)]", "x: f64", Refuse),
    ("#[derivative(x = f_grad(x).1)]", "x: f64", Refuse),
    ("#[derivative(x = 2.0 * x)]", "x: f64", Accept),
    ("#[derivative(x = 1.0,)]", "x: f64", Accept),
    ("#[derivative(x = s * (1.0 - s), output = s)]", "x: f64", Accept),
    ("#[derivative(x = y, y = x)]", "x: f64, y: f64", Accept),
    ("#[derivative(y = x, x = y)]", "x: f64, y: f64", Accept),
    ("#[derivative(x = 1.0)]", "x: f64, #[no_grad] c: f64, n: usize", Accept),
    ("#[derivative(x = { let a = 2.0; a * x })]", "x: f64", Accept),
    ("#[derivative(x = if x > 0.0 { 1.0 } else { 0.0 })]", "x: f64", Accept),
    ("#[derivative(x = 1.0)]", "x: f32", Accept),
    ("#[derivative(x = 1.0, seed = 2.0)]", "x: f64, seed: f64", Accept),
    ("#[derivative(r#type = 1.0)]", "r#type: f64", Accept),
];

/// Signature changes: a name, what it does to a function, and whether it stays supported.
type Edit = fn(&mut Function);

const SIGNATURES: &[(&str, Edit, Expect)] = &[
    ("no return type", |f| f.returns = Returns::Raw(String::new()), Refuse),
    ("returns i32", |f| f.returns = Returns::Raw(" -> i32".into()), Refuse),
    ("returns bool", |f| f.returns = Returns::Raw(" -> bool".into()), Refuse),
    ("returns ()", |f| f.returns = Returns::Raw(" -> ()".into()), Refuse),
    ("returns Option", |f| f.returns = Returns::Raw(format!(" -> Option<{}>", f.float)), Refuse),
    ("returns a 1-tuple", |f| f.returns = Returns::Raw(format!(" -> ({},)", f.float)), Refuse),
    ("returns a mixed tuple", |f| f.returns = Returns::Raw(format!(" -> ({}, i32)", f.float)), Refuse),
    ("returns a nested tuple", |f| f.returns = Returns::Raw(format!(" -> ({0}, ({0}, {0}))", f.float)), Refuse),
    ("returns [F; 0]", |f| f.returns = Returns::Raw(format!(" -> [{}; 0]", f.float)), Refuse),
    ("returns a nested array", |f| f.returns = Returns::Raw(format!(" -> [[{}; 2]; 2]", f.float)), Refuse),
    ("returns Vec", |f| f.returns = Returns::Raw(format!(" -> Vec<{}>", f.float)), Refuse),
    ("returns a reference", |f| f.returns = Returns::Raw(format!(" -> &'static {}", f.float)), Refuse),
    ("returns impl Trait", |f| f.returns = Returns::Raw(" -> impl Fn()".into()), Refuse),
    ("returns Self", |f| f.returns = Returns::Raw(" -> Self".into()), Refuse),
    ("returns !", |f| f.returns = Returns::Raw(" -> !".into()), Refuse),
    ("returns the other float", |f| f.returns = Returns::Raw(format!(" -> {}", other(f.float))), Refuse),
    ("returns a parenthesised float", paren_return, Accept),
    ("returns core::primitive", primitive_return, Accept),
    ("mixed f32/f64 parameters", |f| f.params.push(Param::Raw(format!("h: {}", other(f.float)))), Refuse),
    ("slice of the other float", |f| f.params.push(Param::Raw(format!("hs: &[{}]", other(f.float)))), Refuse),
    ("tuple parameter", |f| f.params.push(Param::Raw(format!("p: ({0}, {0})", f.float))), Refuse),
    ("tuple pattern parameter", |f| f.params.push(Param::Raw(format!("(a, b): ({0}, {0})", f.float))), Refuse),
    ("`_` parameter", |f| f.params.push(Param::Raw(format!("_: {}", f.float))), Refuse),
    ("`ref` parameter", |f| f.params.push(Param::Raw(format!("ref q: {}", f.float))), Refuse),
    ("`mut` parameter", |f| f.params.push(Param::Raw(format!("mut q: {}", f.float))), Accept),
    ("&mut F parameter", |f| f.params.push(Param::Raw(format!("r: &mut {}", f.float))), Refuse),
    ("&F parameter", |f| f.params.push(Param::Raw(format!("r: &{}", f.float))), Refuse),
    ("Box<F> parameter", |f| f.params.push(Param::Raw(format!("r: Box<{}>", f.float))), Refuse),
    ("Option<F> parameter", |f| f.params.push(Param::Raw(format!("r: Option<{}>", f.float))), Refuse),
    ("String parameter", |f| f.params.push(Param::Raw("s: String".into())), Refuse),
    ("&str parameter", |f| f.params.push(Param::Raw("s: &str".into())), Refuse),
    ("Vec<F> by value", |f| f.params.push(Param::Raw(format!("w: Vec<{}>", f.float))), Refuse),
    ("nested array parameter", |f| f.params.push(Param::Raw(format!("m: [[{}; 2]; 2]", f.float))), Refuse),
    ("slice of arrays", |f| f.params.push(Param::Raw(format!("m: &[[{}; 2]]", f.float))), Refuse),
    ("type alias parameter", |f| f.params.push(Param::Raw("t: Real".into())), Refuse),
    ("fn pointer parameter", |f| f.params.push(Param::Raw(format!("g: fn({0}) -> {0}", f.float))), Refuse),
    ("impl Trait parameter", |f| f.params.push(Param::Raw(format!("g: impl Fn({0}) -> {0}", f.float))), Refuse),
    ("dyn Trait parameter", |f| f.params.push(Param::Raw(format!("g: &dyn Fn({0}) -> {0}", f.float))), Refuse),
    ("#[no_grad] String", |f| f.params.push(Param::Raw("#[no_grad] s: String".into())), Any),
    ("#[no_grad] twice", |f| f.params.push(Param::Raw(format!("#[no_grad] #[no_grad] q: {}", f.float))), Any),
    ("#[no_grad(x)]", |f| f.params.push(Param::Raw(format!("#[no_grad(x)] q: {}", f.float))), Refuse),
    ("#[no_grad] on a slice", |f| f.params.push(Param::Raw(format!("#[no_grad] q: &[{}]", f.float))), Accept),
    ("core::primitive parameter", |f| f.params.push(Param::Raw(format!("q: core::primitive::{}", f.float))), Accept),
    ("bool, char, u128 parameters", |f| f.params.push(Param::Raw("b: bool, ch: char, w: u128".into())), Accept),
    ("integer array parameter", |f| f.params.push(Param::Raw("ks: [usize; 3]".into())), Accept),
    ("integer slice parameter", |f| f.params.push(Param::Raw("ks: &[i32]".into())), Accept),
    ("&mut Vec output", |f| f.params.push(Param::Raw(format!("res: &mut Vec<{}>", f.float))), Accept),
    ("&mut [F; 3] output", |f| f.params.push(Param::Raw(format!("res: &mut [{}; 3]", f.float))), Accept),
    ("&mut [i32] parameter", |f| f.params.push(Param::Raw("res: &mut [i32]".into())), Refuse),
    ("duplicate parameter", |f| f.params.push(Param::Raw(format!("x: {}", f.float))), Refuse),
    ("no parameters", |f| f.params.clear(), Refuse),
    ("only #[no_grad] parameters", only_no_grad, Refuse),
    ("&self parameter", |f| f.params.insert(0, Param::Raw("&self".into())), Refuse),
    ("self: f64 parameter", |f| f.params.insert(0, Param::Raw(format!("self: {}", f.float))), Refuse),
    ("generic type parameter", |f| f.name.push_str("<T>"), Refuse),
    ("generic with a bound", |f| f.name.push_str("<T: Copy + Into<f64>>"), Refuse),
    ("lifetime parameter", |f| f.name.push_str("<'a>"), Refuse),
    ("const generic", |f| f.name.push_str("<const N: usize>"), Refuse),
    ("where clause", where_clause, Refuse),
    ("async fn", |f| f.visibility.push_str("async "), Refuse),
    ("unsafe fn", |f| f.visibility.push_str("unsafe "), Refuse),
    ("const fn", |f| f.visibility.push_str("const "), Any),
    ("extern \"C\" fn", |f| f.visibility.push_str("extern \"C\" "), Refuse),
    ("pub(super) fn", |f| f.visibility = "pub(super) ".into(), Accept),
    ("pub(self) fn", |f| f.visibility = "pub(self) ".into(), Accept),
    ("pub(in path) fn", |f| f.visibility = "pub(in crate) ".into(), Accept),
];

/// Names generated code uses or builds from: each replaces `x` in a supported function.
const NAMES: &[&str] = &[
    "seed",
    "dx",
    "output",
    "pullback",
    "tangent",
    "value",
    "__t1",
    "__dt1",
    "f_grad",
    "ddx",
    "x_",
    "_x",
    "r#type",
    "r#match",
    "ξ",
    "Δx",
    "X",
    "x1",
    "d",
    "stop_gradient",
    "f",
    "s",
    "t1",
    "i1",
    "a1",
    "o",
    "yn",
];

pub fn differentiable(rng: &mut Rng, name: &str) -> (String, String, Expect) {
    let (attr, expect) = rng.pick(DIFFERENTIABLE);
    let mut f = small_function(rng, name);
    f.attribute = attr.replace("{NAME}", name);
    (format!("attribute {}", attr.replace('\n', " ")), f.source(), *expect)
}

pub fn derivative(rng: &mut Rng, name: &str) -> (String, String, Expect) {
    let (attr, params, expect) = rng.pick(DERIVATIVE);
    let float = if params.contains("f32") && !params.contains("f64") { "f32" } else { "f64" };
    let result = if params.contains("[f64; 2]") { "[f64; 2]" } else { float };
    // A body of the result type whatever the parameters: the attribute is what is fuzzed,
    // and the body of a #[derivative] function is not differentiated.
    let body = match result {
        "[f64; 2]" => "[1.0, 2.0]",
        _ => rng.pick(&["1.0", "let t = 1.0;\n    t * 2.0", "if 1.0 > 0.0 { 0.5 } else { 1.5 }"]),
    };
    let source = format!("{attr}\nfn {name}({params}) -> {result} {{\n    {body}\n}}\n");
    (format!("derivative {} on ({params})", attr.replace('\n', " ")), source, *expect)
}

pub fn signature(rng: &mut Rng, name: &str) -> (String, String, Expect) {
    let (what, edit, expect) = rng.pick(SIGNATURES);
    let mut f = small_function(rng, name);
    // Without a return type, a function writing into `out` is the supported `()` form.
    let expect = if *what == "no return type" && f.returns == Returns::Unit { Accept } else { *expect };
    edit(&mut f);
    let source = if what.contains("alias") { format!("type Real = f64;\n\n{}", f.source()) } else { f.source() };
    (format!("signature: {what}"), source, expect)
}

/// A supported function with `x` renamed (parameters and uses alike), or in an `impl`.
pub fn names(rng: &mut Rng, name: &str) -> (String, String, Expect) {
    let f = function(rng, name, None);
    match rng.below(8) {
        0 => {
            let wrapped = format!("pub struct S;\n\nimpl S {{\n{}}}\n", f.source());
            ("in an impl block".to_string(), wrapped, Refuse)
        }
        1 => {
            let mut m = f;
            m.params.insert(0, Param::Raw("&self".into()));
            let wrapped = format!("pub struct S;\n\nimpl S {{\n{}}}\n", m.source());
            ("method in an impl block".to_string(), wrapped, Refuse)
        }
        2 => {
            let mut f = f;
            f.visibility.clear();
            let wrapped = format!("pub trait T {{\n{}}}\n", f.source());
            ("in a trait".to_string(), wrapped, Refuse)
        }
        3 => {
            let clash = *rng.pick(&["fn {NAME}_grad() {}", "struct {NAME};", "struct {NAME} {}", "fn tangent() {}"]);
            let clash = clash.replace("{NAME}", name);
            (format!("beside `{}`", clash.replace(name, "f")), format!("{clash}\n\n{}", f.source()), Any)
        }
        _ => {
            let new = rng.pick(NAMES);
            let renamed = rename(&f.source(), "x", new);
            // A parameter named like the function, or like a function the body calls, hides it.
            let expect = if *new == name || *new == "stop_gradient" { Any } else { Accept };
            (format!("`x` renamed `{}`", if *new == name { "<fn name>" } else { new }), renamed, expect)
        }
    }
}

fn other(float: &str) -> &'static str {
    if float == "f64" { "f32" } else { "f64" }
}

fn paren_return(f: &mut Function) {
    if f.returns == Returns::Scalar {
        f.returns = Returns::Raw(format!(" -> ({})", f.float));
    }
}

fn primitive_return(f: &mut Function) {
    if f.returns == Returns::Scalar {
        f.returns = Returns::Raw(format!(" -> core::primitive::{}", f.float));
    }
}

fn only_no_grad(f: &mut Function) {
    let float = f.float;
    for p in &mut f.params {
        *p = match &*p {
            Param::Scalar(n) => Param::NoGrad(n.clone()),
            Param::Slice(n, ty) => Param::Raw(format!("#[no_grad] {n}: {ty}")),
            Param::Array(n) => Param::Raw(format!("#[no_grad] {n}: [{float}; 3]")),
            Param::Out(n) => Param::Raw(format!("#[no_grad] {n}: &mut [{float}]")),
            other => other.clone(),
        };
    }
}

fn where_clause(f: &mut Function) {
    f.returns = Returns::Raw(format!("{} where {}: Copy", f.returns_text(), f.float));
}

/// `source` with every identifier `from` replaced by `to`.
pub fn rename(source: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(if word == from { to } else { word });
        word.clear();
    };
    for c in source.chars() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}
