//! The differentiable kernels of the layers: plain `#[differentiable]` functions over a
//! batch, whose forward and backward passes the macro writes. Only the matrix product and
//! the activations have hand-written rules. One source serves `f64` and `f32`.
//!
//! Shapes are row-major: `x` is batch×inputs, `w` inputs×outputs, `b` outputs, `out`
//! batch×outputs. `out` is a `&mut` output: in reverse mode its shadow carries ∂L/∂out and is
//! consumed. The shadow of `x` may be empty, meaning "no input gradient wanted" (the first
//! layer of a network): `x` reaches only the matrix product, which then skips that product.

macro_rules! dense {
    ($F:ident, $name:ident, |$z:ident, $alpha:ident| $activation:expr) => {
        /// A dense layer `out = activation(x·w + b)` over a batch.
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

        dense!($F, dense_identity, |z, _alpha| z);
        dense!($F, dense_sigmoid, |z, _alpha| sigmoid(z));
        dense!($F, dense_tanh, |z, _alpha| z.tanh());
        dense!($F, dense_relu, |z, _alpha| relu(z));
        dense!($F, dense_leaky_relu, |z, alpha| leaky_relu(z, alpha));
        dense!($F, dense_elu, |z, alpha| elu(z, alpha));
        dense!($F, dense_softplus, |z, _alpha| softplus(z));

        /// A dense layer with a PReLU activation whose slopes `alpha` (one per output) are
        /// learned: the gradient flows into them ("backprop into α to learn").
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
