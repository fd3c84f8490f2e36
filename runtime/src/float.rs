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
    /// As [`core::f64::consts::E`].
    const E: Self;
    /// As [`core::f64::consts::TAU`].
    const TAU: Self;
    /// As [`core::f64::consts::LN_2`].
    const LN_2: Self;
    /// As [`core::f64::consts::LN_10`].
    const LN_10: Self;
    /// As [`core::f64::consts::LOG2_E`].
    const LOG2_E: Self;
    /// As [`core::f64::consts::LOG10_E`].
    const LOG10_E: Self;
    /// As [`core::f64::consts::SQRT_2`].
    const SQRT_2: Self;
    /// As [`core::f64::consts::FRAC_PI_2`].
    const FRAC_PI_2: Self;
    /// As [`core::f64::consts::FRAC_PI_4`].
    const FRAC_PI_4: Self;
    /// As [`core::f64::consts::FRAC_1_SQRT_2`].
    const FRAC_1_SQRT_2: Self;
    /// As [`core::f64::consts::FRAC_2_SQRT_PI`].
    const FRAC_2_SQRT_PI: Self;
    /// The limits of the type (`f64::EPSILON`, `f64::MAX`, ..).
    const EPSILON: Self;
    /// As [`f64::MAX`].
    const MAX: Self;
    /// As [`f64::MIN`].
    const MIN: Self;
    /// As [`f64::MIN_POSITIVE`].
    const MIN_POSITIVE: Self;
    /// As [`f64::INFINITY`].
    const INFINITY: Self;
    /// As [`f64::NEG_INFINITY`].
    const NEG_INFINITY: Self;
    /// As [`f64::NAN`].
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

    // The inherent float methods of the same names; every one of them has a rule in the
    // derivative table.
    /// As [`f64::exp`].
    fn exp(self) -> Self;
    /// As [`f64::exp2`].
    fn exp2(self) -> Self;
    /// As [`f64::exp_m1`].
    fn exp_m1(self) -> Self;
    /// As [`f64::ln`].
    fn ln(self) -> Self;
    /// As [`f64::ln_1p`].
    fn ln_1p(self) -> Self;
    /// As [`f64::log2`].
    fn log2(self) -> Self;
    /// As [`f64::log10`].
    fn log10(self) -> Self;
    /// As [`f64::sqrt`].
    fn sqrt(self) -> Self;
    /// As [`f64::cbrt`].
    fn cbrt(self) -> Self;
    /// As [`f64::recip`].
    fn recip(self) -> Self;
    /// As [`f64::sin`].
    fn sin(self) -> Self;
    /// As [`f64::cos`].
    fn cos(self) -> Self;
    /// As [`f64::tan`].
    fn tan(self) -> Self;
    /// As [`f64::asin`].
    fn asin(self) -> Self;
    /// As [`f64::acos`].
    fn acos(self) -> Self;
    /// As [`f64::atan`].
    fn atan(self) -> Self;
    /// As [`f64::sinh`].
    fn sinh(self) -> Self;
    /// As [`f64::cosh`].
    fn cosh(self) -> Self;
    /// As [`f64::tanh`].
    fn tanh(self) -> Self;
    /// As [`f64::asinh`].
    fn asinh(self) -> Self;
    /// As [`f64::acosh`].
    fn acosh(self) -> Self;
    /// As [`f64::atanh`].
    fn atanh(self) -> Self;
    /// As [`f64::to_degrees`].
    fn to_degrees(self) -> Self;
    /// As [`f64::to_radians`].
    fn to_radians(self) -> Self;
    /// As [`f64::abs`].
    fn abs(self) -> Self;
    /// As [`f64::fract`].
    fn fract(self) -> Self;
    /// As [`f64::signum`].
    fn signum(self) -> Self;
    /// As [`f64::floor`].
    fn floor(self) -> Self;
    /// As [`f64::ceil`].
    fn ceil(self) -> Self;
    /// As [`f64::round`].
    fn round(self) -> Self;
    /// As [`f64::trunc`].
    fn trunc(self) -> Self;
    /// As [`f64::log`].
    fn log(self, other: Self) -> Self;
    /// As [`f64::powf`].
    fn powf(self, other: Self) -> Self;
    /// As [`f64::hypot`].
    fn hypot(self, other: Self) -> Self;
    /// As [`f64::atan2`].
    fn atan2(self, other: Self) -> Self;
    /// As [`f64::max`].
    fn max(self, other: Self) -> Self;
    /// As [`f64::min`].
    fn min(self, other: Self) -> Self;
    /// As [`f64::mul_add`].
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// As [`f64::clamp`].
    fn clamp(self, min: Self, max: Self) -> Self;
    /// As [`f64::is_nan`].
    fn is_nan(self) -> bool;
    /// As [`f64::is_finite`].
    fn is_finite(self) -> bool;
    /// As [`f64::is_infinite`].
    fn is_infinite(self) -> bool;
    /// As [`f64::is_normal`].
    fn is_normal(self) -> bool;
    /// As [`f64::is_subnormal`].
    fn is_subnormal(self) -> bool;
    /// As [`f64::is_sign_positive`].
    fn is_sign_positive(self) -> bool;
    /// As [`f64::is_sign_negative`].
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
