//! The checkers behind `tests/properties.rs` and `tests/control_flow.rs`: [`check`] holds
//! every property a scalar-valued differentiable function must have, [`check_vjp`] the same
//! for tuple and array results, and [`check_shadows`] the slice API's accumulation contract.
//! [`property!`] (scalar parameters) and [`array_property!`] (any parameters, any result)
//! turn a function and its input domains into a proptest that calls them. A new function is
//! tested by one line.

// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

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

/// A gradient, value or tangent as generated (a bare float, an array, a `Vec`, `()` or a
/// tuple of these), flattened in order.
pub trait Floats<F> {
    fn into_vec(self) -> Vec<F>;
}

impl<F: Real> Floats<F> for F {
    fn into_vec(self) -> Vec<F> {
        vec![self]
    }
}

impl<F: Real, const N: usize> Floats<F> for [F; N] {
    fn into_vec(self) -> Vec<F> {
        self.to_vec()
    }
}

/// Rows, row by row.
impl<F: Real, const N: usize, const M: usize> Floats<F> for [[F; N]; M] {
    fn into_vec(self) -> Vec<F> {
        self.as_flattened().to_vec()
    }
}

impl<F: Real> Floats<F> for Vec<F> {
    fn into_vec(self) -> Vec<F> {
        self
    }
}

/// What `f_vjp` returns when every active parameter is a slice.
impl<F: Real> Floats<F> for () {
    fn into_vec(self) -> Vec<F> {
        Vec::new()
    }
}

/// A seed of a function's result type (a float, an array or a tuple of floats), built from
/// the front of a list of floats.
pub trait Seed<F>: Sized {
    fn take(floats: &mut impl Iterator<Item = F>) -> Self;
}

impl<F: Real> Seed<F> for F {
    fn take(floats: &mut impl Iterator<Item = F>) -> Self {
        floats.next().expect("seed too short")
    }
}

impl<F: Real, const N: usize> Seed<F> for [F; N] {
    fn take(floats: &mut impl Iterator<Item = F>) -> Self {
        std::array::from_fn(|_| floats.next().expect("seed too short"))
    }
}

impl<F: Real, const N: usize, const M: usize> Seed<F> for [[F; N]; M] {
    fn take(floats: &mut impl Iterator<Item = F>) -> Self {
        std::array::from_fn(|_| std::array::from_fn(|_| floats.next().expect("seed too short")))
    }
}

macro_rules! tuples {
    ($($g:ident)+) => {
        impl<F: Real, $($g: Floats<F>),+> Floats<F> for ($($g,)+) {
            #[allow(non_snake_case)]
            fn into_vec(self) -> Vec<F> {
                let ($($g,)+) = self;
                let mut out = Vec::new();
                $(out.extend($g.into_vec());)+
                out
            }
        }
        impl<F: Real, $($g: Seed<F>),+> Seed<F> for ($($g,)+) {
            fn take(floats: &mut impl Iterator<Item = F>) -> Self {
                ($($g::take(floats),)+)
            }
        }
    };
}
tuples!(G0 G1);
tuples!(G0 G1 G2);
tuples!(G0 G1 G2 G3);
tuples!(G0 G1 G2 G3 G4);
tuples!(G0 G1 G2 G3 G4 G5);

/// `shape` (a `Vec` or an array) with its elements replaced by the next floats of `floats`.
pub fn refill<F: Copy, T: Clone + AsMut<[F]>>(shape: &T, floats: &mut impl Iterator<Item = F>) -> T {
    let mut out = shape.clone();
    for e in out.as_mut() {
        *e = floats.next().expect("too few floats");
    }
    out
}

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

