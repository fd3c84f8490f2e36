//! The slice forms of the activations (`sigmoid_slice(x, out)`, ...) differentiate like the
//! scalar ones: their vjp, with a seed in the output's shadow, is the seed times the scalar
//! derivative, element by element; and `prelu_slice` sends gradient into its slopes.

use chainrule::primitives::*;

#[test]
fn slice_forms_match_the_scalar_derivatives() {
    let x = [-3.0, -0.5, 0.25, 2.0];
    let seed = [0.5, -1.0, 2.0, 1.5];
    type Vjp = fn(&[f64], &mut [f64], &mut [f64], &mut [f64]) -> ((), ());
    type Scalar = fn(f64) -> (f64, f64);
    let cases: [(Vjp, Scalar); 4] = [
        (sigmoid_slice_vjp, sigmoid_grad),
        (relu_slice_vjp, relu_grad),
        (softplus_slice_vjp, softplus_grad),
        (tanh_slice_vjp, |x: f64| (x.tanh(), 1.0 - x.tanh() * x.tanh())),
    ];
    for (vjp, scalar) in cases {
        let (mut dx, mut out, mut dout) = ([0.0; 4], [0.0; 4], seed);
        vjp(&x, &mut dx, &mut out, &mut dout);
        for i in 0..4 {
            let (y, dy) = scalar(x[i]);
            assert_eq!(out[i], y);
            assert!((dx[i] - seed[i] * dy).abs() < 1e-15, "{i}: {} vs {}", dx[i], seed[i] * dy);
        }
        assert_eq!(dout, [0.0; 4], "the output's adjoint is consumed");
    }
}

#[test]
fn prelu_slice_learns_its_slopes() {
    let (x, alpha) = ([-2.0, 3.0], [0.25, 0.1]);
    let (mut dx, mut dalpha, mut out, mut dout) = ([0.0; 2], [0.0; 2], [0.0; 2], [1.0, 1.0]);
    prelu_slice_vjp(&x, &mut dx, &alpha, &mut dalpha, &mut out, &mut dout);
    assert_eq!(out, [-0.5, 3.0]);
    assert_eq!(dx, [0.25, 1.0]);
    assert_eq!(dalpha, [-2.0, 0.0]);
}
