//! chainrule's derivatives for [argmin](https://argmin-rs.org)'s solvers (the `argmin`
//! feature): [`Objective`] implements argmin's `CostFunction`, `Gradient` and `Hessian` over
//! `Vec<f64>` (argmin-math's `vec` backend) from a function and its generated companions, one
//! line for any of argmin's gradient or Hessian solvers. The Hessian is a [`DenseHessian`],
//! which argmin's `Newton` can invert (the `vec` backend inverts nothing) and `NewtonCG`
//! multiplies.
//!
//! ```
//! use argmin::core::Executor;
//! use argmin::solver::linesearch::MoreThuenteLineSearch;
//! use argmin::solver::quasinewton::LBFGS;
//! use chainrule::argmin::Objective;
//! use chainrule::prelude::*;
//!
//! #[differentiable]
//! fn bowl(x: &[f64]) -> f64 {
//!     let mut s = 0.0;
//!     for i in 0..x.len() {
//!         s += (x[i] - i as f64).powi(2);
//!     }
//!     s
//! }
//!
//! let problem = Objective::new(bowl, |x| bowl_grad(x).1);
//! let solver = LBFGS::new(MoreThuenteLineSearch::new(), 5);
//! let result = Executor::new(problem, solver).configure(|s| s.param(vec![5.0; 3]).max_iters(50)).run()?;
//! let best = result.state.best_param.unwrap();
//! assert!(best.iter().enumerate().all(|(i, x)| (x - i as f64).abs() < 1e-6));
//! # Ok::<(), argmin::core::Error>(())
//! ```

use argmin::core::{CostFunction, Error, Gradient, Hessian};
use argmin_math::{ArgminDot, ArgminInv};
use chainrule_runtime::dense::Matrix;

/// A function to minimise, with its gradient and, for Newton's methods, its Hessian: each a
/// closure over the parameter slice, typically `f`, `|x| f_grad(x).1` and
/// `|x| f_hessian(x).2`. A missing Hessian is `()` (a solver that needs one does not compile).
pub struct Objective<C, G, H = ()> {
    cost: C,
    gradient: G,
    hessian: H,
}

impl<C, G> Objective<C, G>
where
    C: Fn(&[f64]) -> f64,
    G: Fn(&[f64]) -> Vec<f64>,
{
    /// The function and its gradient, for argmin's gradient solvers (L-BFGS, BFGS,
    /// steepest descent, nonlinear CG).
    pub fn new(cost: C, gradient: G) -> Self {
        Objective { cost, gradient, hessian: () }
    }

    /// And its Hessian (square, of the parameters' size), for Newton's methods (`Newton`,
    /// `NewtonCG`).
    pub fn with_hessian<H: Fn(&[f64]) -> Matrix<f64>>(self, hessian: H) -> Objective<C, G, H> {
        Objective { cost: self.cost, gradient: self.gradient, hessian }
    }
}

impl<C: Fn(&[f64]) -> f64, G, H> CostFunction for Objective<C, G, H> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        Ok((self.cost)(x))
    }
}

impl<C, G: Fn(&[f64]) -> Vec<f64>, H> Gradient for Objective<C, G, H> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
        Ok((self.gradient)(x))
    }
}

impl<C, G, H: Fn(&[f64]) -> Matrix<f64>> Hessian for Objective<C, G, H> {
    type Param = Vec<f64>;
    type Hessian = DenseHessian;

    fn hessian(&self, x: &Vec<f64>) -> Result<DenseHessian, Error> {
        Ok(DenseHessian((self.hessian)(x)))
    }
}

/// A dense square matrix as argmin's Newton methods use a Hessian: times a vector
/// (`ArgminDot`), and inverted (`ArgminInv`, by Gauss–Jordan elimination with partial
/// pivoting: Hessians of functions small enough to have dense ones).
///
/// ```
/// use argmin_math::{ArgminDot, ArgminInv};
/// use chainrule::argmin::DenseHessian;
/// use chainrule::dense::Matrix;
///
/// let h = DenseHessian(Matrix::from_row_major(2, 2, vec![2.0, 0.0, 0.0, 4.0]).unwrap());
/// assert_eq!(h.dot(&vec![1.0, 1.0]), vec![2.0, 4.0]);
/// assert_eq!(h.inv()?.dot(&vec![2.0, 4.0]), vec![1.0, 1.0]);
/// # Ok::<(), argmin_math::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DenseHessian(pub Matrix<f64>);

impl ArgminDot<Vec<f64>, Vec<f64>> for DenseHessian {
    fn dot(&self, v: &Vec<f64>) -> Vec<f64> {
        let m = &self.0;
        (0..m.rows()).map(|i| m.row(i).iter().zip(v).map(|(a, b)| a * b).sum()).collect()
    }
}

impl ArgminInv<DenseHessian> for DenseHessian {
    fn inv(&self) -> Result<DenseHessian, argmin_math::Error> {
        let n = self.0.rows();
        if self.0.cols() != n {
            return Err(argmin_math::Error::msg(format!("a {n}×{} Hessian is not square", self.0.cols())));
        }
        // [A | I] reduced to [I | A⁻¹], one column at a time.
        let (mut a, mut inv) = (self.0.clone(), Matrix::zeros(n, n));
        for i in 0..n {
            inv[(i, i)] = 1.0;
        }
        for k in 0..n {
            let pivot = (k..n).max_by(|&i, &j| a[(i, k)].abs().total_cmp(&a[(j, k)].abs())).unwrap_or(k);
            if a[(pivot, k)] == 0.0 || !a[(pivot, k)].is_finite() {
                return Err(argmin_math::Error::msg("the Hessian is singular"));
            }
            swap_rows(&mut a, k, pivot);
            swap_rows(&mut inv, k, pivot);
            let p = a[(k, k)];
            for j in 0..n {
                a[(k, j)] /= p;
                inv[(k, j)] /= p;
            }
            for i in (0..n).filter(|&i| i != k) {
                let f = a[(i, k)];
                for j in 0..n {
                    a[(i, j)] -= f * a[(k, j)];
                    inv[(i, j)] -= f * inv[(k, j)];
                }
            }
        }
        Ok(DenseHessian(inv))
    }
}

fn swap_rows(m: &mut Matrix<f64>, i: usize, j: usize) {
    for c in 0..m.cols() {
        let t = m[(i, c)];
        m[(i, c)] = m[(j, c)];
        m[(j, c)] = t;
    }
}