/// The properties of a function with a tuple or array result at the point `xs` (its active
/// inputs flattened in order), where a direct call gives `value` (flattened): for a random
/// `seed` of the result's shape, and with `vjp(xs, seed, shadow)` adding `seed`ᵀ J into the
/// flat `shadow`,
/// (a) the vjp matches central finite differences of `⟨seed, f(x)⟩`;
/// (b) forward mode matches reverse: `⟨seed, jvp(v)⟩ == ⟨vjp(seed), v⟩`;
/// (c) the values returned by `vjp` and `jvp` are `value` bit for bit;
/// (d) a second vjp into the same shadow doubles it: gradients are added, never stored.
pub fn check_vjp<F: Real>(
    xs: &[F],
    v: &[f64],
    seed: &[f64],
    value: &[F],
    f: impl Fn(&[F]) -> Vec<F>,
    vjp: impl Fn(&[F], &[F], &mut [F]) -> Vec<F>,
    jvp: impl Fn(&[F], &[F]) -> (Vec<F>, Vec<F>),
) -> Result<(), TestCaseError> {
    prop_assume!(value.iter().all(|&y| y.into().is_finite()));
    let seed: Vec<F> = seed[..value.len()].iter().map(|&s| F::from_f64(s)).collect();
    let v: Vec<F> = v[..xs.len()].iter().map(|&t| F::from_f64(t)).collect();
    let bits = |ys: &[F]| ys.iter().map(|&y| y.into().to_bits()).collect::<Vec<_>>();
    // In f64, so that the projection adds no error of its own.
    let project = |ys: &[F]| -> f64 { ys.iter().zip(&seed).map(|(&y, &s)| y.into() * s.into()).sum() };

    let mut g = vec![F::from_f64(0.0); xs.len()];
    let vjp_value = vjp(xs, &seed, &mut g);
    let (jvp_value, tangent) = jvp(xs, &v);
    // (c)
    prop_assert_eq!(bits(&vjp_value), bits(value), "vjp value {:?} != f {:?}", vjp_value, value);
    prop_assert_eq!(bits(&jvp_value), bits(value), "jvp value {:?} != f {:?}", jvp_value, value);
    prop_assert_eq!(tangent.len(), value.len(), "one tangent per result element");

    // (a)
    for (i, &gi) in g.iter().enumerate() {
        let x: f64 = xs[i].into();
        let h = F::STEP * x.abs().max(1.0);
        let (mut plus, mut minus) = (xs.to_vec(), xs.to_vec());
        plus[i] = F::from_f64(x + h);
        minus[i] = F::from_f64(x - h);
        let step = plus[i].into() - minus[i].into();
        let fd = (project(&f(&plus)) - project(&f(&minus))) / step;
        let gi: f64 = gi.into();
        let tol = F::FD_TOL * (1.0 + fd.abs().max(gi.abs()));
        prop_assert!(
            (fd - gi).abs() <= tol,
            "∂⟨seed, f⟩/∂x{}: reverse {} vs finite difference {} at {:?} with seed {:?}",
            i,
            gi,
            fd,
            xs,
            seed
        );
    }

    // (b)
    let reverse: f64 = g.iter().zip(&v).map(|(&gi, &vi)| gi.into() * vi.into()).sum();
    let forward = project(&tangent);
    let scale = g
        .iter()
        .zip(&v)
        .map(|(&gi, &vi)| (gi.into() * vi.into()).abs())
        .sum::<f64>()
        .max(tangent.iter().zip(&seed).map(|(&t, &s)| (t.into() * s.into()).abs()).sum());
    prop_assert!(
        (forward - reverse).abs() <= F::MODE_TOL * scale.max(1.0),
        "forward ⟨seed, jvp(v)⟩ {} vs reverse ⟨vjp(seed), v⟩ {} at {:?} along {:?} with seed {:?}",
        forward,
        reverse,
        xs,
        v,
        seed
    );

    // (d)
    let once = g.clone();
    vjp(xs, &seed, &mut g);
    accumulates(&once, &g)
}

/// The slice API of a scalar-valued function at `xs`, whose gradient from `f_grad` is
/// `gradient` (flattened): `f_grad` is `f_vjp` with zeroed shadows and seed 1, bit for bit,
/// values included; a `seed` scales the gradient; and a second `f_vjp` into the same
/// shadows doubles them (the gradient is added, never stored).
pub fn check_shadows<F: Real>(
    xs: &[F],
    seed: f64,
    value: F,
    gradient: &[F],
    vjp: impl Fn(&[F], &[F], &mut [F]) -> Vec<F>,
) -> Result<(), TestCaseError> {
    let bits = |ys: &[F]| ys.iter().map(|&y| y.into().to_bits()).collect::<Vec<_>>();
    let zero = F::from_f64(0.0);

    let mut g = vec![zero; xs.len()];
    let vjp_value = vjp(xs, &[F::from_f64(1.0)], &mut g);
    prop_assert_eq!(bits(&vjp_value), bits(&[value]), "vjp value {:?} != f {:?}", vjp_value, value);
    prop_assert_eq!(bits(&g), bits(gradient), "f_vjp with zeroed shadows {:?} != f_grad {:?}", g, gradient);

    let seed = F::from_f64(seed);
    let mut seeded = vec![zero; xs.len()];
    vjp(xs, &[seed], &mut seeded);
    for (i, (&s, &g)) in seeded.iter().zip(gradient).enumerate() {
        let (s, expected) = (s.into(), seed.into() * g.into());
        prop_assert!(
            (s - expected).abs() <= F::MODE_TOL * (1.0 + expected.abs()),
            "∂x{}: vjp with seed {:?} gives {} instead of seed × gradient {}",
            i,
            seed,
            s,
            expected
        );
    }
    let once = seeded.clone();
    vjp(xs, &[seed], &mut seeded);
    accumulates(&once, &seeded)
}

