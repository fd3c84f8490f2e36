//! Weight initialisers. A layer's weights start random so that its units differ (equal weights
//! would receive equal gradients and stay equal), and with a variance chosen so that signals
//! neither vanish nor explode as they pass through many layers:
//!
//! - Xavier/Glorot (Glorot and Bengio, 2010) keeps the variance of activations and of
//!   gradients about constant for symmetric activations such as tanh and sigmoid:
//!   Var(w) = 2 / (fan_in + fan_out).
//! - He (He et al., 2015) doubles the forward variance to make up for ReLU zeroing half of its
//!   inputs: Var(w) = 2 / fan_in.
//!
//! Each returns `fan_in * fan_out` independent draws; the layout (row- or column-major) is the
//! caller's, since the draws are identically distributed. The same seed gives the same weights.

use crate::float::Float;
use crate::rng::Rng;

/// Draws `fan_in * fan_out` values with `draw`, converted to `F`.
fn fill<F: Float>(fan_in: usize, fan_out: usize, mut draw: impl FnMut() -> f64) -> Vec<F> {
    let len = fan_in.checked_mul(fan_out).expect("fan_in * fan_out overflows usize");
    (0..len).map(|_| F::from_f64(draw())).collect()
}

/// Xavier/Glorot uniform: U(−a, a) with a = √(6 / (fan_in + fan_out)), whose variance is
/// a²/3 = 2 / (fan_in + fan_out).
///
/// ```
/// use chainrule_runtime::{init::xavier_uniform, rng::Rng};
/// let w: Vec<f32> = xavier_uniform(2, 4, &mut Rng::new(0));
/// assert_eq!(w.len(), 8);
/// assert!(w.iter().all(|x| x.abs() < 1.0)); // a = √(6/6) = 1
/// ```
pub fn xavier_uniform<F: Float>(fan_in: usize, fan_out: usize, rng: &mut Rng) -> Vec<F> {
    let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
    fill(fan_in, fan_out, || rng.range(-a, a))
}

/// Xavier/Glorot normal: N(0, 2 / (fan_in + fan_out)).
///
/// ```
/// use chainrule_runtime::{init::xavier_normal, rng::Rng};
/// let w: Vec<f64> = xavier_normal(3, 5, &mut Rng::new(0));
/// assert_eq!(w.len(), 15);
/// ```
pub fn xavier_normal<F: Float>(fan_in: usize, fan_out: usize, rng: &mut Rng) -> Vec<F> {
    let std = (2.0 / (fan_in + fan_out) as f64).sqrt();
    fill(fan_in, fan_out, || std * rng.normal())
}

/// He (Kaiming) normal, for ReLU layers: N(0, 2 / fan_in).
///
/// ```
/// use chainrule_runtime::{init::he_normal, rng::Rng};
/// let a: Vec<f32> = he_normal(100, 10, &mut Rng::new(1));
/// let b: Vec<f32> = he_normal(100, 10, &mut Rng::new(1));
/// assert_eq!(a, b); // reproducible by seed
/// ```
pub fn he_normal<F: Float>(fan_in: usize, fan_out: usize, rng: &mut Rng) -> Vec<F> {
    let std = (2.0 / fan_in as f64).sqrt();
    fill(fan_in, fan_out, || std * rng.normal())
}

/// He (Kaiming) uniform, for ReLU layers: U(−a, a) with a = √(6 / fan_in), variance 2 / fan_in.
///
/// ```
/// use chainrule_runtime::{init::he_uniform, rng::Rng};
/// let w: Vec<f64> = he_uniform(6, 2, &mut Rng::new(0));
/// assert!(w.iter().all(|x| x.abs() < 1.0)); // a = √(6/6) = 1
/// ```
pub fn he_uniform<F: Float>(fan_in: usize, fan_out: usize, rng: &mut Rng) -> Vec<F> {
    let a = (6.0 / fan_in as f64).sqrt();
    fill(fan_in, fan_out, || rng.range(-a, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Init = fn(usize, usize, &mut Rng) -> Vec<f64>;

    fn mean_and_variance<F: Float>(w: &[F]) -> (f64, f64) {
        let n = w.len() as f64;
        let mean = w.iter().map(|x| x.to_f64()).sum::<f64>() / n;
        let var = w.iter().map(|x| (x.to_f64() - mean).powi(2)).sum::<f64>() / n;
        (mean, var)
    }

    #[test]
    fn empirical_variance_matches_theory() {
        // 300 * 200 = 60,000 draws: the sample variance is within about 1 % of the true one
        // (its relative standard error is √(2/n) ≈ 0.6 % for normals, less for uniforms).
        let (fan_in, fan_out) = (300, 200);
        let xavier = 2.0 / (fan_in + fan_out) as f64;
        let he = 2.0 / fan_in as f64;
        let cases: [(&str, Init, f64); 4] = [
            ("xavier_uniform", xavier_uniform, xavier),
            ("xavier_normal", xavier_normal, xavier),
            ("he_normal", he_normal, he),
            ("he_uniform", he_uniform, he),
        ];
        for (name, init, expected) in cases {
            let w = init(fan_in, fan_out, &mut Rng::new(17));
            assert_eq!(w.len(), fan_in * fan_out);
            let (mean, var) = mean_and_variance(&w);
            // Five standard errors of the mean.
            let tolerance = 5.0 * (expected / w.len() as f64).sqrt();
            assert!(mean.abs() < tolerance, "{name}: mean {mean}");
            assert!((var / expected - 1.0).abs() < 0.03, "{name}: variance {var}, expected {expected}");
        }
    }

    #[test]
    fn f32_draws_have_the_same_variance() {
        let w: Vec<f32> = he_normal(256, 256, &mut Rng::new(3));
        let (_, var) = mean_and_variance(&w);
        assert!((var / (2.0 / 256.0) - 1.0).abs() < 0.03, "{var}");
    }

    #[test]
    fn uniform_bounds_are_respected_and_reached() {
        let w: Vec<f64> = xavier_uniform(10, 14, &mut Rng::new(5));
        let a = 0.5; // √(6 / 24)
        assert!(w.iter().all(|x| x.abs() < a));
        let big: Vec<f64> = xavier_uniform(100, 140, &mut Rng::new(5));
        let a = (6.0f64 / 240.0).sqrt();
        let max = big.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(max < a && max > 0.99 * a, "{max} vs {a}");
    }

    #[test]
    fn reproducible_by_seed_and_different_across_seeds() {
        let a: Vec<f64> = xavier_normal(8, 8, &mut Rng::new(1));
        let b: Vec<f64> = xavier_normal(8, 8, &mut Rng::new(1));
        let c: Vec<f64> = xavier_normal(8, 8, &mut Rng::new(2));
        assert_eq!(a, b);
        assert_ne!(a, c);
        // f32 weights are the f64 draws rounded: the same seed gives the same network.
        let d: Vec<f32> = xavier_normal(8, 8, &mut Rng::new(1));
        assert!(a.iter().zip(&d).all(|(x, y)| *x as f32 == *y));
    }

    #[test]
    fn empty_shapes_give_empty_vectors() {
        assert!(he_normal::<f64>(0, 5, &mut Rng::new(0)).is_empty());
        assert!(xavier_uniform::<f32>(0, 0, &mut Rng::new(0)).is_empty());
    }
}
