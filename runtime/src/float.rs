//! The float types the runtime's generic parts (initialisers, optimizers, data) and generic
//! differentiable functions (`fn f<F: Float>(x: F) -> F`) work over: `f32` for speed and
//! memory, `f64` for the lecture's exact numbers.
//!
//! A trait of our own rather than `num_traits::Float`: it has exactly the methods the
//! derivative table differentiates (so a generic function can call each of them, and its
//! generated derivative can too), the constants its rules use, and nothing a derivative would
//! have to refuse; it adds no dependency; and the macro can rely on `F::from_f64` for the
//! constants it writes.

use std::fmt::Debug;
use std::iter::{Product, Sum};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A floating-point scalar: `f32` or `f64`.
///
/// Conversions go through `f64`, which represents every `f32` exactly, so
/// `F::from_f64(x.to_f64()) == x` for both types.
///
/// ```
/// use chainrule_runtime::float::Float;
///
/// fn mean<F: Float>(xs: &[F]) -> F {
///     let mut sum = F::ZERO;
///     for &x in xs {
///         sum += x;
///     }
///     sum / F::from_f64(xs.len() as f64)
/// }
/// assert_eq!(mean(&[1.0f32, 2.0, 6.0]), 3.0);
/// assert_eq!(mean(&[1.0f64, 2.0]), 1.5);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a float type: chainrule's `Float` is `f32`, `f64` or a dual number of them",
    label = "a float is needed here"
)]
pub trait Float:
    Copy
    + PartialOrd
    + Debug
    + Default
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Send
    + Sync
    + 'static
    + Sum
    + Product
    + crate::__private::Scalar
{
    /// Additive identity.
    const ZERO: Self;
    /// Multiplicative identity.
    const ONE: Self;
    /// The constants of `core::f64::consts` (π, e, ln 2, ..), in this type.
    const PI: Self;
    #[allow(missing_docs)]
    const E: Self;
    #[allow(missing_docs)]
    const TAU: Self;
    #[allow(missing_docs)]
    const LN_2: Self;
    #[allow(missing_docs)]
    const LN_10: Self;
    #[allow(missing_docs)]
    const LOG2_E: Self;
    #[allow(missing_docs)]
    const LOG10_E: Self;
    #[allow(missing_docs)]
    const SQRT_2: Self;
    #[allow(missing_docs)]
    const FRAC_PI_2: Self;
    #[allow(missing_docs)]
    const FRAC_PI_4: Self;
    #[allow(missing_docs)]
    const FRAC_1_SQRT_2: Self;
    #[allow(missing_docs)]
    const FRAC_2_SQRT_PI: Self;
    /// The limits of the type (`f64::EPSILON`, `f64::MAX`, ..).
    const EPSILON: Self;
    #[allow(missing_docs)]
    const MAX: Self;
    #[allow(missing_docs)]
    const MIN: Self;
    #[allow(missing_docs)]
    const MIN_POSITIVE: Self;
    #[allow(missing_docs)]
    const INFINITY: Self;
    #[allow(missing_docs)]
    const NEG_INFINITY: Self;
    #[allow(missing_docs)]
    const NAN: Self;

    /// Converts from `f64`, rounding to nearest for `f32`. A generic function writes its
    /// constants with it: `F::from_f64(0.5) * x`.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Integer power.
    fn powi(self, n: i32) -> Self;
    /// The value, through which no derivative flows (what
    /// [`stop_gradient`](crate::primitives::stop_gradient) calls): itself for `f32` and `f64`,
    /// without its tangents for a dual number.
    fn stop_gradient(self) -> Self;

    // The inherent float methods of the same names, each documented on `f64`; every one of
    // them has a rule in the derivative table.
    #[allow(missing_docs)]
    fn exp(self) -> Self;
    #[allow(missing_docs)]
    fn exp2(self) -> Self;
    #[allow(missing_docs)]
    fn exp_m1(self) -> Self;
    #[allow(missing_docs)]
    fn ln(self) -> Self;
    #[allow(missing_docs)]
    fn ln_1p(self) -> Self;
    #[allow(missing_docs)]
    fn log2(self) -> Self;
    #[allow(missing_docs)]
    fn log10(self) -> Self;
    #[allow(missing_docs)]
    fn sqrt(self) -> Self;
    #[allow(missing_docs)]
    fn cbrt(self) -> Self;
    #[allow(missing_docs)]
    fn recip(self) -> Self;
    #[allow(missing_docs)]
    fn sin(self) -> Self;
    #[allow(missing_docs)]
    fn cos(self) -> Self;
    #[allow(missing_docs)]
    fn tan(self) -> Self;
    #[allow(missing_docs)]
    fn asin(self) -> Self;
    #[allow(missing_docs)]
    fn acos(self) -> Self;
    #[allow(missing_docs)]
    fn atan(self) -> Self;
    #[allow(missing_docs)]
    fn sinh(self) -> Self;
    #[allow(missing_docs)]
    fn cosh(self) -> Self;
    #[allow(missing_docs)]
    fn tanh(self) -> Self;
    #[allow(missing_docs)]
    fn asinh(self) -> Self;
    #[allow(missing_docs)]
    fn acosh(self) -> Self;
    #[allow(missing_docs)]
    fn atanh(self) -> Self;
    #[allow(missing_docs)]
    fn to_degrees(self) -> Self;
    #[allow(missing_docs)]
    fn to_radians(self) -> Self;
    #[allow(missing_docs)]
    fn abs(self) -> Self;
    #[allow(missing_docs)]
    fn fract(self) -> Self;
    #[allow(missing_docs)]
    fn signum(self) -> Self;
    #[allow(missing_docs)]
    fn floor(self) -> Self;
    #[allow(missing_docs)]
    fn ceil(self) -> Self;
    #[allow(missing_docs)]
    fn round(self) -> Self;
    #[allow(missing_docs)]
    fn trunc(self) -> Self;
    #[allow(missing_docs)]
    fn log(self, other: Self) -> Self;
    #[allow(missing_docs)]
    fn powf(self, other: Self) -> Self;
    #[allow(missing_docs)]
    fn hypot(self, other: Self) -> Self;
    #[allow(missing_docs)]
    fn atan2(self, other: Self) -> Self;
    #[allow(missing_docs)]
    fn max(self, other: Self) -> Self;
    #[allow(missing_docs)]
    fn min(self, other: Self) -> Self;
    #[allow(missing_docs)]
    fn mul_add(self, a: Self, b: Self) -> Self;
    #[allow(missing_docs)]
    fn clamp(self, min: Self, max: Self) -> Self;
    #[allow(missing_docs)]
    fn is_nan(self) -> bool;
    #[allow(missing_docs)]
    fn is_finite(self) -> bool;
    #[allow(missing_docs)]
    fn is_infinite(self) -> bool;
    #[allow(missing_docs)]
    fn is_normal(self) -> bool;
    #[allow(missing_docs)]
    fn is_subnormal(self) -> bool;
    #[allow(missing_docs)]
    fn is_sign_positive(self) -> bool;
    #[allow(missing_docs)]
    fn is_sign_negative(self) -> bool;
}