/// `twice` is `once` doubled, up to the rounding of adding the same contributions again in
/// a different grouping.
fn accumulates<F: Real>(once: &[F], twice: &[F]) -> Result<(), TestCaseError> {
    for (i, (&a, &b)) in once.iter().zip(twice).enumerate() {
        let (a, b) = (a.into(), b.into());
        prop_assert!(
            (b - 2.0 * a).abs() <= F::MODE_TOL * (1.0 + b.abs()),
            "∂x{}: a second vjp into the same shadow gives {} instead of 2 × {}",
            i,
            b,
            a
        );
    }
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
                        (value, $crate::common::Floats::into_vec(gradient))
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

/// The most active floats (all parameters flattened) and result elements [`array_property!`]
/// draws directions and seeds for.
pub const MAX_FLOATS: usize = 64;

/// `g` (a gradient, value or tangent as generated) flattened, in the float type of `xs`.
pub fn floats_like<F: Real>(_xs: &[F], g: impl Floats<F>) -> Vec<F> {
    g.into_vec()
}

/// [`property!`] for functions with array or slice parameters, or with a tuple or array
/// result. A scalar-valued function names all three companions and gets [`check`] and
/// [`check_shadows`]:
///
/// ```text
/// array_property!(layer, grad layer_grad, vjp layer_vjp, jvp layer_jvp, [
///     slice w in vec(-1.0..1.0, 6),
///     b in -1.0..1.0
/// ]);
/// ```
///
/// a function with a tuple or array result has no `f_grad` and gets [`check_vjp`]:
///
/// ```text
/// array_property!(polar, vjp polar_vjp, jvp polar_jvp, [r in 0.5..2.0, t in -3.0..3.0]);
/// ```
///
/// Parameters, in order: `x in dom` (an active float), `array a in dom` (an active `[F; N]`
/// by value), `slice s in dom` (an active `&[F]`, `&[F; N]` or `&Vec<F>`: `dom` draws the
/// `Vec` or array it borrows), `const c in dom` (a constant by value), `const slice c in dom`
/// (a constant by reference, e.g. a `#[no_grad]` slice). An optional `where condition` over
/// the parameters skips points near a kink or a branch switch.
#[macro_export]
macro_rules! array_property {
    ($f:ident, grad $grad:ident, vjp $vjp:ident, jvp $jvp:ident, [$($args:tt)*] $(where $cond:expr)?) => {
        $crate::array_property!(@munch [scalar $f $grad $vjp $jvp] [$($cond)?] [] [] [] []; $($args)*);
    };
    ($f:ident, vjp $vjp:ident, jvp $jvp:ident, [$($args:tt)*] $(where $cond:expr)?) => {
        $crate::array_property!(@munch [vector $f $vjp $jvp] [$($cond)?] [] [] [] []; $($args)*);
    };
    // Collects the proptest parameters, each parameter's kind, and the argument lists of
    // `f_jvp` and `f_vjp`, in whose closures an active `a` is the pair (value, tangent) or
    // (value, shadow).
    (@munch $head:tt $cond:tt [$($param:tt)*] [$($kind:tt)*] [$($jv:tt)*] [$($vj:tt)*];
        const slice $c:ident in $dom:expr $(, $($rest:tt)*)?) => {
        $crate::array_property!(@munch $head $cond [$($param)* $c in $dom,] [$($kind)* (const_slice $c)]
            [$($jv)* &$c,] [$($vj)* &$c,]; $($($rest)*)?);
    };
    (@munch $head:tt $cond:tt [$($param:tt)*] [$($kind:tt)*] [$($jv:tt)*] [$($vj:tt)*];
        const $c:ident in $dom:expr $(, $($rest:tt)*)?) => {
        $crate::array_property!(@munch $head $cond [$($param)* $c in $dom,] [$($kind)* (constant $c)]
            [$($jv)* $c,] [$($vj)* $c,]; $($($rest)*)?);
    };
    (@munch $head:tt $cond:tt [$($param:tt)*] [$($kind:tt)*] [$($jv:tt)*] [$($vj:tt)*];
        array $a:ident in $dom:expr $(, $($rest:tt)*)?) => {
        $crate::array_property!(@munch $head $cond [$($param)* $a in $dom,] [$($kind)* (array $a)]
            [$($jv)* $a.0, $a.1,] [$($vj)* $a.0,]; $($($rest)*)?);
    };
    (@munch $head:tt $cond:tt [$($param:tt)*] [$($kind:tt)*] [$($jv:tt)*] [$($vj:tt)*];
        slice $a:ident in $dom:expr $(, $($rest:tt)*)?) => {
        $crate::array_property!(@munch $head $cond [$($param)* $a in $dom,] [$($kind)* (slice $a)]
            [$($jv)* &$a.0, &$a.1[..],] [$($vj)* &$a.0, $a.1,]; $($($rest)*)?);
    };
    (@munch $head:tt $cond:tt [$($param:tt)*] [$($kind:tt)*] [$($jv:tt)*] [$($vj:tt)*];
        $a:ident in $dom:expr $(, $($rest:tt)*)?) => {
        $crate::array_property!(@munch $head $cond [$($param)* $a in $dom,] [$($kind)* (scalar $a)]
            [$($jv)* $a.0, $a.1,] [$($vj)* $a.0,]; $($($rest)*)?);
    };
    (@munch [scalar $f:ident $grad:ident $vjp:ident $jvp:ident] [$($cond:expr)?] [$($param:tt)*]
        [$(($kind:ident $x:ident))+] [$($jv:tt)*] [$($vj:tt)*];) => {
        proptest::proptest! {
            #![proptest_config($crate::common::config())]
            #[test]
            fn $f($($param)* v in proptest::collection::vec(-1.0f64..1.0, $crate::common::MAX_FLOATS),
                seed in -2.0f64..2.0) {
                let value = super::$f($($crate::array_property!(@arg $kind $x)),+);
                $(proptest::prop_assume!($cond);)?
                let xs = [$($crate::array_property!(@floats $kind $x)),+].concat();
                let f = |xs: &[_]| {
                    let mut floats = xs.iter().copied();
                    $($crate::array_property!(@input $kind $x floats);)+
                    super::$f($($crate::array_property!(@arg $kind $x)),+)
                };
                let grad = |xs: &[_]| {
                    let mut floats = xs.iter().copied();
                    $($crate::array_property!(@input $kind $x floats);)+
                    let (value, gradient) = super::$grad($($crate::array_property!(@arg $kind $x)),+);
                    (value, $crate::common::floats_like(xs, gradient))
                };
                let jvp = |xs: &[_], vs: &[_]| {
                    let (mut floats, mut tangents) = (xs.iter().copied(), vs.iter().copied());
                    $($crate::array_property!(@paired $kind $x floats tangents);)+
                    super::$jvp($($jv)*)
                };
                let vjp = |xs: &[_], seed: &[_], shadow: &mut [_]| {
                    let mut floats = xs.iter().copied();
                    let rest = shadow;
                    $($crate::array_property!(@shadowed $kind $x floats rest);)+
                    assert!(rest.is_empty(), "one shadow element per active float");
                    let seed = $crate::common::Seed::take(&mut seed.iter().copied());
                    let (value, by_value) = super::$vjp($($vj)* seed);
                    let mut by_value = $crate::common::floats_like(xs, by_value).into_iter();
                    $($crate::array_property!(@add $kind $x by_value);)+
                    assert!(by_value.next().is_none(), "f_vjp returns the by-value gradients only");
                    vec![value]
                };
                let (_, gradient) = grad(&xs);
                $crate::common::check(&xs, &v, value, f, grad, jvp)?;
                $crate::common::check_shadows(&xs, seed, value, &gradient, vjp)?;
            }
        }
    };
    (@munch [vector $f:ident $vjp:ident $jvp:ident] [$($cond:expr)?] [$($param:tt)*]
        [$(($kind:ident $x:ident))+] [$($jv:tt)*] [$($vj:tt)*];) => {
        proptest::proptest! {
            #![proptest_config($crate::common::config())]
            #[test]
            fn $f($($param)* v in proptest::collection::vec(-1.0f64..1.0, $crate::common::MAX_FLOATS),
                seed in proptest::collection::vec(-2.0f64..2.0, $crate::common::MAX_FLOATS)) {
                let value = super::$f($($crate::array_property!(@arg $kind $x)),+);
                $(proptest::prop_assume!($cond);)?
                let xs = [$($crate::array_property!(@floats $kind $x)),+].concat();
                let value = $crate::common::floats_like(&xs, value);
                let f = |xs: &[_]| {
                    let mut floats = xs.iter().copied();
                    $($crate::array_property!(@input $kind $x floats);)+
                    $crate::common::floats_like(xs, super::$f($($crate::array_property!(@arg $kind $x)),+))
                };
                let jvp = |xs: &[_], vs: &[_]| {
                    let (mut floats, mut tangents) = (xs.iter().copied(), vs.iter().copied());
                    $($crate::array_property!(@paired $kind $x floats tangents);)+
                    let (value, tangent) = super::$jvp($($jv)*);
                    ($crate::common::floats_like(xs, value), $crate::common::floats_like(xs, tangent))
                };
                let vjp = |xs: &[_], seed: &[_], shadow: &mut [_]| {
                    let mut floats = xs.iter().copied();
                    let rest = shadow;
                    $($crate::array_property!(@shadowed $kind $x floats rest);)+
                    assert!(rest.is_empty(), "one shadow element per active float");
                    let seed = $crate::common::Seed::take(&mut seed.iter().copied());
                    let (value, by_value) = super::$vjp($($vj)* seed);
                    let mut by_value = $crate::common::floats_like(xs, by_value).into_iter();
                    $($crate::array_property!(@add $kind $x by_value);)+
                    assert!(by_value.next().is_none(), "f_vjp returns the by-value gradients only");
                    $crate::common::floats_like(xs, value)
                };
                $crate::common::check_vjp(&xs, &v, &seed, &value, f, vjp, jvp)?;
            }
        }
    };
    // One parameter's argument in a direct call.
    (@arg scalar $x:ident) => { $x };
    (@arg array $x:ident) => { $x };
    (@arg slice $x:ident) => { &$x };
    (@arg constant $x:ident) => { $x };
    (@arg const_slice $x:ident) => { &$x };
    // A parameter's part of the flat input: its floats if active, none if constant.
    (@floats scalar $x:ident) => { vec![$x] };
    (@floats array $x:ident) => { $x.to_vec() };
    (@floats slice $x:ident) => { $x.to_vec() };
    (@floats $constant:ident $x:ident) => { Vec::new() };
    // Rebinds an active parameter to the next floats of the flat input.
    (@input scalar $x:ident $floats:ident) => { let $x = $floats.next().unwrap(); };
    (@input array $x:ident $floats:ident) => { let $x = $crate::common::refill(&$x, &mut $floats); };
    (@input slice $x:ident $floats:ident) => { let $x = $crate::common::refill(&$x, &mut $floats); };
    (@input $constant:ident $x:ident $floats:ident) => {};
    // ... as the pair (value, tangent).
    (@paired scalar $x:ident $floats:ident $tangents:ident) => {
        let $x = ($floats.next().unwrap(), $tangents.next().unwrap());
    };
    (@paired array $x:ident $floats:ident $tangents:ident) => {
        let $x = ($crate::common::refill(&$x, &mut $floats), $crate::common::refill(&$x, &mut $tangents));
    };
    (@paired slice $x:ident $floats:ident $tangents:ident) => {
        $crate::array_property!(@paired array $x $floats $tangents);
    };
    (@paired $constant:ident $x:ident $floats:ident $tangents:ident) => {};
    // ... as the pair (value, its part of the flat shadow).
    (@shadowed scalar $x:ident $floats:ident $rest:ident) => {
        let ($x, $rest) = {
            let (shadow, rest) = $rest.split_at_mut(1);
            (($floats.next().unwrap(), shadow), rest)
        };
    };
    (@shadowed array $x:ident $floats:ident $rest:ident) => {
        let ($x, $rest) = {
            let (shadow, rest) = $rest.split_at_mut($x.len());
            (($crate::common::refill(&$x, &mut $floats), shadow), rest)
        };
    };
    (@shadowed slice $x:ident $floats:ident $rest:ident) => {
        $crate::array_property!(@shadowed array $x $floats $rest);
    };
    (@shadowed $constant:ident $x:ident $floats:ident $rest:ident) => {};
    // Adds a by-value gradient that `f_vjp` returned into the parameter's part of the flat
    // shadow, where a slice's gradient already is.
    (@add scalar $x:ident $by_value:ident) => { $x.1[0] += $by_value.next().unwrap(); };
    (@add array $x:ident $by_value:ident) => {
        for (d, g) in $x.1.iter_mut().zip(&mut $by_value) {
            *d += g;
        }
    };
    (@add $other:ident $x:ident $by_value:ident) => {};
}
