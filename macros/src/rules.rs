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

use crate::generic;
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
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
    /// Per argument, an interval on which the rule is smooth and defined: where the test of
    /// the whole table (`tests/rules.rs`) checks it. For a constant argument, the integers
    /// in it.
    pub domain: &'static [(f64, f64)],
    pub facts: Facts,
}

/// What code generation needs to know about a primitive besides its calculus.
#[derive(Clone, Copy)]
pub struct Facts {
    /// It compiles to instructions, not to a call into libm: around a call the compiler
    /// keeps the floats a loop carries in memory (what mixed mode must avoid, see `mixed`).
    /// x86-64's baseline has no rounding or fused multiply-add instruction, so `floor` and
    /// `mul_add` are calls.
    pub instruction: bool,
    /// Cheaper to recompute in an adjoint loop than to push and pop (one add, subtract or
    /// multiply of values at hand): reverse mode recomputes it rather than keep its history.
    pub cheap: bool,
    /// Its derivative is zero by definition, not by calculus (`stop_gradient` is the
    /// identity): finite differences do not apply.
    pub detach: bool,
}

impl Facts {
    const NONE: Facts = Facts { instruction: false, cheap: false, detach: false };
    const INSTRUCTION: Facts = Facts { instruction: true, ..Facts::NONE };
    const CHEAP: Facts = Facts { cheap: true, ..Facts::NONE };
    const DETACH: Facts = Facts { detach: true, ..Facts::NONE };

