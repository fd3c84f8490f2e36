//! Losses, and softmax / log-softmax, as `#[differentiable]` functions: their gradients are
//! the macro's. All are numerically stable (max-shifted exponentials, `ln_1p` of `e^-|z|`).
//! The shift by the maximum is a [`stop_gradient`](crate::primitives::stop_gradient): the
//! results do not depend on it, so the gradients skip the maximum's loop.
//! One source serves `f64` and `f32`; the `f64` ones are re-exported here.
//!
//! ```
//! use chainrule_runtime::loss::half_squared_error_grad;
//! // The lecture's E = Σ ½(target − output)² for one output.
//! let (e, de) = half_squared_error_grad(&[0.75136507], &[0.01]);
//! assert!((e - 0.274811083).abs() < 1e-9);
//! assert!((de[0] - 0.74136507).abs() < 1e-12);
//! ```

macro_rules! losses {
    ($F:ident) => {
        use crate::primitives::stop_gradient;
        use chainrule_macros::differentiable;

        /// The lecture's error E = Σ ½(target − output)².
        #[differentiable]
        pub fn half_squared_error(output: &[$F], #[no_grad] target: &[$F]) -> $F {
            let mut e = 0.0;
            for i in 0..output.len() {
                let d = target[i] - output[i];
                e += 0.5 * d * d;
            }
            e
        }

        /// Mean squared error: (1/n) Σ (target − output)².
        #[differentiable]
        pub fn mean_squared_error(output: &[$F], #[no_grad] target: &[$F]) -> $F {
            let mut e = 0.0;
            for i in 0..output.len() {
                let d = target[i] - output[i];
                e += d * d;
            }
            e / (output.len() as $F)
        }

        /// Binary cross-entropy of sigmoid(logits) against targets in [0, 1], averaged:
        /// `max(z, 0) − z·t + ln(1 + e^−|z|)`, which never overflows.
        #[differentiable]
        pub fn binary_cross_entropy_with_logits(logits: &[$F], #[no_grad] targets: &[$F]) -> $F {
            let mut e = 0.0;
            for i in 0..logits.len() {
                let z = logits[i];
                e += z.max(0.0) - z * targets[i] + (-z.abs()).exp().ln_1p();
            }
            e / (logits.len() as $F)
        }

        /// Softmax cross-entropy from logits (batch×classes, row-major) with integer labels,
        /// averaged over the batch: `ln Σ e^z − z_label`, computed with the row maximum
        /// subtracted.
        #[differentiable]
        pub fn softmax_cross_entropy(logits: &[$F], #[no_grad] labels: &[usize], #[no_grad] classes: usize) -> $F {
            let batch = labels.len();
            let mut total = 0.0;
            for r in 0..batch {
                let row = r * classes;
                let mut m = logits[row];
                for c in 1..classes {
                    m = m.max(logits[row + c]);
                }
                // The result does not depend on the shift: no derivative through it.
                let m = stop_gradient(m);
                let mut s = 0.0;
                for c in 0..classes {
                    s += (logits[row + c] - m).exp();
                }
                total += s.ln() + m - logits[row + labels[r]];
            }
            total / (batch as $F)
        }

        /// `out = softmax(z)` for one row.
        #[differentiable]
        pub fn softmax(z: &[$F], out: &mut [$F]) {
            let mut m = z[0];
            for i in 1..z.len() {
                m = m.max(z[i]);
            }
            let m = stop_gradient(m);
            let mut s = 0.0;
            for i in 0..z.len() {
                out[i] = (z[i] - m).exp();
                s += out[i];
            }
            for i in 0..z.len() {
                out[i] /= s;
            }
        }

        /// `out = log(softmax(z))` for one row.
        #[differentiable]
        pub fn log_softmax(z: &[$F], out: &mut [$F]) {
            let mut m = z[0];
            for i in 1..z.len() {
                m = m.max(z[i]);
            }
            let m = stop_gradient(m);
            let mut s = 0.0;
            for i in 0..z.len() {
                s += (z[i] - m).exp();
            }
            let log_s = s.ln() + m;
            for i in 0..z.len() {
                out[i] = z[i] - log_s;
            }
        }
    };
}

/// Losses for `f64`.
pub mod f64 {
    losses!(f64);
}

/// Losses for `f32`.
pub mod f32 {
    losses!(f32);
}

pub use self::f64::*;
