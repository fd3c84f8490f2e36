//! Supported functions with one construct the macro does not differentiate inserted at a
//! random statement boundary (or, for some, at the end). Each construct is valid Rust syntax,
//! so that rustc hands the function to the macro; most are refused, and the question is by
//! whom: by one of chainrule's messages, or by a rustc error about the code it generated.
//!
//! Placeholders: `{F}` the float type, `{X}` an active scalar (a parameter `w` of its own),
//! `{XS}` a slice, `{V}` an array parameter, `{N}` a `usize`, `{K}` an `i32`, `{SELF}` a
//! call of the function itself, `{RET}` a value of its result type. A missing parameter is
//! added to the signature.

use super::Expect;
use super::body::{Function, Param, Returns, function};
use crate::rng::Rng;

struct Snippet {
    construct: &'static str,
    /// Items the module needs beside the function (a struct, a macro).
    items: &'static str,
    body: &'static str,
    /// Calls the `f64` helpers, so the function must be `f64`.
    f64_only: bool,
    expect: Expect,
}

const fn refuse(construct: &'static str, body: &'static str) -> Snippet {
    Snippet { construct, items: "", body, f64_only: false, expect: Expect::Refuse }
}

const fn helper(construct: &'static str, body: &'static str) -> Snippet {
    Snippet { construct, items: "", body, f64_only: true, expect: Expect::Refuse }
}

/// Constructs that are plain Rust and may well be supported: reported, not expected.
const fn any(construct: &'static str, body: &'static str) -> Snippet {
    Snippet { construct, items: "", body, f64_only: false, expect: Expect::Any }
}

const fn calls(construct: &'static str, body: &'static str, expect: Expect) -> Snippet {
    Snippet { construct, items: "", body, f64_only: true, expect }
}

const fn with_items(construct: &'static str, items: &'static str, body: &'static str) -> Snippet {
    Snippet { construct, items, body, f64_only: false, expect: Expect::Refuse }
}

/// Constructs the fence should let through: a check that inserting them costs nothing.
const fn accept(construct: &'static str, body: &'static str) -> Snippet {
    Snippet { construct, items: "", body, f64_only: false, expect: Expect::Accept }
}

