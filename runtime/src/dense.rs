//! A dense matrix, row-major: the Jacobians and Hessians the higher-order companions return.

use std::ops::{Index, IndexMut};

/// `rows × cols` floats, row-major; `m[(i, j)]` is row `i`, column `j`.
///
/// ```
/// use chainrule_runtime::dense::Matrix;
///
/// let mut m = Matrix::<f64>::zeros(2, 3);
/// m[(1, 2)] = 5.0;
/// assert_eq!(m.row(1), &[0.0, 0.0, 5.0]);
/// assert_eq!(m.to_rows(), vec![vec![0.0; 3], vec![0.0, 0.0, 5.0]]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix<F> {
    rows: usize,
    cols: usize,
    data: Vec<F>,
}

impl<F: Copy + Default> Matrix<F> {
    /// A matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Matrix { rows, cols, data: vec![F::default(); rows * cols] }
    }

    /// The matrix of `data`, row-major; `None` unless it holds `rows × cols` floats.
    pub fn from_row_major(rows: usize, cols: usize, data: Vec<F>) -> Option<Self> {
        (data.len() == rows * cols).then_some(Matrix { rows, cols, data })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[F] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i`, to write.
    pub fn row_mut(&mut self, i: usize) -> &mut [F] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// All the floats, row by row.
    pub fn as_slice(&self) -> &[F] {
        &self.data
    }

    /// The rows, each a `Vec`.
    pub fn to_rows(&self) -> Vec<Vec<F>> {
        (0..self.rows).map(|i| self.row(i).to_vec()).collect()
    }
}

impl<F> Index<(usize, usize)> for Matrix<F> {
    type Output = F;
    fn index(&self, (i, j): (usize, usize)) -> &F {
        assert!(i < self.rows && j < self.cols, "({i}, {j}) is outside a {}×{} matrix", self.rows, self.cols);
        &self.data[i * self.cols + j]
    }
}

impl<F> IndexMut<(usize, usize)> for Matrix<F> {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut F {
        assert!(i < self.rows && j < self.cols, "({i}, {j}) is outside a {}×{} matrix", self.rows, self.cols);
        &mut self.data[i * self.cols + j]
    }
}
