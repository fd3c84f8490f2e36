//! The checker behind `tests/properties.rs`: one function, [`check`], holds every property a
//! differentiable function must have, and [`property!`] turns a function and its input
//! domains into a proptest that calls it. A new function is tested by one line.

use proptest::prelude::*;
use std::fmt::Debug;

/// A float the macro differentiates, with the tolerances its precision affords.
pub trait Real: Copy + Debug + PartialEq + Into<f64> {
    /// Central-difference step, relative to `max(1, |x|)`.
    const STEP: f64;
    /// Finite differences against reverse mode: `|fd - g| <= FD_TOL * (1 + max(|fd|, |g|))`.
    const FD_TOL: f64;
    /// Forward against reverse mode, relative to the size of the terms of `Σ gᵢvᵢ`, and
    /// absolute below 1: a partial near 0 is a sum of larger terms that cancel, each
    /// rounded differently by the two modes.
    const MODE_TOL: f64;
    fn from_f64(x: f64) -> Self;
}

impl Real for f64 {
    // Truncation error h² f'''/6 ~ 1e-12 and rounding ε|f|/h ~ 1e-10|f|: far below FD_TOL
    // (at most ~3e-8 seen over many runs of the corpus).
    const STEP: f64 = 1e-6;
    const FD_TOL: f64 = 1e-5;
    // The two modes run the same partials in a different order: a few ulps apart (at most
    // ~2e-11 seen over many runs of the corpus).
    const MODE_TOL: f64 = 1e-10;
    fn from_f64(x: f64) -> Self {
        x
    }
}

impl Real for f32 {
    // About ∛ε of f32: balances truncation (h²) against rounding (ε/h).
    const STEP: f64 = 5e-3;
    // At most ~8e-5 and ~2e-6 seen over many runs of the corpus.
    const FD_TOL: f64 = 1e-3;
    const MODE_TOL: f64 = 2e-5;
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}

/// A gradient as generated (a bare float for one active parameter, a tuple otherwise),
/// flattened in parameter order.
pub trait Gradient<F> {
    fn into_vec(self) -> Vec<F>;
}

impl<F: Real> Gradient<F> for F {
    fn into_vec(self) -> Vec<F> {
        vec![self]
    }
}

macro_rules! tuple_gradient {
    ($($g:ident)+) => {
        impl<F: Real> Gradient<F> for ($(tuple_gradient!(@F $g),)+) {
            fn into_vec(self) -> Vec<F> {
                let ($($g,)+) = self;
                vec![$($g),+]
            }
        }
    };
    (@F $g:ident) => { F };
}
tuple_gradient!(g0 g1);
tuple_gradient!(g0 g1 g2);
tuple_gradient!(g0 g1 g2 g3);
tuple_gradient!(g0 g1 g2 g3 g4);

/// Cases per property: enough to reach every region of a domain, few enough that the whole
/// file runs in seconds in debug mode.
pub fn config() -> ProptestConfig {
    ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() }
}

/// The properties of one differentiable function at the point `xs` (its active inputs in
/// order), where it has the `value` of a direct call, along the direction `v`:
/// (a) its reverse-mode gradient matches central finite differences of `f`;
/// (b) forward mode matches reverse: `Σ gradᵢ vᵢ == jvp(v)`;
/// (c) the values returned by `grad` and `jvp` are `value` bit for bit.
pub fn check<F: Real>(
    xs: &[F],
    v: &[f64],
    value: F,
    f: impl Fn(&[F]) -> F,
    grad: impl Fn(&[F]) -> (F, Vec<F>),
    jvp: impl Fn(&[F], &[F]) -> (F, F),
) -> Result<(), TestCaseError> {
    prop_assume!(value.into().is_finite());
    let (grad_value, g) = grad(xs);
    prop_assert_eq!(g.len(), xs.len(), "one partial per active input");
    let v: Vec<F> = v.iter().map(|&t| F::from_f64(t)).collect();
    let (jvp_value, tangent) = jvp(xs, &v);

    // (c) Bit for bit: the primal code the macro writes must be the user's arithmetic.
    prop_assert_eq!(
        grad_value.into().to_bits(),
        value.into().to_bits(),
        "grad value {:?} != f {:?}",
        grad_value,
        value
    );
    prop_assert_eq!(jvp_value.into().to_bits(), value.into().to_bits(), "jvp value {:?} != f {:?}", jvp_value, value);

    // (a) Central differences, one coordinate at a time. The step actually taken is
    // measured in F, so that rounding x ± h does not bias the quotient.
    for (i, &gi) in g.iter().enumerate() {
        let x: f64 = xs[i].into();
        let h = F::STEP * x.abs().max(1.0);
        let (mut plus, mut minus) = (xs.to_vec(), xs.to_vec());
        plus[i] = F::from_f64(x + h);
        minus[i] = F::from_f64(x - h);
        let step = plus[i].into() - minus[i].into();
        let fd = (f(&plus).into() - f(&minus).into()) / step;
        let gi: f64 = gi.into();
        let tol = F::FD_TOL * (1.0 + fd.abs().max(gi.abs()));
        prop_assert!((fd - gi).abs() <= tol, "∂f/∂x{}: reverse {} vs finite difference {} at {:?}", i, gi, fd, xs);
    }

    // (b) Forward against reverse, summed in f64 so the sum adds no error of its own.
    let dot: f64 = g.iter().zip(&v).map(|(&gi, &vi)| gi.into() * vi.into()).sum();
    let scale: f64 = g.iter().zip(&v).map(|(&gi, &vi)| (gi.into() * vi.into()).abs()).sum();
    let tangent: f64 = tangent.into();
    prop_assert!(
        (dot - tangent).abs() <= F::MODE_TOL * scale.max(1.0),
        "forward {} vs reverse <grad, v> {} at {:?} along {:?}",
        tangent,
        dot,
        xs,
        v
    );
    Ok(())
}

