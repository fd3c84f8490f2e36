//! Scalar activation functions with hand-written derivatives (`#[derivative]`), callable
//! from differentiable code like any float method. `tanh` is the float method itself.
//!
//! One source serves both float types: [`f64`](mod@self::f64) (also re-exported here and in the
//! prelude) and [`f32`](mod@self::f32), e.g. `chainrule::primitives::f32::sigmoid`.
//!
//! At a kink the derivative takes the value of the flat side: `relu'(0) = 0`,
//! `leaky_relu'(0) = slope`, `prelu'(0) = alpha`, `elu'(0) = alpha` (as PyTorch does).

macro_rules! activations {
    ($F:ident) => {
        use chainrule_macros::derivative;

        /// The logistic function σ(x) = 1 / (1 + e⁻ˣ), with derivative σ(x)(1 − σ(x)) computed
        /// from its output, as the lecture derives it. Stable for any finite `x`: no overflow.
        /// One `exp` of −|x| and a select, not a branch on the sign: over inputs of both signs
        /// a branch mispredicts, which made σ twice as slow as the plain formula.
        ///
        /// ```
        /// use chainrule_runtime::primitives::*;
        /// assert!((sigmoid(0.0) - 0.5).abs() < 1e-15);
        /// let (s, ds) = sigmoid_grad(0.0);
        /// assert!((ds - s * (1.0 - s)).abs() < 1e-15);
        /// ```
        #[derivative(x = s * (1.0 - s), output = s)]
        pub fn sigmoid(x: $F) -> $F {
            let e = (-x.abs()).exp();
            let r = 1.0 / (1.0 + e);
            // σ(x) = 1 / (1 + e⁻ˣ) for x ≥ 0, eˣ / (1 + eˣ) below: both from e = e^(−|x|).
            if x >= 0.0 { r } else { e * r }
        }

        /// The rectified linear unit max(0, x); its derivative at 0 is 0.
        ///
        /// ```
        /// use chainrule_runtime::primitives::*;
        /// assert_eq!(relu_grad(-1.0), (0.0, 0.0));
        /// assert_eq!(relu_grad(2.0), (2.0, 1.0));
        /// ```
        #[derivative(x = if x > 0.0 { 1.0 } else { 0.0 })]
        pub fn relu(x: $F) -> $F {
            if x > 0.0 { x } else { 0.0 }
        }

        /// Leaky ReLU max(slope·x, x) for `0 ≤ slope < 1` (0.01 is customary); `slope` is a
        /// constant. For a learned slope use [`prelu`].
        ///
        /// ```
        /// use chainrule_runtime::primitives::*;
        /// assert_eq!(leaky_relu_grad(-2.0, 0.01), (-0.02, 0.01));
        /// ```
        #[derivative(x = if x > 0.0 { 1.0 } else { slope })]
        pub fn leaky_relu(x: $F, #[no_grad] slope: $F) -> $F {
            if x > 0.0 { x } else { slope * x }
        }

        /// Parametric ReLU: like [`leaky_relu`] but the slope `alpha` is learned, so the gradient
        /// flows into it too ("backprop into α to learn").
        ///
        /// ```
        /// use chainrule_runtime::primitives::*;
        /// let (y, (dx, dalpha)) = prelu_grad(-2.0, 0.25);
        /// assert_eq!((y, dx, dalpha), (-0.5, 0.25, -2.0));
        /// ```
        #[derivative(x = if x > 0.0 { 1.0 } else { alpha }, alpha = if x > 0.0 { 0.0 } else { x })]
        pub fn prelu(x: $F, alpha: $F) -> $F {
            if x > 0.0 { x } else { alpha * x }
        }

        /// The exponential linear unit: `x` for x > 0, `alpha·(eˣ − 1)` otherwise; `alpha` is a
        /// constant (1.0 is customary). The derivative for x ≤ 0 is `y + alpha`.
        ///
        /// ```
        /// use chainrule_runtime::primitives::*;
        /// let (y, dy) = elu_grad(0.0, 1.0);
        /// assert_eq!((y, dy), (0.0, 1.0));
        /// ```
        #[derivative(x = if x > 0.0 { 1.0 } else { y + alpha }, output = y)]
        pub fn elu(x: $F, #[no_grad] alpha: $F) -> $F {
            if x > 0.0 { x } else { alpha * x.exp_m1() }
        }

        /// softplus(x) = ln(1 + eˣ), a smooth ReLU; its derivative is [`sigmoid`]. Stable: no
        /// overflow for large `x`, no loss of precision for very negative `x`.
        ///
        /// ```
        /// use chainrule_runtime::primitives::*;
        /// assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-15);
        /// assert!((softplus(1e4) - 1e4).abs() < 1e-9);
        /// ```
        #[derivative(x = sigmoid(x))]
        pub fn softplus(x: $F) -> $F {
            x.max(0.0) + (-x.abs()).exp().ln_1p()
        }

        slice_forms!(
            $F,
            sigmoid_slice = |x| sigmoid(x),
            tanh_slice = |x| x.tanh(),
            relu_slice = |x| relu(x),
            softplus_slice = |x| softplus(x)
        );

        /// Slice form of [`leaky_relu`]: `out[i] = leaky_relu(x[i], slope)`.
        #[chainrule_macros::differentiable]
        pub fn leaky_relu_slice(x: &[$F], out: &mut [$F], #[no_grad] slope: $F) {
            for i in 0..x.len() {
                out[i] = leaky_relu(x[i], slope);
            }
        }

        /// Slice form of [`elu`]: `out[i] = elu(x[i], alpha)`.
        #[chainrule_macros::differentiable]
        pub fn elu_slice(x: &[$F], out: &mut [$F], #[no_grad] alpha: $F) {
            for i in 0..x.len() {
                out[i] = elu(x[i], alpha);
            }
        }

        /// Slice form of [`prelu`] with one learned slope per element.
        #[chainrule_macros::differentiable]
        pub fn prelu_slice(x: &[$F], alpha: &[$F], out: &mut [$F]) {
            for i in 0..x.len() {
                out[i] = prelu(x[i], alpha[i]);
            }
        }
    };
}