const SNIPPETS: &[Snippet] = &[
    refuse("closure", "let g = |t: {F}| t * {X};\nlet u = g({X});"),
    refuse("closure called in place", "let u = (|t: {F}| t * 2.0)({X});"),
    refuse("fn pointer", "let g: fn({F}) -> {F} = {F}::sin;\nlet u = g({X});"),
    refuse("macro statement", "println!(\"{}\", {X});"),
    refuse("macro expression", "let u = {X} * format!(\"{}\", {X}).len() as {F};"),
    refuse("assert! macro", "assert!({X} > 0.0);"),
    refuse("dbg! macro", "let u = dbg!({X});"),
    refuse("vec! of an active value", "let u = vec![{X}; 3];"),
    with_items("user macro_rules!", "macro_rules! sq { ($e:expr) => { $e * $e }; }", "let u = sq!({X});"),
    refuse("`?`", "let u = Some({X})?;"),
    refuse("tuple field access", "let p = ({X}, {X});\nlet u = p.0;"),
    with_items("struct literal", "struct P { a: {F} }", "let p = P { a: {X} };\nlet u = p.a * 2.0;"),
    with_items("struct field of a parameter", "struct P { a: {F} }", "let p = P { a: 1.0 };\nlet u = {X} * p.a;"),
    refuse("tuple in the body", "let t = ({X}, 1.0);"),
    refuse("tuple destructuring", "let (a, b) = ({X}, {X});\nlet u = a * b;"),
    refuse(
        "labelled break",
        "'outer: for i in 0..3 {\n    for j in 0..3 {\n        if i == j {\n            break 'outer;\n        }\n    }\n}",
    ),
    refuse("labelled continue", "'outer: for i in 0..3 {\n    for j in 0..i {\n        continue 'outer;\n    }\n}"),
    refuse("labelled block", "let u = 'b: {\n    if {X} > 0.0 {\n        break 'b {X};\n    }\n    1.0\n};"),
    refuse("break with a value", "let u = loop {\n    break {X} * 2.0;\n};"),
    refuse("if let", "let mut u = 0.0;\nif let Some(t) = Some({X}) {\n    u = t;\n}"),
    refuse("while let", "let mut o = Some({X});\nwhile let Some(t) = o {\n    o = None;\n}"),
    refuse("reference", "let r = &{X};\nlet u = *r * 2.0;"),
    refuse("&mut of a local", "let mut u = {X};\nlet r = &mut u;"),
    refuse("deref of a reference", "let u = *&{X};"),
    refuse("unsafe block", "let u = unsafe { {X} * 2.0 };"),
    refuse("transmute", "let u: {F} = unsafe { std::mem::transmute({X}) };"),
    refuse("async block", "let u = async { {X} };"),
    refuse("const block", "let u = {X} * const { 2.0 };"),
    refuse("item fn in the body", "fn inner(t: {F}) -> {F} {\n    t * t\n}\nlet u = inner({X});"),
    refuse("const item in the body", "const K: {F} = 2.0;\nlet u = {X} * K;"),
    refuse("use item in the body", "use std::ops::Add;\nlet u = {X}.add({X});"),
    refuse("iterator sum", "let u: {F} = {XS}.iter().sum();"),
    refuse("iterator map sum", "let u = {XS}.iter().map(|t| t * {X}).sum::<{F}>();"),
    refuse("iterator fold", "let u = {XS}.iter().fold(0.0, |a, b| a + b);"),
    refuse("iterator zip", "let u: {F} = {XS}.iter().zip({XS}.iter()).map(|(a, b)| a * b).sum();"),
    refuse("for over a slice", "let mut u = 0.0;\nfor t in {XS} {\n    u += *t;\n}"),
    refuse("for over .iter()", "let mut u = 0.0;\nfor t in {XS}.iter() {\n    u += t * {X};\n}"),
    refuse("for over an unbounded range", "for i in 0.. {\n    if i > 3 {\n        break;\n    }\n}"),
    refuse("for with a pattern", "let mut u = 0.0;\nfor (i, t) in {XS}.iter().enumerate() {\n    u += t;\n}"),
    accept("for with `_`", "let mut u = {X};\nfor _ in 0..3 {\n    u *= 2.0;\n}"),
    refuse("#[cfg] on a statement", "#[cfg(test)]\nlet u = {X};"),
    refuse("#[cfg(not)] on a statement", "#[cfg(not(test))]\nlet u = {X} * 2.0;"),
    refuse("#[cfg_attr] on a statement", "#[cfg_attr(test, allow(unused))]\nlet u = {X};"),
    refuse("#[inline] on a statement", "#[inline]\nlet u = {X};"),
    refuse("doc comment on a statement", "/// the square\nlet u = {X} * {X};"),
    accept("#[allow] on a statement", "#[allow(unused_variables)]\nlet u = {X};"),
    accept("#[rustfmt::skip] on a statement", "#[rustfmt::skip]\nlet u = {X}  *  2.0;"),
    refuse("nested array", "let m = [[0.0; 2]; 2];"),
    refuse("nested array literal", "let m = [[{X}, 1.0], [1.0, {X}]];"),
    refuse("recursion", "let u = {SELF};"),
    refuse("string literal", "let s = \"abc\";"),
    refuse("byte string literal", "let s = b\"abc\";"),
    refuse("string length", "let u = {X} * \"abc\".len() as {F};"),
    refuse("% on floats", "let u = {X} % 2.0;"),
    refuse("%= on floats", "let mut u = {X};\nu %= 2.0;"),
    refuse("cast of an active value to i32", "let u = {X} as i32;"),
    refuse("cast of an active value to usize as an index", "let u = {XS}[({X} * 2.0) as usize];"),
    refuse("cast of an active value to u8 and back", "let u = {X} as u8 as {F};"),
    refuse("unknown method", "let u = {X}.softly();"),
    refuse("unknown method rem_euclid", "let u = {X}.rem_euclid(2.0);"),
    refuse("unknown method copysign", "let u = {X}.copysign(-1.0);"),
    refuse("sin_cos (a tuple)", "let u = {X}.sin_cos();"),
    refuse("to_bits", "let u = {X}.to_bits();"),
    refuse("is_nan in a condition", "let mut u = {X};\nif u.is_nan() {\n    u = 0.0;\n}"),
    refuse("clone of a float", "let u = {X}.clone();"),
    refuse("method turbofish", "let u = {X}.max::<{F}>(1.0);"),
    refuse("let without initializer", "let u: {F};\nu = {X};"),
    refuse("let else", "let Some(u) = Some({X}) else {\n    loop {}\n};"),
    refuse("let with `_`", "let _ = {X} * 2.0;"),
    refuse("let ref", "let ref u = {X};"),
    refuse("let with a binding @", "let u @ _ = {X};"),
    refuse("range in a let", "let r = 0..3;"),
    refuse("sub-slice", "let u = {XS}[1..].len() as {F};"),
    helper("sub-slice to a differentiable call", "let u = dot(&{XS}[1..], {XS});"),
    refuse("match with a binding", "let u = match {K} {\n    m => m as {F} * {X},\n};"),
    refuse("match on a float with a guard", "let u = match {X} {\n    t if t > 0.0 => t,\n    _ => 0.0,\n};"),
    any("match on a bool", "let u = match {X} > 0.0 {\n    true => {X},\n    false => -{X},\n};"),
    refuse("return in a branch", "if {X} > 10.0 {\n    return {RET};\n}"),
    refuse("loop as an expression", "let u = loop {\n    break;\n};"),
    refuse("write to an array parameter", "{V}[0] = {X};"),
    refuse("write to a slice parameter", "{XS}[0] = {X};"),
    refuse("assignment to a deref", "let mut a = [0.0; 2];\n*a.first_mut().unwrap() = {X};"),
    refuse("statement without effect", "{X} + 1.0;"),
    any("if expression as a statement", "if {X} > 0.0 { 1.0 } else { 2.0 };"),
    refuse("active integer exponent", "let u = {X}.powi({X} as i32);"),
    refuse("qualified path call", "let u = <{F} as std::ops::Add>::add({X}, {X});"),
    refuse("qualified path const", "let u = {X} * <{F}>::EPSILON;"),
    refuse("generic call", "let u = std::convert::identity::<{F}>({X});"),
    refuse("call of a non-differentiable std function", "let u = {F}::from(2u8) * {X};"),
    refuse("raw address", "let p = &raw const {X};"),
    refuse("unary not on a float", "let u = !{X};"),
    refuse("shift on an integer constant", "let mut m = {N};\nm <<= 1;"),
    refuse("block statement with a value", "{\n    {X} * 2.0\n}"),
    helper("active value to a #[no_grad] parameter", "let u = leaky_relu({X}, {X});"),
    helper("calling a generated _grad", "let u = bump_grad({X}, {X}).0;"),
    helper("calling a generated _jvp", "let u = softsign_jvp({X}, 1.0).1;"),
    helper("calling a non-differentiable function", "let u = plain({X});"),
    helper("calling a non-differentiable function by path", "let u = crate::helpers::plain({X});"),
    helper("lending a local array", "let a = [{X}, {X}];\nlet u = dot(&a, &a);"),
    helper("stop_gradient of a slice", "let u = stop_gradient({XS});"),
    helper("indexing an array a call returns", "let u = pair({X})[1];"),
    helper("field of a tuple a call returns", "let u = duo({X}).0;"),
    calls("a call's tuple bound whole", "let u = duo({X});", Expect::Any),
    helper("a protocol function called directly", "let u = bump::tangent({X}, 1.0, {X}, 0.0).0;"),
    calls("a method call on a call's result", "let u = bump({X}, 1.0).sin();", Expect::Accept),
    calls("a differentiable call through a reference", "let u = dot(&{XS}, {XS});", Expect::Any),
    calls(
        "an output lent while an element of it is read",
        "let mut a = [0.0; 3];\nspread({X}, &mut a);\nspread(a[0], &mut a);\nlet u = a[1];",
        Expect::Any,
    ),
];

