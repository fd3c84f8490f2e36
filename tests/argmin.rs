//! `chainrule::argmin` (the `argmin` feature): the example's L-BFGS and Newton runs on the
//! extended Rosenbrock function, and the dense Hessian's inverse. Run by `.ci/run` as
//! `cargo test --features argmin --test argmin`.
#![cfg(feature = "argmin")]

#[path = "../examples/argmin.rs"]
mod example;

use argmin_math::{ArgminDot, ArgminInv};
use chainrule::argmin::DenseHessian;
use chainrule::dense::Matrix;

fn distance_to_ones(x: &[f64]) -> f64 {
    x.iter().map(|v| (v - 1.0).abs()).fold(0.0, f64::max)
}

#[test]
fn lbfgs_finds_the_minimum_with_the_generated_gradient() {
    let (x, iterations) = example::lbfgs(10).unwrap();
    assert_eq!(x.len(), 10);
    assert!(distance_to_ones(&x) < 1e-8, "{x:?}");
    assert!(iterations < 100, "{iterations} iterations");
}

#[test]
fn newton_converges_in_a_few_steps_with_the_generated_hessian() {
    // Quadratic convergence: from (−1.2, 1, …) Newton's full steps reach the minimum in 7.
    let (x, _) = example::newton(10, 7).unwrap();
    assert!(distance_to_ones(&x) < 1e-12, "{x:?}");
    let (early, _) = example::newton(10, 3).unwrap();
    assert!(distance_to_ones(&early) > 1e-3, "three steps are not enough: the test would pass without Newton");
}

#[test]
fn a_dense_hessian_inverts_and_multiplies() {
    let h = DenseHessian(Matrix::from_row_major(3, 3, vec![4.0, 1.0, 0.5, 1.0, 3.0, -1.0, 0.5, -1.0, 2.0]).unwrap());
    let inv = h.inv().unwrap();
    for j in 0..3 {
        let e: Vec<f64> = (0..3).map(|i| inv.0[(i, j)]).collect();
        let column = h.dot(&e);
        for (i, v) in column.iter().enumerate() {
            assert!((v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12, "H·H⁻¹ at ({i}, {j}) is {v}");
        }
    }
    let singular = DenseHessian(Matrix::from_row_major(2, 2, vec![1.0, 2.0, 2.0, 4.0]).unwrap());
    assert!(singular.inv().is_err());
    let wide = DenseHessian(Matrix::zeros(2, 3));
    assert!(wide.inv().is_err());
}
