//! The derivative-rule table: the one place that knows the calculus of the built-in
//! operators and float methods. Each rule gives the partial derivative of the result with
//! respect to each argument, as code over the arguments `a`, the result `r` and the float
//! type `f`. Forward mode uses them as `dr = Σ ∂r/∂aᵢ · daᵢ`, reverse mode as
//! `daᵢ += dr · ∂r/∂aᵢ`: one rule serves both modes, and adding a primitive is one entry.
//!
//! Non-smooth points are decided here, once:
//! - `max`/`min` with equal arguments split the gradient in half between them (the
//!   midpoint of the subdifferential; symmetric, and the same choice as JAX). A NaN argument
//!   gets no gradient, matching `f64::max`, which returns the other argument.
//! - `abs` at 0 has derivative 0 (the subgradient of least norm, as in PyTorch and JAX), and
//!   so does `hypot` at the origin, in both arguments.
//! - `sqrt` at 0 has derivative `+inf`, its one-sided limit (as in JAX and PyTorch); `cbrt`
//!   likewise. A composition smooth at 0, such as `(x * x).sqrt()`, then gets `inf · 0 = NaN`:
//!   write `x.abs()` or `x.hypot(0.0)` for it instead.
//! - `x.powi(0)` and `x.powf(0.0)` are constants: derivative 0 in `x` everywhere, `x = 0`
//!   included; `0.0.powf(y)` has derivative 0 in `y` for `y > 0`.
//! - `signum floor ceil round trunc` have derivative 0 everywhere, including their jumps.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

