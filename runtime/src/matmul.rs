//! The matrix product: a primitive with a hand-written derivative rule, backed by the
//! `matrixmultiply` GEMM kernels (pure Rust, SIMD chosen at run time), so that layers over a
//! batch run at GEMM speed. Row-major throughout: `a` is m×k, `b` is k×n, `c` is m×n.
//!
//! The rule: for `C = A·B`, forward mode `dC = dA·B + A·dB`; reverse mode `dA += dC·Bᵀ`,
//! `dB += Aᵀ·dC`, and `C`'s adjoint is consumed (zeroed), the convention for `&mut` outputs.
//! An empty shadow (or tangent) means "not needed": the input layer of a network passes an
//! empty shadow for its data, and the product that would compute it is skipped.
//!
//! It plugs into differentiable code through the same protocol `#[differentiable]` writes
//! (a hidden struct `matmul` with `tangent` and `pullback`), written here by hand.

/// Floats with a GEMM kernel.
pub trait Gemm: Copy + Default + PartialEq + 'static {
    /// `c = alpha · op(a) · op(b) + beta · c` with explicit strides (see
    /// `matrixmultiply::dgemm`).
    #[allow(clippy::too_many_arguments)]
    fn gemm(m: usize, k: usize, n: usize, alpha: Self, a: Strided<Self>, b: Strided<Self>, beta: Self, c: &mut [Self]);
}

/// A matrix operand: its data and its row and column strides (transposing swaps them).
#[derive(Clone, Copy)]
pub struct Strided<'a, F> {
    pub data: &'a [F],
    pub row: usize,
    pub col: usize,
}

macro_rules! gemm {
    ($f:ty, $kernel:ident) => {
        impl Gemm for $f {
            fn gemm(m: usize, k: usize, n: usize, alpha: $f, a: Strided<$f>, b: Strided<$f>, beta: $f, c: &mut [$f]) {
                // The kernel reads `a`, `b` and writes `c` through raw pointers; these bounds
                // make every access it can make lie inside the slices.
                assert!(m == 0 || k == 0 || (m - 1) * a.row + (k - 1) * a.col < a.data.len(), "matmul: `a` too short");
                assert!(k == 0 || n == 0 || (k - 1) * b.row + (n - 1) * b.col < b.data.len(), "matmul: `b` too short");
                assert!(c.len() >= m * n, "matmul: `c` too short");
                if m * k * n <= TINY {
                    return tiny(m, k, n, alpha, a, b, beta, c);
                }
                // SAFETY: the asserts above bound every index the kernel computes from these
                // dimensions and strides; `c` is exclusively borrowed and does not alias.
                unsafe {
                    matrixmultiply::$kernel(
                        m,
                        k,
                        n,
                        alpha,
                        a.data.as_ptr(),
                        a.row as isize,
                        a.col as isize,
                        b.data.as_ptr(),
                        b.row as isize,
                        b.col as isize,
                        beta,
                        c.as_mut_ptr(),
                        n as isize,
                        1,
                    );
                }
            }
        }
    };
}
/// Products of at most this many multiply-adds are plain loops: the GEMM's packing and
/// dispatch cost more than the arithmetic of a tiny layer (2-4-1 over a batch of 4).
const TINY: usize = 256;

/// `c = alpha · a · b + beta · c` by loops over the strides, for tiny products (`beta = 0`
/// overwrites, as the GEMM does, so a NaN in `c` does not survive).
#[allow(clippy::too_many_arguments)]
fn tiny<F: Copy + Default + PartialEq + std::ops::Add<Output = F> + std::ops::Mul<Output = F>>(
    m: usize,
    k: usize,
    n: usize,
    alpha: F,
    a: Strided<F>,
    b: Strided<F>,
    beta: F,
    c: &mut [F],
) {
    for i in 0..m {
        for j in 0..n {
            let mut s = F::default();
            for r in 0..k {
                s = s + a.data[i * a.row + r * a.col] * b.data[r * b.row + j * b.col];
            }
            let old = if beta == F::default() { F::default() } else { beta * c[i * n + j] };
            c[i * n + j] = alpha * s + old;
        }
    }
}

gemm!(f64, dgemm);
gemm!(f32, sgemm);

fn rows<F>(data: &[F], cols: usize) -> Strided<'_, F> {
    Strided { data, row: cols, col: 1 }
}

fn transposed<F>(data: &[F], cols: usize) -> Strided<'_, F> {
    Strided { data, row: 1, col: cols }
}

fn one<F: Gemm + From<u8>>() -> F {
    F::from(1)
}

/// `c = a · b` for row-major `a` (m×k), `b` (k×n), `c` (m×n).
///
/// ```
/// use chainrule_runtime::matmul::matmul;
/// let (a, b) = ([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]);
/// let mut c = [0.0; 4];
/// matmul(&a, &b, &mut c, 2, 2, 2);
/// assert_eq!(c, [19.0, 22.0, 43.0, 50.0]);
/// ```
pub fn matmul<F: Gemm + From<u8>>(a: &[F], b: &[F], c: &mut [F], m: usize, k: usize, n: usize) {
    F::gemm(m, k, n, one(), rows(a, k), rows(b, n), F::default(), c);
}