/// Constructs whose `u` is not a float, or does not exist where the result is computed.
const NOT_FLOAT: &[&str] = &[
    "cast of an active value to i32",
    "to_bits",
    "vec! of an active value",
    "sin_cos (a tuple)",
    "async block",
    "loop as an expression",
    "#[cfg] on a statement",
    "stop_gradient of a slice",
    "a call's tuple bound whole",
];

/// A supported function with one unsupported construct in it. A construct that binds a
/// float `u` is inserted at the top level and `u` is made to reach the result: a value that
/// reaches no result gets no derivative code, so the construct would not be tested.
pub fn case(rng: &mut Rng, name: &str) -> (String, String, Expect) {
    let snippet = rng.pick(SNIPPETS);
    let mut f = function(rng, name, None);
    while snippet.f64_only && f.float != "f64" {
        f = function(rng, name, None);
    }
    let body = fill(&mut f, snippet.body);
    let lines: Vec<String> = body.lines().map(str::to_string).collect();
    let binds = ["let u ", "let u:", "let mut u ", "let ref u ", "Some(u)", "let u @"].iter().any(|b| body.contains(b));
    let flows = binds && !NOT_FLOAT.contains(&snippet.construct);
    f.insert(rng, &lines, flows);
    if flows {
        f.use_in_result("u");
    }
    let items = snippet.items.replace("{F}", f.float);
    let source = if items.is_empty() { f.source() } else { format!("{items}\n\n{}", f.source()) };
    (snippet.construct.to_string(), source, snippet.expect)
}

