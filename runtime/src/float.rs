//! The float types the runtime's generic parts (initialisers, optimizers, data) work over:
//! `f32` for speed and memory, `f64` for the lecture's exact numbers.
//!
//! A trait of our own rather than a dependency such as `num-traits`: the runtime needs only a
//! handful of operations, and a closed trait keeps error messages short.

use std::fmt::Debug;
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
{
    /// Additive identity.
    const ZERO: Self;
    /// Multiplicative identity.
    const ONE: Self;

    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Square root; NaN for negative input.
    fn sqrt(self) -> Self;
    /// eˣ.
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// The larger of two values, ignoring a NaN operand (as the inherent method does).
    fn max(self, other: Self) -> Self;
    /// The smaller of two values, ignoring a NaN operand (as the inherent method does).
    fn min(self, other: Self) -> Self;
    /// Neither infinite nor NaN.
    fn is_finite(self) -> bool;
    /// Integer power.
    fn powi(self, n: i32) -> Self;
}

// Each method forwards to the inherent method of the same name; inherent methods win name
// resolution, so `<$t>::sqrt(self)` cannot recurse into the trait.
macro_rules! float_impl {
    ($($t:ty),*) => {$(
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;

            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline]
            fn max(self, other: Self) -> Self {
                <$t>::max(self, other)
            }
            #[inline]
            fn min(self, other: Self) -> Self {
                <$t>::min(self, other)
            }
            #[inline]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline]
            fn powi(self, n: i32) -> Self {
                <$t>::powi(self, n)
            }
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