/// The differentiation protocol of [`matmul()`] (see the module docs).
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct matmul {}

impl matmul {
    /// Per parameter: `c` is written (β = 0) and never read, so a caller lending it need
    /// not copy what it held (the macro writes this for the functions it differentiates).
    pub const OVERWRITES: &'static [bool] = &[false, false, true, false, false, false];

    /// Forward mode: `c = a·b` and `dc = da·b + a·db`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn tangent<F: Gemm + From<u8>>(
        a: &[F],
        da: &[F],
        b: &[F],
        db: &[F],
        c: &mut [F],
        dc: &mut [F],
        m: usize,
        _: (),
        k: usize,
        _: (),
        n: usize,
        _: (),
    ) -> ((), ()) {
        matmul(a, b, c, m, k, n);
        let mut beta = F::default();
        if !da.is_empty() {
            F::gemm(m, k, n, one(), rows(da, k), rows(b, n), beta, dc);
            beta = one();
        }
        if !db.is_empty() {
            F::gemm(m, k, n, one(), rows(a, k), rows(db, n), beta, dc);
            beta = one();
        }
        if beta == F::default() {
            dc[..m * n].fill(F::default());
        }
        ((), ())
    }

    /// Reverse mode: `c = a·b` now; later, `da += dc·bᵀ`, `db += aᵀ·dc`, and `dc` is consumed.
    #[allow(clippy::type_complexity)]
    #[inline]
    pub fn pullback<'a, 'b, F: Gemm + From<u8>>(
        a: &'a [F],
        b: &'b [F],
        c: &mut [F],
        m: usize,
        k: usize,
        n: usize,
    ) -> ((), impl FnOnce((), (&mut [F], &mut [F], &mut [F], (), (), ())) -> ((), (), (), (), (), ()) + use<'a, 'b, F>)
    {
        Self::pullback_wanted(a, b, c, m, k, n, crate::__private::Wanted::<{ u64::MAX }>)
    }

    /// [`Self::pullback`] for a caller that may not want `da` or `db` (see
    /// `__private::Wanted`): the product of one it does not want is not computed.
    #[allow(clippy::type_complexity)]
    #[inline]
    pub fn pullback_wanted<'a, 'b, F: Gemm + From<u8>, const W: u64>(
        a: &'a [F],
        b: &'b [F],
        c: &mut [F],
        m: usize,
        k: usize,
        n: usize,
        _: crate::__private::Wanted<W>,
    ) -> ((), impl FnOnce((), (&mut [F], &mut [F], &mut [F], (), (), ())) -> ((), (), (), (), (), ()) + use<'a, 'b, F, W>)
    {
        use crate::__private::wanted;
        matmul(a, b, c, m, k, n);
        ((), move |_: (), (da, db, dc, _, _, _): (&mut [F], &mut [F], &mut [F], (), (), ())| {
            if wanted(W, 0) && !da.is_empty() {
                // da (m×k) += dc (m×n) · bᵀ (n×k)
                F::gemm(m, n, k, one(), rows(dc, n), transposed(b, n), one(), da);
            }
            if wanted(W, 1) && !db.is_empty() {
                // db (k×n) += aᵀ (k×m) · dc (m×n)
                F::gemm(k, m, n, one(), transposed(a, k), rows(dc, n), one(), db);
            }
            dc[..m * n].fill(F::default());
            ((), (), (), (), (), ())
        })
    }
}

#[cfg(test)]
mod tiny_tests {
    use super::{Strided, tiny};

    /// The loops against matrixmultiply on shapes under and past the threshold, with a
    /// transposed operand, alpha and beta.
    #[test]
    fn tiny_products_are_the_gemm_s() {
        for (m, k, n) in [(4, 2, 4), (1, 1, 1), (3, 5, 2), (8, 4, 8)] {
            let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
            let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.61).cos()).collect();
            let c0: Vec<f64> = (0..m * n).map(|i| i as f64 * 0.1 - 1.0).collect();
            for (alpha, beta) in [(1.0, 0.0), (0.5, 1.0), (-2.0, 0.25)] {
                // a read transposed: stored k×m.
                let at: Vec<f64> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
                let (mut by_loops, mut by_gemm) = (c0.clone(), c0.clone());
                tiny(
                    m,
                    k,
                    n,
                    alpha,
                    Strided { data: &at, row: 1, col: m },
                    Strided { data: &b, row: n, col: 1 },
                    beta,
                    &mut by_loops,
                );
                // SAFETY: the shapes and strides are those of the slices.
                unsafe {
                    matrixmultiply::dgemm(
                        m,
                        k,
                        n,
                        alpha,
                        at.as_ptr(),
                        1,
                        m as isize,
                        b.as_ptr(),
                        n as isize,
                        1,
                        beta,
                        by_gemm.as_mut_ptr(),
                        n as isize,
                        1,
                    );
                }
                for (x, y) in by_loops.iter().zip(&by_gemm) {
                    assert!((x - y).abs() < 1e-12, "{m}×{k}×{n}: {x} vs {y}");
                }
            }
        }
    }
}
