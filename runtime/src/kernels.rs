//! The differentiable kernels of the layers: plain `#[differentiable]` functions over a
//! batch, whose forward and backward passes the macro writes. Only the matrix product and
//! the activations have hand-written rules. One source serves `f64` and `f32`.
//!
//! Shapes are row-major: `x` is batch×inputs, `w` inputs×outputs, `b` outputs, `out`
//! batch×outputs. `out` is a `&mut` output: in reverse mode its shadow carries ∂L/∂out and is
//! consumed. The shadow of `x` may be empty, meaning "no input gradient wanted" (the first
//! layer of a network): `x` reaches only the matrix product, which then skips that product.

macro_rules! dense {
    ($F:ident, $name:ident, |$z:ident, $alpha:ident| $activation:expr, alpha = $a:literal, by_hand = $by_hand:literal) => {
        /// A dense layer `out = activation(x·w + b)` over a batch.
        ///
        /// ```
        #[doc = concat!("use chainrule_runtime::kernels::", stringify!($F), "::", stringify!($name), ";")]
        /// // Two rows, x = [3, 4] and [4, 3], through w = [1, −1] (2 inputs × 1 output), b = [0.5].
        /// let mut out = [0.0; 2];
        #[doc = concat!(stringify!($name), "(&[1.0, -1.0], &[0.5], &[3.0, 4.0, 4.0, 3.0], &mut out, 2, ", $a, ");")]
        /// // By hand: z = x·w + b = [3 − 4 + 0.5, 4 − 3 + 0.5], then the activation.
        #[doc = concat!("let z: [", stringify!($F), "; 2] = [-0.5, 1.5];")]
        #[doc = concat!("let expected = z.map(|z| ", $by_hand, ");")]
        /// assert!((out[0] - expected[0]).abs() < 1e-6 && (out[1] - expected[1]).abs() < 1e-6, "{out:?}");
        /// ```
        #[differentiable]
        pub fn $name(w: &[$F], b: &[$F], x: &[$F], out: &mut [$F], #[no_grad] batch: usize, #[no_grad] $alpha: $F) {
            let n = b.len();
            let k = x.len() / batch;
            matmul(x, w, out, batch, k, n);
            for r in 0..batch {
                for j in 0..n {
                    let $z = out[r * n + j] + b[j];
                    out[r * n + j] = $activation;
                }
            }
        }
    };
}

macro_rules! kernels {
    ($F:ident) => {
        use crate::matmul::matmul;
        use crate::primitives::$F::{elu, leaky_relu, relu, sigmoid, softplus};
        use chainrule_macros::differentiable;

        dense!($F, dense_identity, |z, _alpha| z, alpha = "0.0", by_hand = "z");
        dense!($F, dense_sigmoid, |z, _alpha| sigmoid(z), alpha = "0.0", by_hand = "1.0 / (1.0 + (-z).exp())");
        dense!($F, dense_tanh, |z, _alpha| z.tanh(), alpha = "0.0", by_hand = "z.tanh()");
        dense!($F, dense_relu, |z, _alpha| relu(z), alpha = "0.0", by_hand = "z.max(0.0)");
        dense!(
            $F,
            dense_leaky_relu,
            |z, alpha| leaky_relu(z, alpha),
            alpha = "0.1",
            by_hand = "if z > 0.0 { z } else { 0.1 * z }"
        );
        dense!(
            $F,
            dense_elu,
            |z, alpha| elu(z, alpha),
            alpha = "0.1",
            by_hand = "if z > 0.0 { z } else { 0.1 * (z.exp() - 1.0) }"
        );
        dense!($F, dense_softplus, |z, _alpha| softplus(z), alpha = "0.0", by_hand = "(1.0 + z.exp()).ln()");

        /// A dense layer with a PReLU activation whose slopes `alpha` (one per output) are
        /// learned: the gradient flows into them ("backprop into α to learn").
        ///
        /// ```
        #[doc = concat!("use chainrule_runtime::kernels::", stringify!($F), "::{dense_prelu, dense_prelu_vjp};")]
        /// // One row x = [3, 4], w = [1, −1], b = [0.5]: z = −0.5 < 0, so out = α·z.
        /// let (w, b, alpha, x) = ([1.0, -1.0], [0.5], [0.25], [3.0, 4.0]);
        /// let mut out = [0.0];
        /// dense_prelu(&w, &b, &alpha, &x, &mut out, 1);
        /// assert_eq!(out, [-0.125]);
        /// // Reverse mode with ∂L/∂out = 1: ∂out/∂w = α·x, ∂out/∂b = α, ∂out/∂α = z.
        /// let (mut dw, mut db, mut dalpha, mut dout) = ([0.0; 2], [0.0], [0.0], [1.0]);
        /// dense_prelu_vjp(&w, &mut dw, &b, &mut db, &alpha, &mut dalpha, &x, &mut [], &mut out, &mut dout, 1);
        /// assert_eq!((dw, db, dalpha), ([0.75, 1.0], [0.25], [-0.5]));
        /// ```
        #[differentiable]
        pub fn dense_prelu(w: &[$F], b: &[$F], alpha: &[$F], x: &[$F], out: &mut [$F], #[no_grad] batch: usize) {
            let n = b.len();
            let k = x.len() / batch;
            matmul(x, w, out, batch, k, n);
            for r in 0..batch {
                for j in 0..n {
                    let z = out[r * n + j] + b[j];
                    out[r * n + j] = if z > 0.0 { z } else { alpha[j] * z };
                }
            }
        }

        /// A maxout layer: each output is the largest of `pieces` affine functions,
        /// `max_p (x·w_p + b_p)`. `w` is inputs×(outputs·pieces), piece-major per output.
        ///
        /// ```
        #[doc = concat!("use chainrule_runtime::kernels::", stringify!($F), "::{maxout, maxout_vjp};")]
        /// // One input, one output, two pieces: out = max(2x + 1, −x), for x = 1 and x = −3.
        /// let (w, b, x) = ([2.0, -1.0], [1.0, 0.0], [1.0, -3.0]);
        /// let mut out = [0.0; 2];
        /// maxout(&w, &b, &x, &mut out, 2, 2);
        /// assert_eq!(out, [3.0, 3.0]); // max(3, −1), max(−5, 3)
        /// // The gradient flows into the winning piece only: piece 0 for x = 1, piece 1 for x = −3.
        /// let (mut dw, mut db, mut dout) = ([0.0; 2], [0.0; 2], [1.0; 2]);
        /// maxout_vjp(&w, &mut dw, &b, &mut db, &x, &mut [], &mut out, &mut dout, 2, 2);
        /// assert_eq!((dw, db), ([1.0, -3.0], [1.0, 1.0]));
        /// ```
        #[differentiable]
        pub fn maxout(w: &[$F], b: &[$F], x: &[$F], out: &mut [$F], #[no_grad] batch: usize, #[no_grad] pieces: usize) {
            let np = b.len();
            let n = np / pieces;
            let k = x.len() / batch;
            let mut h = vec![0.0; batch * np];
            matmul(x, w, &mut h, batch, k, np);
            for r in 0..batch {
                for j in 0..n {
                    let mut best = h[r * np + j * pieces] + b[j * pieces];
                    for p in 1..pieces {
                        best = best.max(h[r * np + j * pieces + p] + b[j * pieces + p]);
                    }
                    out[r * n + j] = best;
                }
            }
        }
    };
}

/// Kernels for `f64`.
pub mod f64 {
    kernels!(f64);
}

/// Kernels for `f32`.
pub mod f32 {
    kernels!(f32);
}
