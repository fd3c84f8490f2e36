//! Helpers for generated code only; not part of the public API.
//!
//! The calling protocol gives every parameter a tangent and a gradient slot: the float type
//! for an active parameter, `()` for a constant one. At a call site the caller knows whether
//! its argument is active, but not whether the callee's parameter is; these conversions let
//! type inference settle it at no cost.

/// A float type that generated code differentiates.
pub trait Float: Copy {}
impl Float for f64 {}
impl Float for f32 {}

/// The tangent a caller passes for an active argument: itself for an active parameter,
/// dropped (`()`) for a constant one.
pub trait FromTangent<F> {
    fn from_tangent(d: F) -> Self;
}
impl<F: Float> FromTangent<F> for F {
    #[inline(always)]
    fn from_tangent(d: F) -> F {
        d
    }
}
impl<F: Float> FromTangent<F> for () {
    #[inline(always)]
    fn from_tangent(_: F) {}
}

#[inline(always)]
pub fn tangent<T: FromTangent<F>, F>(d: F) -> T {
    T::from_tangent(d)
}

/// A gradient slot a callee returns, as the caller's float: the value for an active
/// parameter, zero for a constant one.
pub trait IntoCotangent<F> {
    fn into_cotangent(self) -> F;
}
impl IntoCotangent<f64> for f64 {
    #[inline(always)]
    fn into_cotangent(self) -> f64 {
        self
    }
}
impl IntoCotangent<f32> for f32 {
    #[inline(always)]
    fn into_cotangent(self) -> f32 {
        self
    }
}
impl IntoCotangent<f64> for () {
    #[inline(always)]
    fn into_cotangent(self) -> f64 {
        0.0
    }
}
impl IntoCotangent<f32> for () {
    #[inline(always)]
    fn into_cotangent(self) -> f32 {
        0.0
    }
}

#[inline(always)]
pub fn cotangent<F, G: IntoCotangent<F>>(g: G) -> F {
    g.into_cotangent()
}