    const fn and(self, other: Facts) -> Facts {
        Facts {
            instruction: self.instruction || other.instruction,
            cheap: self.cheap || other.cheap,
            detach: self.detach || other.detach,
        }
    }
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
    /// `r = f(a)`: a runtime function the macro knows by name (its call is checked to be the
    /// runtime's, see `Op::Prim`).
    Function,
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

/// `rule!(name, Syntax, arity, [domain], [constant arguments], FACT | FACT, |args, result,
/// float| partials)`, the constant arguments and the facts optional. The domain gives each
/// argument an interval on which the rule is smooth (where `tests/rules.rs` checks it against
/// finite differences); the facts are any of `INSTRUCTION`, `CHEAP`, `DETACH` (see [`Facts`]).
macro_rules! rule {
    ($name:literal, $syntax:ident, $arity:literal, [$($d:expr),*], $([$($c:literal),*],)?
        $($($fact:ident)|+,)? |$a:ident, $r:ident, $f:ident| $body:expr) => {
        Rule {
            name: $name,
            syntax: Syntax::$syntax,
            arity: $arity,
            constant: &[$($($c),*)?],
            domain: &[$($d),*],
            partials: |$a, $r, $f| {
                let _ = (&$a, &$r, &$f);
                $body
            },
            facts: Facts::NONE $($(.and(Facts::$fact))+)?,
        }
    };
}

pub static RULES: &[Rule] = &[
    // Operators: add distributes, mul switches (the lecture's gate patterns).
    rule!("+", Infix, 2, [(-2.0, 2.0), (-2.0, 2.0)], INSTRUCTION | CHEAP, |_a, _r, _f| vec![One, One]),
    rule!("-", Infix, 2, [(-2.0, 2.0), (-2.0, 2.0)], INSTRUCTION | CHEAP, |_a, _r, _f| vec![One, MinusOne]),
    rule!("*", Infix, 2, [(-2.0, 2.0), (-2.0, 2.0)], INSTRUCTION | CHEAP, |a, _r, _f| {
        let (x, y) = (&a[0], &a[1]);
        vec![e(quote!(#y)), e(quote!(#x))]
    }),
    rule!("/", Infix, 2, [(-2.0, 2.0), (0.5, 2.0)], INSTRUCTION, |a, r, _f| {
        let y = &a[1];
        vec![e(quote!(1.0 / #y)), e(quote!(-#r / #y))]
    }),
    rule!("neg", Prefix, 1, [(-2.0, 2.0)], INSTRUCTION | CHEAP, |_a, _r, _f| vec![MinusOne]),
    rule!("copy", Copy, 1, [(-2.0, 2.0)], INSTRUCTION | CHEAP, |_a, _r, _f| vec![One]),
    rule!("cast", Cast, 1, [(-2.0, 2.0)], INSTRUCTION | CHEAP, |_a, _r, _f| vec![One]),
    // Exponentials and logarithms.
    rule!("exp", Method, 1, [(-2.0, 2.0)], |_a, r, _f| vec![e(quote!(#r))]),
    rule!("exp2", Method, 1, [(-2.0, 2.0)], |_a, r, f| {
        let ln2 = generic::consts("LN_2", f);
        vec![e(quote!(#r * #ln2))]
    }),
    rule!("exp_m1", Method, 1, [(-2.0, 2.0)], |_a, r, _f| vec![e(quote!(#r + 1.0))]),
    rule!("ln", Method, 1, [(0.1, 3.0)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / #x))]
    }),
    rule!("ln_1p", Method, 1, [(-0.5, 2.0)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (1.0 + #x)))]
    }),
    rule!("log2", Method, 1, [(0.1, 3.0)], |a, _r, f| {
        let (x, ln2) = (&a[0], generic::consts("LN_2", f));
        vec![e(quote!(1.0 / (#x * #ln2)))]
    }),
    rule!("log10", Method, 1, [(0.1, 3.0)], |a, _r, f| {
        let (x, ln10) = (&a[0], generic::consts("LN_10", f));
        vec![e(quote!(1.0 / (#x * #ln10)))]
    }),
    rule!("log", Method, 2, [(0.1, 3.0), (1.5, 4.0)], |a, r, _f| {
        let (x, b) = (&a[0], &a[1]);
        vec![e(quote!(1.0 / (#x * #b.ln()))), e(quote!(-#r / (#b * #b.ln())))]
    }),
    // Powers and roots.
    rule!("sqrt", Method, 1, [(0.1, 3.0)], INSTRUCTION, |_a, r, _f| vec![e(quote!(0.5 / #r))]),
    rule!("cbrt", Method, 1, [(0.1, 3.0)], |_a, r, _f| vec![e(quote!(1.0 / (3.0 * #r * #r)))]),
    rule!("powi", Method, 2, [(0.5, 2.0), (-3.0, 4.0)], [1], |a, _r, f| {
        let (x, n) = (&a[0], &a[1]);
        let float_n = generic::cast(n, f);
        // `x⁰` is constant: its derivative is 0 even at `x = 0`, where `0 · x⁻¹` would be NaN.
        vec![e(quote!(if #n == 0 { 0.0 } else { #float_n * #x.powi(#n - 1) })), Zero]
    }),
    rule!("powf", Method, 2, [(0.5, 2.0), (-2.0, 2.0)], |a, r, _f| {
        let (x, y) = (&a[0], &a[1]);
        // As for `powi`: `x^0` is constant in `x`. And `0^y` is 0 for every `y > 0`, so its
        // derivative in `y` is 0 there, not `0 · ln 0` (NaN).
        vec![
            e(quote!(if #y == 0.0 { 0.0 } else { #y * #x.powf(#y - 1.0) })),
            e(quote!(if #r == 0.0 { 0.0 } else { #r * #x.ln() })),
        ]
    }),
    rule!("recip", Method, 1, [(0.5, 2.0)], INSTRUCTION, |_a, r, _f| vec![e(quote!(-#r * #r))]),
    rule!("hypot", Method, 2, [(-2.0, 2.0), (0.5, 2.0)], |a, r, _f| {
        let (x, y) = (&a[0], &a[1]);
        // At the origin, the kink of `|(x, y)|`, the least-norm subgradient 0 (as `abs`).
        vec![e(quote!(if #r == 0.0 { 0.0 } else { #x / #r })), e(quote!(if #r == 0.0 { 0.0 } else { #y / #r }))]
    }),
    rule!("mul_add", Method, 3, [(-2.0, 2.0), (-2.0, 2.0), (-2.0, 2.0)], |a, _r, _f| {
        let (x, y) = (&a[0], &a[1]);
        vec![e(quote!(#y)), e(quote!(#x)), One]
    }),
    // Trigonometric and hyperbolic.
    rule!("sin", Method, 1, [(-3.0, 3.0)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(#x.cos()))]
    }),
    rule!("cos", Method, 1, [(-3.0, 3.0)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(-#x.sin()))]
    }),
    rule!("tan", Method, 1, [(-1.2, 1.2)], |_a, r, _f| vec![e(quote!(1.0 + #r * #r))]),
    rule!("asin", Method, 1, [(-0.9, 0.9)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (1.0 - #x * #x).sqrt()))]
    }),
    rule!("acos", Method, 1, [(-0.9, 0.9)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(-1.0 / (1.0 - #x * #x).sqrt()))]
    }),
    rule!("atan", Method, 1, [(-3.0, 3.0)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (1.0 + #x * #x)))]
    }),
    rule!("atan2", Method, 2, [(-2.0, 2.0), (0.5, 2.0)], |a, _r, _f| {
        let (y, x) = (&a[0], &a[1]);
        vec![e(quote!(#x / (#x * #x + #y * #y))), e(quote!(-#y / (#x * #x + #y * #y)))]
    }),
    rule!("sinh", Method, 1, [(-2.0, 2.0)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(#x.cosh()))]
    }),
    rule!("cosh", Method, 1, [(-2.0, 2.0)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(#x.sinh()))]
    }),
    rule!("tanh", Method, 1, [(-2.0, 2.0)], |_a, r, _f| vec![e(quote!(1.0 - #r * #r))]),
    rule!("asinh", Method, 1, [(-2.0, 2.0)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (#x * #x + 1.0).sqrt()))]
    }),
    rule!("acosh", Method, 1, [(1.1, 3.0)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (#x * #x - 1.0).sqrt()))]
    }),
    rule!("atanh", Method, 1, [(-0.9, 0.9)], |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(1.0 / (1.0 - #x * #x)))]
    }),
    rule!("to_degrees", Method, 1, [(-3.0, 3.0)], INSTRUCTION, |_a, _r, f| {
        let pi = generic::consts("PI", f);
        vec![e(quote!(180.0 / #pi))]
    }),
    rule!("to_radians", Method, 1, [(-3.0, 3.0)], INSTRUCTION, |_a, _r, f| {
        let pi = generic::consts("PI", f);
        vec![e(quote!(#pi / 180.0))]
    }),
    // Non-smooth: the choices at the kinks are documented at the top of this file.
    rule!("abs", Method, 1, [(0.1, 2.0)], INSTRUCTION, |a, _r, _f| {
        let x = &a[0];
        vec![e(quote!(if #x > 0.0 { 1.0 } else if #x < 0.0 { -1.0 } else { 0.0 }))]
    }),
    rule!("max", Method, 2, [(-2.0, -0.1), (0.1, 2.0)], INSTRUCTION, |a, _r, _f| {
        let (x, y) = (&a[0], &a[1]);
        vec![
            e(quote!(if #x > #y || #y.is_nan() { 1.0 } else if #x == #y { 0.5 } else { 0.0 })),
            e(quote!(if #y > #x || #x.is_nan() { 1.0 } else if #x == #y { 0.5 } else { 0.0 })),
        ]
    }),
    rule!("min", Method, 2, [(-2.0, -0.1), (0.1, 2.0)], INSTRUCTION, |a, _r, _f| {
        let (x, y) = (&a[0], &a[1]);
        vec![
            e(quote!(if #x < #y || #y.is_nan() { 1.0 } else if #x == #y { 0.5 } else { 0.0 })),
            e(quote!(if #y < #x || #x.is_nan() { 1.0 } else if #x == #y { 0.5 } else { 0.0 })),
        ]
    }),
    rule!("clamp", Method, 3, [(-2.0, 2.0), (-3.0, -2.5), (2.5, 3.0)], INSTRUCTION, |a, _r, _f| {
        let (x, lo, hi) = (&a[0], &a[1], &a[2]);
        vec![
            e(quote!(if #x > #lo && #x < #hi { 1.0 } else { 0.0 })),
            e(quote!(if #x < #lo { 1.0 } else { 0.0 })),
            e(quote!(if #x > #hi { 1.0 } else { 0.0 })),
        ]
    }),
    rule!("fract", Method, 1, [(0.1, 0.9)], |_a, _r, _f| vec![One]),
    rule!("signum", Method, 1, [(0.1, 2.0)], INSTRUCTION, |_a, _r, _f| vec![Zero]),
    rule!("floor", Method, 1, [(0.1, 0.4)], |_a, _r, _f| vec![Zero]),
    rule!("ceil", Method, 1, [(0.1, 0.4)], |_a, _r, _f| vec![Zero]),
    rule!("round", Method, 1, [(0.1, 0.4)], |_a, _r, _f| vec![Zero]),
    rule!("trunc", Method, 1, [(0.1, 0.4)], |_a, _r, _f| vec![Zero]),
    // The value, as a constant (JAX's `stop_gradient`): what reaches a result only through
    // it is not differentiated at all (see `Rule::is_flat`).
    rule!("stop_gradient", Function, 1, [(-2.0, 2.0)], DETACH, |_a, _r, _f| vec![Zero]),
];

/// The rule for an operator or method name.
pub fn find(name: &str, syntax: Syntax) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == name && r.syntax == syntax)
}

fn known(name: &str, syntax: Syntax) -> &'static Rule {
    find(name, syntax).unwrap_or_else(|| panic!("`{name}` is in the rule table"))
}

/// The rule of an arithmetic operator (`a + b`), if it has one.
pub fn infix(op: &syn::BinOp) -> Option<&'static Rule> {
    find(&op.to_token_stream().to_string(), Syntax::Infix)
}

/// The rule a compound assignment applies (`x += y` is `x = x + y`), if it has one.
pub fn compound(op: &syn::BinOp) -> Option<&'static Rule> {
    use syn::BinOp::{AddAssign, DivAssign, MulAssign, SubAssign};
    let name = match op {
        AddAssign(_) => "+",
        SubAssign(_) => "-",
        MulAssign(_) => "*",
        DivAssign(_) => "/",
        _ => return None,
    };
    find(name, Syntax::Infix)
}

/// Unary minus.
pub fn neg() -> &'static Rule {
    known("neg", Syntax::Prefix)
}

/// `let y = x;` of an existing value.
pub fn copy() -> &'static Rule {
    known("copy", Syntax::Copy)
}

/// `x as F`, to the function's own float type.
pub fn cast() -> &'static Rule {
    known("cast", Syntax::Cast)
}

/// A rule whose partials are each 0, ½ or 1, picked by comparing its arguments (`min`,
/// `max`): what the adjoint needs of a call of it is how its arguments compared, one byte,
/// not the arguments. `code` computes the byte from the arguments, `partials` the partials
/// from it.
pub struct Choice {
    pub code: fn(&[TokenStream]) -> TokenStream,
    pub partials: fn(&TokenStream) -> Vec<Partial>,
}

/// The byte of a two-argument choice: bit 0 `x` wins (`x < y` for `min`), bit 1 `y` wins,
/// bit 2 `x` is NaN, bit 3 `y` is NaN; four comparisons without a branch.
fn compared(x: &TokenStream, y: &TokenStream, wins: &TokenStream) -> TokenStream {
    quote!(((#x #wins #y) as u8) | (((#y #wins #x) as u8) << 1u8) | ((#x.is_nan() as u8) << 2u8) | ((#y.is_nan() as u8) << 3u8))
}

/// The partials of `min`/`max` from that byte, as the rules above write them: an argument
/// gets 1 where it wins or the other is NaN, ½ at a tie (neither wins, neither is NaN), else 0.
fn weights(c: &TokenStream) -> Vec<Partial> {
    let weight = |mask: u8| e(quote!(if #c & #mask != 0 { 1.0 } else if #c == 0 { 0.5 } else { 0.0 }));
    vec![weight(1 | 8), weight(2 | 4)]
}

static MIN_MAX: [Choice; 2] = [
    Choice { code: |a| compared(&a[0], &a[1], &quote!(<)), partials: weights },
    Choice { code: |a| compared(&a[0], &a[1], &quote!(>)), partials: weights },
];

impl Rule {
    /// Its partials as a [`Choice`], when they are one.
    pub fn choice(&self) -> Option<&'static Choice> {
        match self.name {
            "min" => Some(&MIN_MAX[0]),
            "max" => Some(&MIN_MAX[1]),
            _ => None,
        }
    }

    /// Whether this is `a + b` (index arithmetic `o + i` is recognised by `views`).
    pub fn is_add(&self) -> bool {
        self.syntax == Syntax::Infix && self.name == "+"
    }

    /// Whether this is `a - b`.
    pub fn is_sub(&self) -> bool {
        self.syntax == Syntax::Infix && self.name == "-"
    }

    /// Per argument, what its partial derivative reads: which arguments, and whether the
    /// result (reverse mode keeps those for the adjoint sweep). Read off the partials
    /// written over placeholders, so no user name can be mistaken for one.
    pub fn reads(&self) -> Vec<(Vec<usize>, bool)> {
        let arg = |i: usize| Ident::new(&format!("__chainrule_arg{i}"), proc_macro2::Span::call_site());
        let args: Vec<TokenStream> = (0..self.arity).map(|i| arg(i).to_token_stream()).collect();
        let result = Ident::new("__chainrule_result", proc_macro2::Span::call_site());
        let float = Ident::new("f64", proc_macro2::Span::call_site());
        let partials = (self.partials)(&args, &result.to_token_stream(), &float);
        partials
            .iter()
            .map(|p| {
                let Partial::Expr(t) = p else { return (Vec::new(), false) };
                let mut seen = std::collections::HashSet::new();
                idents(t.clone(), &mut seen);
                let args = (0..self.arity).filter(|&i| seen.contains(&arg(i).to_string())).collect();
                (args, seen.contains(&result.to_string()))
            })
            .collect()
    }

    /// Per argument, the rule whose result at the same arguments is that partial, up to sign
    /// (`true`: negated): `sin`'s partial is `cos` of its argument, `cos`'s is `−sin`, `sinh`'s
    /// `cosh`. Found by comparing the partials written over placeholders with every rule's
    /// primal, so the table lists no pairs. Where a function computes both (`let (s, c) =
    /// (t.sin(), t.cos())`, a rotation), reverse mode reads the other value instead of
    /// computing the partial again (see `reverse/twins.rs`).
    pub fn twins(&self) -> Vec<Option<(&'static Rule, bool)>> {
        let args: Vec<TokenStream> =
            (0..self.arity).map(|i| format_ident!("__chainrule_arg{i}").to_token_stream()).collect();
        let float = Ident::new("f64", proc_macro2::Span::call_site());
        let result = quote!(__chainrule_result);
        let primals: Vec<(&'static Rule, String)> = RULES
            .iter()
            .filter(|r| r.arity == self.arity && r.constant.is_empty() && !std::ptr::eq(*r, self))
            .map(|r| (r, primal(r, &args, None, &float).to_string()))
            .collect();
        (self.partials)(&args, &result, &float)
            .iter()
            .map(|p| {
                let Partial::Expr(t) = p else { return None };
                let t = t.to_string();
                primals.iter().find_map(|(r, primal)| {
                    if t == *primal {
                        Some((*r, false))
                    } else {
                        (t == quote!(-).to_string() + " " + primal).then_some((*r, true))
                    }
                })
            })
            .collect()
    }

    /// Whether every partial derivative is identically zero (`floor`, `signum`,
    /// `stop_gradient`): its result is a constant, so activity analysis stops there and
    /// nothing before it is differentiated for its sake.
    pub fn is_flat(&self) -> bool {
        let args: Vec<TokenStream> = (0..self.arity).map(|i| quote!(a #i)).collect();
        let float = Ident::new("f64", proc_macro2::Span::call_site());
        (self.partials)(&args, &quote!(r), &float).iter().all(|p| matches!(p, Partial::Zero))
    }
}

fn idents(ts: TokenStream, out: &mut std::collections::HashSet<String>) {
    for tt in ts {
        match tt {
            proc_macro2::TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            proc_macro2::TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Float methods that test a value (`x.is_nan()`): their `bool` is a constant, like a
/// comparison's, so a differentiated receiver is fine.
pub fn is_predicate(method: &str) -> bool {
    matches!(
        method,
        "is_nan" | "is_finite" | "is_infinite" | "is_normal" | "is_subnormal" | "is_sign_positive" | "is_sign_negative"
    )
}

/// The assertion macros, kept in the primal code: what they test is constant.
pub fn is_assertion(mac: &syn::Path) -> bool {
    let names = ["assert", "assert_eq", "assert_ne", "debug_assert", "debug_assert_eq", "debug_assert_ne"];
    mac.get_ident().is_some_and(|i| names.iter().any(|n| i == n))
}

/// The methods the table knows, for "unknown method" errors.
pub fn methods() -> String {
    let names: Vec<_> = RULES.iter().filter(|r| r.syntax == Syntax::Method).map(|r| r.name).collect();
    names.join(" ")
}

/// The primal expression of a rule applied to `args`.
pub fn primal(rule: &Rule, args: &[TokenStream], callee: Option<&TokenStream>, float: &Ident) -> TokenStream {
    match rule.syntax {
        Syntax::Function => {
            let name = Ident::new(rule.name, proc_macro2::Span::call_site());
            let callee = callee.cloned().unwrap_or_else(|| quote!(#name));
            quote!(#callee(#(#args),*))
        }
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