/// Slice forms `name(x, out)`: `out[i] = f(x[i])`, differentiable like the scalar ones.
macro_rules! slice_forms {
    ($F:ident, $($name:ident = |$x:ident| $f:expr),*) => {$(
        #[doc = concat!("Slice form: `out[i] = ", stringify!($f), "` with `x = x[i]`.")]
        #[chainrule_macros::differentiable]
        pub fn $name(x: &[$F], out: &mut [$F]) {
            for i in 0..x.len() {
                let $x = x[i];
                out[i] = $f;
            }
        }
    )*};
}

/// The activations for `f64`.
pub mod f64 {
    activations!(f64);
}

/// The activations for `f32`.
pub mod f32 {
    activations!(f32);
}

pub use self::f64::*;

/// `x`, through which no derivative flows: differentiated code treats the result as a
/// constant (JAX's `stop_gradient`, PyTorch's `detach`).
///
/// Use it where the derivative through a value is known to vanish, so the generated code
/// does not compute it. The classic case is the shift of a stable log-sum-exp: the result
/// does not depend on the shift `m`, so neither the maximum nor its loop needs an adjoint.
///
/// ```
/// use chainrule_runtime::primitives::stop_gradient;
///
/// #[chainrule_macros::differentiable(crate = chainrule_runtime)]
/// fn log_sum_exp(z: &[f64]) -> f64 {
///     let mut m = z[0];
///     for i in 1..z.len() {
///         m = m.max(z[i]);
///     }
///     let m = stop_gradient(m);
///     let mut s = 0.0;
///     for i in 0..z.len() {
///         s += (z[i] - m).exp();
///     }
///     s.ln() + m
/// }
///
/// let z = [1.0f64, 3.0, 2.0];
/// let (_, dz) = log_sum_exp_grad(&z);
/// let total: f64 = z.iter().map(|v| v.exp()).sum();
/// for (d, v) in dz.iter().zip(z) {
///     assert!((d - v.exp() / total).abs() < 1e-15); // the softmax
/// }
/// ```
#[inline(always)]
pub fn stop_gradient<F: crate::float::Float>(x: F) -> F {
    x.stop_gradient()
}

/// The calling protocol of [`stop_gradient`], for differentiable code that calls it under
/// another name (`use chainrule::prelude::stop_gradient as sg;`): a derivative of zero. Under
/// its own name the macro detaches it instead, so that nothing reaching the result only
/// through it is differentiated at all.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct stop_gradient {}

impl crate::__private::Detach for stop_gradient {}

impl stop_gradient {
    #[doc(hidden)]
    #[inline(always)]
    pub fn tangent<F: Copy + Default>(x: F, _: F) -> (F, F) {
        (x, F::default())
    }

    #[doc(hidden)]
    #[inline(always)]
    pub fn pullback<F: Copy + Default>(x: F) -> (F, impl FnOnce(F, ((),)) -> (F,)) {
        (x, |_, _| (F::default(),))
    }
}
