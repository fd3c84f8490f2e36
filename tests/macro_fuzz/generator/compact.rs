//! `differentiable_fns! { fn f(x, y) < body > }`: valid invocations with generated bodies,
//! and broken ones. The invocation's input is plain tokens, so anything with balanced
//! delimiters reaches the macro, however little of it is Rust.

use super::Expect::{self, Accept, Refuse};
use super::body::scalar_function;
use crate::rng::Rng;

/// Broken or unusual invocations: `{NAME}` is the function's name, `{BODY}` a valid body
/// over `x` and `y`.
const FORMS: &[(&str, &str, Expect)] = &[
    ("unclosed `<`", "fn {NAME}(x, y) < {BODY}", Refuse),
    ("no `<`", "fn {NAME}(x, y) {BODY} >", Refuse),
    ("braces instead of `< >`", "fn {NAME}(x, y) { {BODY} }", Refuse),
    ("empty body", "fn {NAME}(x, y) < >", Refuse),
    ("empty invocation", "", Accept),
    ("typed parameters", "fn {NAME}(x: f64, y: f64) < {BODY} >", Refuse),
    ("return type", "fn {NAME}(x, y) -> f64 < {BODY} >", Refuse),
    ("no parameters", "fn {NAME}() < 1.0 >", Refuse),
    ("no name", "fn (x, y) < {BODY} >", Refuse),
    ("no parentheses", "fn {NAME} x, y < {BODY} >", Refuse),
    ("trailing comma in parameters", "fn {NAME}(x, y,) < {BODY} >", Accept),
    ("double comma in parameters", "fn {NAME}(x,, y) < {BODY} >", Refuse),
    ("literal parameter", "fn {NAME}(1, y) < y >", Refuse),
    ("`self` parameter", "fn {NAME}(self, x) < x >", Refuse),
    ("raw identifier parameter", "fn {NAME}(r#type, y) < r#type * y >", Accept),
    ("generic parameter", "fn {NAME}<T>(x, y) < {BODY} >", Refuse),
    ("async fn", "async fn {NAME}(x, y) < {BODY} >", Refuse),
    ("const fn", "const fn {NAME}(x, y) < {BODY} >", Refuse),
    ("pub(crate)", "pub(crate) fn {NAME}(x, y) < {BODY} >", Accept),
    ("pub pub", "pub pub fn {NAME}(x, y) < {BODY} >", Refuse),
    ("garbage after the body", "fn {NAME}(x, y) < {BODY} > garbage", Refuse),
    ("number after the body", "fn {NAME}(x, y) < {BODY} > 42", Refuse),
    ("semicolon after the body", "fn {NAME}(x, y) < {BODY} >;", Refuse),
    ("comma between functions", "fn {NAME}(x, y) < {BODY} >, fn {NAME}2(x) < x >", Refuse),
    ("second body", "fn {NAME}(x, y) < {BODY} > < x >", Refuse),
    ("`>>` at the end", "fn {NAME}(x, y) < {BODY} >>", Refuse),
    ("`<<` at the start", "fn {NAME}(x, y) << {BODY} >", Refuse),
    ("only a keyword", "fn", Refuse),
    ("only a name", "fn {NAME}", Refuse),
    ("only a signature", "fn {NAME}(x, y)", Refuse),
    ("open body only", "fn {NAME}(x, y) <", Refuse),
    ("a string", "\"fn f(x) < x >\"", Refuse),
    ("a struct", "struct S;", Refuse),
    ("a lone `#`", "# fn {NAME}(x, y) < {BODY} >", Refuse),
    ("an empty attribute", "#[] fn {NAME}(x, y) < {BODY} >", Refuse),
    ("an inner attribute", "#![allow(unused)] fn {NAME}(x, y) < {BODY} >", Refuse),
    ("`$` in the body", "fn {NAME}(x, y) < $x >", Refuse),
    ("comparison as the result", "fn {NAME}(x, y) < x > y >", Refuse),
    ("shift in the body", "fn {NAME}(x, y) < x * (1 >> 1) as f64 >", Accept),
    ("comparison inside the body", "fn {NAME}(x, y) < if x > y { x } else { y } >", Accept),
    ("`<` inside the body", "fn {NAME}(x, y) < if x < y { x } else { y } >", Accept),
    ("`fn` type inside the body", "fn {NAME}(x, y) < let g: fn(f64) -> f64 = f64::sin; g(x) >", Refuse),
    ("attribute inside the body", "fn {NAME}(x, y) < #[allow(unused)] let t = x; t * y >", Accept),
    ("item inside the body", "fn {NAME}(x, y) < fn inner() {} x >", Refuse),
    ("`pub` inside the body", "fn {NAME}(x, y) < pub struct S; x >", Refuse),
    ("statement only", "fn {NAME}(x, y) < x * y; >", Refuse),
    ("let only", "fn {NAME}(x, y) < let t = x * y; >", Refuse),
    ("duplicate function", "fn {NAME}(x, y) < {BODY} > fn {NAME}(x, y) < {BODY} >", Refuse),
    ("duplicate parameter", "fn {NAME}(x, x) < x >", Refuse),
    ("#[differentiable(grad = g)]", "#[differentiable(grad = {NAME}_g)] fn {NAME}(x, y) < {BODY} >", Accept),
    ("#[differentiable(foo)]", "#[differentiable(foo)] fn {NAME}(x, y) < {BODY} >", Refuse),
    ("#[differentiable(grad = )]", "#[differentiable(grad = )] fn {NAME}(x, y) < {BODY} >", Refuse),
    ("#[differentiable = 1]", "#[differentiable = 1] fn {NAME}(x, y) < {BODY} >", Refuse),
    ("#[derivative(..)] on a compact function", "#[derivative(x = 1.0, y = 1.0)] fn {NAME}(x, y) < {BODY} >", Refuse),
    ("#[differentiable] twice", "#[differentiable] #[differentiable] fn {NAME}(x, y) < {BODY} >", Accept),
    ("doc comment", "/// Documented.\nfn {NAME}(x, y) < {BODY} >", Accept),
    ("#[inline]", "#[inline] fn {NAME}(x, y) < {BODY} >", Accept),
    ("#[no_grad] on a parameter", "fn {NAME}(#[no_grad] x, y) < {BODY} >", Refuse),
    ("calls between functions", "fn {NAME}(x, y) < {BODY} > fn {NAME}_twice(x, y) < 2.0 * {NAME}(x, y) >", Accept),
];

/// A valid invocation whose body the supported generator wrote, or one of the forms above.
pub fn case(rng: &mut Rng, name: &str) -> (String, String, Expect) {
    let params = rng.between(1, 3);
    let f = scalar_function(rng, name, params, (1, 6));
    let body = f.body();
    let params: Vec<String> = f.params.iter().map(|p| p.name().to_string()).collect();
    let (construct, input, expect) = if rng.chance(0.35) {
        let vis = if rng.chance(0.3) { "pub " } else { "" };
        ("valid".to_string(), format!("{vis}fn {name}({}) <\n{body}>", params.join(", ")), Accept)
    } else {
        let (what, form, expect) = rng.pick(FORMS);
        // The forms name `x` and `y`; short, since the form is what is fuzzed.
        let g = scalar_function(rng, name, 2, (0, 1));
        let input = form.replace("{NAME}", name).replace("{BODY}", g.body().trim());
        (what.to_string(), input, *expect)
    };
    let (open, close) = *rng.pick(&[("! {\n", "\n}"), ("! {\n", "\n}"), ("!(\n", "\n);"), ("![\n", "\n];")]);
    let source = format!("differentiable_fns{open}{input}{close}\n");
    (format!("compact: {construct}"), source, expect)
}