/// Replaces the placeholders, adding whatever parameter they need.
fn fill(f: &mut Function, template: &str) -> String {
    // A parameter of its own: the body may shadow `x` with a constant.
    if template.contains("{X}") {
        f.params.push(Param::Scalar("w".into()));
    }
    let mut needs = |marker: &str, param: Param, name: &str| -> String {
        if !template.contains(marker) {
            return String::new();
        }
        let same = |p: &Param| std::mem::discriminant(p) == std::mem::discriminant(&param);
        match f.params.iter().find(|p| same(p)) {
            Some(Param::Slice(n, _) | Param::Array(n) | Param::Count(n) | Param::Int(n)) => n.clone(),
            _ => {
                f.params.push(param);
                name.to_string()
            }
        }
    };
    let xs = needs("{XS}", Param::Slice("xs".into(), format!("&[{}]", f.float)), "xs");
    let v = needs("{V}", Param::Array("v".into()), "v");
    let n = needs("{N}", Param::Count("n".into()), "n");
    let k = needs("{K}", Param::Int("k".into()), "k");
    let ret = match f.returns {
        Returns::Scalar => "x".to_string(),
        Returns::Array => "[x, x]".to_string(),
        Returns::Tuple => "(x, x)".to_string(),
        Returns::Unit | Returns::Raw(_) => String::new(),
    };
    template
        .replace("{F}", f.float)
        .replace("{X}", "w")
        .replace("{XS}", &xs)
        .replace("{V}", &v)
        .replace("{N}", &n)
        .replace("{K}", &k)
        .replace("{RET}", &ret)
        .replace("{SELF}", &f.self_call())
}