/// `property!(f, f_grad, f_jvp, [x in -1.0..1.0, const n in 0..4, y in 0.5..2.0])` writes a
/// proptest named `f` that checks `super::f` at random inputs drawn from the given domains, in
/// parameter order. Invoke it inside a module: the test takes the function's name, which the
/// function itself holds in the parent.
///
/// `const` marks a parameter that is not differentiated (integers, `#[no_grad]` floats): it is
/// drawn at random too, and passed unchanged to all three functions. An optional
/// `where condition` over the parameters skips points near a kink.
#[macro_export]
macro_rules! property {
    ($f:ident, $grad:ident, $jvp:ident, [$($args:tt)*] $(where $cond:expr)?) => {
        $crate::property!(@munch [$f $grad $jvp] [$($cond)?] [] [] [] []; $($args)*);
    };
    // A constant parameter: the same value in every call, no tangent.
    (@munch $head:tt $cond:tt [$($val:tt)*] [$($jv:tt)*] [$($x:ident)*] [$($param:tt)*];
        const $c:ident in $dom:expr $(, $($rest:tt)*)?) => {
        $crate::property!(@munch $head $cond [$($val)* $c,] [$($jv)* $c,] [$($x)*] [$($param)* $c in $dom,];
            $($($rest)*)?);
    };
    // An active parameter: in the jvp closure `$a` is the pair (value, tangent).
    (@munch $head:tt $cond:tt [$($val:tt)*] [$($jv:tt)*] [$($x:ident)*] [$($param:tt)*];
        $a:ident in $dom:expr $(, $($rest:tt)*)?) => {
        $crate::property!(@munch $head $cond [$($val)* $a,] [$($jv)* $a.0, $a.1,] [$($x)* $a] [$($param)* $a in $dom,];
            $($($rest)*)?);
    };
    (@munch [$f:ident $grad:ident $jvp:ident] [$($cond:expr)?] [$($val:tt)*] [$($jv:tt)*] [$($x:ident)+]
        [$($param:tt)*];) => {
        proptest::proptest! {
            #![proptest_config($crate::common::config())]
            #[test]
            fn $f($($param)* v in proptest::collection::vec(-1.0f64..1.0, [$(stringify!($x)),+].len())) {
                // The call also settles the parameters' float type, which `$cond` needs.
                let value = super::$f($($val)*);
                $(proptest::prop_assume!($cond);)?
                $crate::common::check(
                    &[$($x),+],
                    &v,
                    value,
                    |xs| {
                        let mut xs = xs.iter().copied();
                        $(let $x = xs.next().unwrap();)+
                        super::$f($($val)*)
                    },
                    |xs| {
                        let mut xs = xs.iter().copied();
                        $(let $x = xs.next().unwrap();)+
                        let (value, gradient) = super::$grad($($val)*);
                        (value, $crate::common::Gradient::into_vec(gradient))
                    },
                    |xs, vs| {
                        let (mut xs, mut vs) = (xs.iter().copied(), vs.iter().copied());
                        $(let $x = (xs.next().unwrap(), vs.next().unwrap());)+
                        super::$jvp($($jv)*)
                    },
                )?;
            }
        }
    };
}