// Each method forwards to the inherent method of the same name; inherent methods win name
// resolution, so `<$t>::sqrt(self)` cannot recurse into the trait.
macro_rules! float_impl {
    ($($t:ident),*) => {$(
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const PI: Self = ::core::$t::consts::PI;
            const E: Self = ::core::$t::consts::E;
            const TAU: Self = ::core::$t::consts::TAU;
            const LN_2: Self = ::core::$t::consts::LN_2;
            const LN_10: Self = ::core::$t::consts::LN_10;
            const LOG2_E: Self = ::core::$t::consts::LOG2_E;
            const LOG10_E: Self = ::core::$t::consts::LOG10_E;
            const SQRT_2: Self = ::core::$t::consts::SQRT_2;
            const FRAC_PI_2: Self = ::core::$t::consts::FRAC_PI_2;
            const FRAC_PI_4: Self = ::core::$t::consts::FRAC_PI_4;
            const FRAC_1_SQRT_2: Self = ::core::$t::consts::FRAC_1_SQRT_2;
            const FRAC_2_SQRT_PI: Self = ::core::$t::consts::FRAC_2_SQRT_PI;
            const EPSILON: Self = <$t>::EPSILON;
            const MAX: Self = <$t>::MAX;
            const MIN: Self = <$t>::MIN;
            const MIN_POSITIVE: Self = <$t>::MIN_POSITIVE;
            const INFINITY: Self = <$t>::INFINITY;
            const NEG_INFINITY: Self = <$t>::NEG_INFINITY;
            const NAN: Self = <$t>::NAN;

            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn powi(self, n: i32) -> Self {
                <$t>::powi(self, n)
            }
            #[inline(always)]
            fn stop_gradient(self) -> Self {
                self
            }
            float_impl!(@forward $t, (self) (self) -> Self: exp, exp2, exp_m1, ln, ln_1p, log2, log10, sqrt, cbrt, recip, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, to_degrees, to_radians, abs, fract, signum, floor, ceil, round, trunc);
            float_impl!(@forward $t, (self, other: Self) (self, other) -> Self: log, powf, hypot, atan2, max, min);
            float_impl!(@forward $t, (self, a: Self, b: Self) (self, a, b) -> Self: mul_add, clamp);
            float_impl!(@forward $t, (self) (self) -> bool: is_nan, is_finite, is_infinite, is_normal, is_subnormal, is_sign_positive, is_sign_negative);
        }
    )*};
    (@forward $t:ident, $params:tt $args:tt -> $out:ty: $($m:ident),*) => {$(
        #[inline]
        fn $m $params -> $out {
            <$t>::$m $args
        }
    )*};
}
float_impl!(f32, f64);

#[cfg(test)]
mod tests {
    use super::Float;

    fn check<F: Float>() {
        let two = F::from_f64(2.0);
        assert_eq!(F::ZERO + F::ONE, F::ONE);
        assert_eq!(Float::sqrt(F::from_f64(9.0)).to_f64(), 3.0);
        assert_eq!(Float::ln(Float::exp(F::ZERO)), F::ZERO);
        assert_eq!(Float::abs(-two), two);
        assert_eq!(Float::max(two, F::ONE), two);
        assert_eq!(Float::min(two, F::ONE), F::ONE);
        assert_eq!(Float::powi(two, 10).to_f64(), 1024.0);
        assert!(Float::is_finite(two));
        assert!(!Float::is_finite(F::from_f64(f64::NAN)));
        assert!(!Float::is_finite(F::ONE / F::ZERO));
    }

    #[test]
    fn both_types_behave() {
        check::<f32>();
        check::<f64>();
    }

    #[test]
    fn f32_round_trips_through_f64() {
        let x = 0.1f32;
        assert_eq!(f32::from_f64(x.to_f64()), x);
        assert_eq!(f32::from_f64(0.1), 0.1f32);
    }
}
