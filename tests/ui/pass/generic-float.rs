// A function generic over its float type: one body, companions for `f32` and `f64` alike,
// constants written with `F::from_f64` and the trait's consts, calls between generic
// functions and from a concrete one, a generic caller of the companions.
use chainrule::prelude::*;

#[differentiable]
fn gauss<F: Float>(x: F, mu: F) -> F {
    let z = (x - mu) * F::FRAC_1_SQRT_2;
    (-z * z).exp() * F::from_f64(0.5) * F::FRAC_2_SQRT_PI
}

#[differentiable]
fn mixture<F: Float>(x: F, mus: &[F]) -> F {
    let mut s = F::ZERO;
    for i in 0..mus.len() {
        s += gauss(x, mus[i]);
    }
    s / F::from_f64(mus.len() as f64)
}

#[differentiable]
fn at_f64(x: f64, #[no_grad] mus: &[f64]) -> f64 {
    mixture(x, mus) + 1.0
}

/// Generic code calling the companions needs only `F: Float`.
fn slope<F: Float>(x: F, mus: &[F]) -> F {
    mixture_grad(x, mus).1.0
}

fn main() {
    let (v, (dx, dmu)) = mixture_grad(0.5f64, &[0.0, 1.0]);
    let (v32, (dx32, dmu32)) = mixture_grad(0.5f32, &[0.0, 1.0]);
    assert!((v - f64::from(v32)).abs() < 1e-6 && (dx - f64::from(dx32)).abs() < 1e-6);
    assert!((dmu[0] - f64::from(dmu32[0])).abs() < 1e-6);
    // Symmetric about 0.5: equal and opposite slopes cancel.
    assert!(dx.abs() < 1e-15 && (dmu[0] + dmu[1]).abs() < 1e-15);
    assert_eq!(slope(0.5f64, &[0.0, 1.0]), dx);
    assert_eq!(at_f64_grad(0.5, &[0.0, 1.0]), (v + 1.0, dx));
    let (_, t) = mixture_jvp(0.5f32, 1.0, &[0.0, 1.0], &[0.0, 0.0]);
    assert_eq!(t, dx32);
}