pub struct Rule {
    /// The operator symbol (`+`, `neg`, `copy`) or the method name (`sin`).
    pub name: &'static str,
    pub syntax: Syntax,
    /// Number of arguments, the receiver of a method included.
    pub arity: usize,
    /// Arguments that must stay constant (`powi`'s integer exponent).
    pub constant: &'static [usize],
    pub partials: fn(&[TokenStream], &TokenStream, &Ident) -> Vec<Partial>,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Syntax {
    Infix,
    Prefix,
    /// `r = a`: a `let` binding of an existing value.
    Copy,
    /// `r = a as F`: a cast to the function's float type (identity on an active value).
    Cast,
    Method,
}

pub enum Partial {
    Zero,
    One,
    MinusOne,
    Expr(TokenStream),
}

use Partial::{MinusOne, One, Zero};

fn e(tokens: TokenStream) -> Partial {
    Partial::Expr(tokens)
}

macro_rules! rule {
    ($name:literal, $syntax:ident, $arity:literal, |$a:ident, $r:ident, $f:ident| $body:expr) => {
        rule!($name, $syntax, $arity, [], |$a, $r, $f| $body)
    };
    ($name:literal, $syntax:ident, $arity:literal, [$($c:literal),*], |$a:ident, $r:ident, $f:ident| $body:expr) => {
        Rule {
            name: $name,
            syntax: Syntax::$syntax,
            arity: $arity,
            constant: &[$($c),*],
            partials: |$a, $r, $f| {
                let _ = (&$a, &$r, &$f);
                $body
            },
        }
    };
}

pub static RULES: &[Rule] = &[
    // Operators: add distributes, mul switches (the lecture's gate patterns).
    rule!("+", Infix, 2, |_a, _r, _f| vec![One, One]),
    rule!("-", Infix, 2, |_a, _r, _f| vec![One, MinusOne]),
    rule!("*", Infix, 2, |a, _r, _f| {
        let (x, y) = (&a[0], &a[1]);
        vec![e(quote!(#y)), e(quote!(#x))]
    }),
    rule!("/", Infix, 2, |a, r, _f| {
        let y = &a[1];
        vec![e(quote!(1.0 / #y)), e(quote!(-#r / #y))]
    }),
    rule!("neg", Prefix, 1, |_a, _r, _f| vec![MinusOne]),
    rule!("copy", Copy, 1, |_a, _r, _f| vec![One]),
    rule!("as", Cast, 1, |_a, _r, _f| vec![One]),
    // Exponentials and logarithms.
    rule!("exp", Method, 1, |_a, r, _f| vec![e(quote!(#r))]),
    rule!("exp2", Method, 1, |_a, r, f| vec![e(quote!(#r * ::core::#f::consts::LN_2))]),
    rule!("exp_m1", Method, 1, |_a, r, _f| vec![e(quote!(#r + 1.0))]),
    rule!("ln", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / #x))]
    }),
    rule!("ln_1p", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (1.0 + #x)))]
    }),
    rule!("log2", Method, 1, |a, _r, f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (#x * ::core::#f::consts::LN_2)))]
    }),
    rule!("log10", Method, 1, |a, _r, f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (#x * ::core::#f::consts::LN_10)))]
    }),
    rule!("log", Method, 2, |a, r, _f| {
        let (x, b) = (&a[0], &a[1]);
        vec![e(quote!(1.0 / (#x * #b.ln()))), e(quote!(-#r / (#b * #b.ln())))]
    }),
    // Powers and roots.
    rule!("sqrt", Method, 1, |_a, r, _f| vec![e(quote!(0.5 / #r))]),
    rule!("cbrt", Method, 1, |_a, r, _f| vec![e(quote!(1.0 / (3.0 * #r * #r)))]),
    rule!("powi", Method, 2, [1], |a, _r, f| {
        let (x, n) = (&a[0], &a[1]);
        // `x⁰` is constant: its derivative is 0 even at `x = 0`, where `0 · x⁻¹` would be NaN.
        vec![e(quote!(if #n == 0 { 0.0 } else { #n as #f * #x.powi(#n - 1) })), Zero]
    }),
    rule!("powf", Method, 2, |a, r, _f| {
        let (x, y) = (&a[0], &a[1]);
        // As for `powi`: `x^0` is constant in `x`. And `0^y` is 0 for every `y > 0`, so its
        // derivative in `y` is 0 there, not `0 · ln 0` (NaN).
        vec![
            e(quote!(if #y == 0.0 { 0.0 } else { #y * #x.powf(#y - 1.0) })),
            e(quote!(if #r == 0.0 { 0.0 } else { #r * #x.ln() })),
        ]
    }),
    rule!("recip", Method, 1, |_a, r, _f| vec![e(quote!(-#r * #r))]),
    rule!("hypot", Method, 2, |a, r, _f| {
        let (x, y) = (&a[0], &a[1]);
        // At the origin, the kink of `|(x, y)|`, the least-norm subgradient 0 (as `abs`).
        vec![e(quote!(if #r == 0.0 { 0.0 } else { #x / #r })), e(quote!(if #r == 0.0 { 0.0 } else { #y / #r }))]
    }),
    rule!("mul_add", Method, 3, |a, _r, _f| {
        let (x, y) = (&a[0], &a[1]);
        vec![e(quote!(#y)), e(quote!(#x)), One]
    }),
    // Trigonometric and hyperbolic.
    rule!("sin", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(#x.cos()))]
    }),
    rule!("cos", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(-#x.sin()))]
    }),
    rule!("tan", Method, 1, |_a, r, _f| vec![e(quote!(1.0 + #r * #r))]),
    rule!("asin", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (1.0 - #x * #x).sqrt()))]
    }),
    rule!("acos", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(-1.0 / (1.0 - #x * #x).sqrt()))]
    }),
    rule!("atan", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (1.0 + #x * #x)))]
    }),
    rule!("atan2", Method, 2, |a, _r, _f| {
        let (y, x) = (&a[0], &a[1]);
        vec![e(quote!(#x / (#x * #x + #y * #y))), e(quote!(-#y / (#x * #x + #y * #y)))]
    }),
    rule!("sinh", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(#x.cosh()))]
    }),
    rule!("cosh", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(#x.sinh()))]
    }),
    rule!("tanh", Method, 1, |_a, r, _f| vec![e(quote!(1.0 - #r * #r))]),
    rule!("to_degrees", Method, 1, |_a, _r, f| vec![e(quote!(180.0 / ::core::#f::consts::PI))]),
    rule!("to_radians", Method, 1, |_a, _r, f| vec![e(quote!(::core::#f::consts::PI / 180.0))]),
    // Non-smooth: the choices at the kinks are documented at the top of this file.
    rule!("abs", Method, 1, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(if #x > 0.0 { 1.0 } else if #x < 0.0 { -1.0 } else { 0.0 }))]
    }),
    rule!("max", Method, 2, |a, _r, _f| {
        let (x, y) = (&a[0], &a[1]);
        vec![
            e(quote!(if #x > #y || #y.is_nan() { 1.0 } else if #x == #y { 0.5 } else { 0.0 })),
            e(quote!(if #y > #x || #x.is_nan() { 1.0 } else if #x == #y { 0.5 } else { 0.0 })),
        ]
    }),
    rule!("min", Method, 2, |a, _r, _f| {
        let (x, y) = (&a[0], &a[1]);
        vec![
            e(quote!(if #x < #y || #y.is_nan() { 1.0 } else if #x == #y { 0.5 } else { 0.0 })),
            e(quote!(if #y < #x || #x.is_nan() { 1.0 } else if #x == #y { 0.5 } else { 0.0 })),
        ]
    }),
    rule!("clamp", Method, 3, |a, _r, _f| {
        let (x, lo, hi) = (&a[0], &a[1], &a[2]);
        vec![
            e(quote!(if #x > #lo && #x < #hi { 1.0 } else { 0.0 })),
            e(quote!(if #x < #lo { 1.0 } else { 0.0 })),
            e(quote!(if #x > #hi { 1.0 } else { 0.0 })),
        ]
    }),
    rule!("fract", Method, 1, |_a, _r, _f| vec![One]),
    rule!("signum", Method, 1, |_a, _r, _f| vec![Zero]),
    rule!("floor", Method, 1, |_a, _r, _f| vec![Zero]),
    rule!("ceil", Method, 1, |_a, _r, _f| vec![Zero]),
    rule!("round", Method, 1, |_a, _r, _f| vec![Zero]),
    rule!("trunc", Method, 1, |_a, _r, _f| vec![Zero]),
];

/// The rule for an operator or method name.
pub fn find(name: &str, syntax: Syntax) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == name && r.syntax == syntax)
}

/// The methods the table knows, for "unknown method" errors.
pub fn methods() -> String {
    let names: Vec<_> = RULES.iter().filter(|r| r.syntax == Syntax::Method).map(|r| r.name).collect();
    names.join(" ")
}

/// The primal expression of a rule applied to `args`.
pub fn primal(rule: &Rule, args: &[TokenStream], float: &Ident) -> TokenStream {
    match rule.syntax {
        Syntax::Infix => {
            let (a, b) = (&args[0], &args[1]);
            let op: TokenStream = rule.name.parse().unwrap_or_default();
            quote!(#a #op #b)
        }
        Syntax::Prefix => {
            let a = &args[0];
            quote!(-#a)
        }
        Syntax::Copy => {
            let a = &args[0];
            quote!(#a)
        }
        Syntax::Cast => {
            let a = &args[0];
            quote!(#a as #float)
        }
        Syntax::Method => {
            let recv = &args[0];
            let rest = &args[1..];
            let method = Ident::new(rule.name, proc_macro2::Span::call_site());
            quote!(#recv.#method(#(#rest),*))
        }
    }
}
