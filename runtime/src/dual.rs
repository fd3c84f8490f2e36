//! Dual numbers: a value and `K` tangents, `x + Σ εₖ dxₖ` with `εⱼ εₖ = 0`. `Dual<F, K>`
//! implements [`Float`], so any function generic over its float type runs on it, and what it
//! computes carries its derivatives along `K` directions at once.
//!
//! That is how chainrule goes beyond first derivatives: a generic `#[differentiable]`
//! function's primal on duals is vector forward mode (`f_jacobian`), its `f_grad` on duals
//! is forward over reverse (`f_hvp`, `f_hessian`). Every method's tangent comes from the
//! derivative table the macro differentiates with (`__dual_impl!`), so a dual's `sin` has
//! exactly the generated code's derivative.
//!
//! ```
//! use chainrule_runtime::dual::Dual;
//! use chainrule_runtime::float::Float;
//!
//! // d/dx (x sin x) at 2, along one direction.
//! let x = Dual::<f64, 1>::variable(2.0, 0);
//! let y = x * x.sin();
//! assert_eq!(y.re, 2.0 * 2f64.sin());
//! assert!((y.eps[0] - (2f64.sin() + 2.0 * 2f64.cos())).abs() < 1e-15);
//! ```

use crate::float::Float;
use std::cmp::Ordering;

/// A value `re` and its tangents `eps` along `K` directions.
#[derive(Clone, Copy, Debug)]
pub struct Dual<F, const K: usize> {
    pub re: F,
    pub eps: [F; K],
}

impl<F: Float, const K: usize> Dual<F, K> {
    /// A value with the given tangents.
    #[inline]
    pub fn new(re: F, eps: [F; K]) -> Self {
        Dual { re, eps }
    }

    /// A value whose tangents are zero.
    #[inline]
    pub fn constant(re: F) -> Self {
        Dual { re, eps: [F::ZERO; K] }
    }

    /// The `k`-th input of `K`: tangent one in direction `k`, zero in the others.
    #[inline]
    pub fn variable(re: F, k: usize) -> Self {
        let mut eps = [F::ZERO; K];
        eps[k] = F::ONE;
        Dual { re, eps }
    }
}

impl<F: Float, const K: usize> Default for Dual<F, K> {
    fn default() -> Self {
        Dual::constant(F::ZERO)
    }
}

/// Duals compare by value, as the branches of the code they run through do.
impl<F: Float, const K: usize> PartialEq for Dual<F, K> {
    fn eq(&self, other: &Self) -> bool {
        self.re == other.re
    }
}

impl<F: Float, const K: usize> PartialOrd for Dual<F, K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

macro_rules! assign {
    ($($tr:ident $method:ident $op:tt),*) => {$(
        impl<F: Float, const K: usize> ::core::ops::$tr for Dual<F, K> {
            #[inline]
            fn $method(&mut self, other: Self) {
                *self = *self $op other;
            }
        }
    )*};
}
assign!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

impl<F: Float, const K: usize> std::iter::Sum for Dual<F, K> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::constant(F::ZERO), |a, b| a + b)
    }
}

impl<F: Float, const K: usize> std::iter::Product for Dual<F, K> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::constant(F::ONE), |a, b| a * b)
    }
}

// Reverse-mode history of duals (forward over reverse) is pooled like that of floats.
impl<F: Float, const K: usize> crate::stack::Pooled for Dual<F, K> {
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R {
        crate::stack::with_typed_pool(f)
    }
}

impl<F: Float, const K: usize> crate::__private::Scalar for Dual<F, K> {
    #[inline(always)]
    fn all_zero(&self) -> bool {
        self.re.all_zero() && self.eps.iter().all(crate::__private::Scalar::all_zero)
    }
}

impl<F: Float, const K: usize> crate::__private::FromTangent<Dual<F, K>> for Dual<F, K> {
    #[inline(always)]
    fn from_tangent(d: Self) -> Self {
        d
    }
}

impl<F: Float, const K: usize> crate::__private::IntoCotangent<Dual<F, K>> for Dual<F, K> {
    #[inline(always)]
    fn into_cotangent(self) -> Self {
        self
    }
}

macro_rules! constants {
    ($($c:ident),*) => {$(
        const $c: Self = Dual { re: F::$c, eps: [F::ZERO; K] };
    )*};
}

macro_rules! predicates {
    ($($p:ident),*) => {$(
        #[inline]
        fn $p(self) -> bool {
            self.re.$p()
        }
    )*};
}

chainrule_macros::__dual_impl! {
    constants!(ZERO, ONE, PI, E, TAU, LN_2, LN_10, LOG2_E, LOG10_E, SQRT_2, FRAC_PI_2, FRAC_PI_4, FRAC_1_SQRT_2,
        FRAC_2_SQRT_PI, EPSILON, MAX, MIN, MIN_POSITIVE, INFINITY, NEG_INFINITY, NAN);
    predicates!(is_nan, is_finite, is_infinite, is_normal, is_subnormal, is_sign_positive, is_sign_negative);

    #[inline]
    fn from_f64(x: f64) -> Self {
        Dual::constant(F::from_f64(x))
    }

    #[inline]
    fn to_f64(self) -> f64 {
        self.re.to_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::Dual;
    use crate::float::Float;

    #[test]
    fn nested_duals_give_second_derivatives() {
        // f(x) = x³: f'(x) = 3x², f''(x) = 6x, at x = 2.
        let x = Dual::<Dual<f64, 1>, 1>::new(Dual::variable(2.0, 0), [Dual::constant(1.0)]);
        let y = x * x * x;
        assert_eq!((y.re.re, y.re.eps[0], y.eps[0].re, y.eps[0].eps[0]), (8.0, 12.0, 12.0, 12.0));
    }

    #[test]
    fn lanes_are_directions() {
        let (x, y) = (Dual::<f64, 2>::variable(3.0, 0), Dual::<f64, 2>::variable(0.5, 1));
        let z = x.powf(y) + x.atan2(y);
        let (a, b) = (3.0f64, 0.5f64);
        assert!((z.eps[0] - (b * a.powf(b - 1.0) + b / (a * a + b * b))).abs() < 1e-14);
        assert!((z.eps[1] - (a.powf(b) * a.ln() - a / (a * a + b * b))).abs() < 1e-14);
        assert!(Float::is_finite(z) && z > Dual::constant(1.0));
    }
}
