//! Toy data sets and mini-batching.
//!
//! Samples are rows of a row-major matrix in a flat `Vec` (`n × width`), the layout a batched
//! forward pass reads directly; labels are a separate `Vec<usize>`. The generators are the
//! classic ones from teaching: XOR (the smallest problem a linear model cannot solve), spirals
//! (CS231n) and two moons (scikit-learn's `make_moons`), so results can be compared with theirs.

use crate::float::Float;
use crate::rng::Rng;
use std::f64::consts::PI;

/// The XOR truth table: inputs (4 × 2, row-major) and targets (4 × 1).
///
/// ```
/// use chainrule_runtime::data::xor;
/// let (x, y) = xor::<f64>();
/// assert_eq!(x, [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
/// assert_eq!(y, [0.0, 1.0, 1.0, 0.0]);
/// ```
pub fn xor<F: Float>() -> (Vec<F>, Vec<F>) {
    let f = |v: &[f64]| v.iter().map(|&x| F::from_f64(x)).collect();
    (f(&[0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]), f(&[0.0, 1.0, 1.0, 0.0]))
}

/// The i-th of n evenly spaced points from lo to hi inclusive (numpy's `linspace`).
fn linspace(lo: f64, hi: f64, n: usize, i: usize) -> f64 {
    if n <= 1 { lo } else { lo + (hi - lo) * i as f64 / (n - 1) as f64 }
}

/// The CS231n spiral: `classes` arms of `points_per_class` points each, in the unit disc.
/// Arm j has radius r evenly spaced over [0, 1] and angle θ evenly spaced over
/// [4j, 4(j + 1)] plus N(0, noise²), at (r sin θ, r cos θ). CS231n uses noise 0.2.
///
/// Returns the points (N × 2, row-major, N = points_per_class · classes) and their labels,
/// ordered by class (shuffle with [`Batches`]).
///
/// ```
/// use chainrule_runtime::{data::spirals, rng::Rng};
/// let (x, y) = spirals::<f32>(100, 3, 0.2, &mut Rng::new(0));
/// assert_eq!((x.len(), y.len()), (600, 300));
/// assert_eq!((y[0], y[299]), (0, 2));
/// ```
pub fn spirals<F: Float>(points_per_class: usize, classes: usize, noise: f64, rng: &mut Rng) -> (Vec<F>, Vec<usize>) {
    let n = points_per_class * classes;
    let (mut x, mut y) = (Vec::with_capacity(2 * n), Vec::with_capacity(n));
    for class in 0..classes {
        let start = 4.0 * class as f64;
        for i in 0..points_per_class {
            let r = linspace(0.0, 1.0, points_per_class, i);
            let theta = linspace(start, start + 4.0, points_per_class, i) + noise * rng.normal();
            x.extend([F::from_f64(r * theta.sin()), F::from_f64(r * theta.cos())]);
            y.push(class);
        }
    }
    (x, y)
}

/// Two interleaving half circles (scikit-learn's `make_moons`, unshuffled): ⌊n/2⌋ points of
/// label 0 on the upper unit half circle, the other ⌈n/2⌉ of label 1 on a lower half circle
/// centred at (1, 0.5), each coordinate plus N(0, noise²) noise.
///
/// ```
/// use chainrule_runtime::{data::moons, rng::Rng};
/// let (x, y) = moons::<f64>(5, 0.0, &mut Rng::new(0));
/// assert_eq!(y, [0, 0, 1, 1, 1]);
/// assert_eq!(&x[..2], &[1.0, 0.0]); // the outer moon starts at angle 0
/// ```
pub fn moons<F: Float>(n: usize, noise: f64, rng: &mut Rng) -> (Vec<F>, Vec<usize>) {
    let outer = n / 2;
    let inner = n - outer;
    let (mut x, mut y) = (Vec::with_capacity(2 * n), Vec::with_capacity(n));
    for i in 0..outer {
        let t = linspace(0.0, PI, outer, i);
        x.extend([F::from_f64(t.cos() + noise * rng.normal()), F::from_f64(t.sin() + noise * rng.normal())]);
        y.push(0);
    }
    for i in 0..inner {
        let t = linspace(0.0, PI, inner, i);
        let (px, py) = (1.0 - t.cos(), 0.5 - t.sin());
        x.extend([F::from_f64(px + noise * rng.normal()), F::from_f64(py + noise * rng.normal())]);
        y.push(1);
    }
    (x, y)
}

/// One-hot encoding: row i of the `labels.len() × classes` result is 1 at column `labels[i]`
/// and 0 elsewhere.
///
/// # Panics
/// If a label is not below `classes`.
///
/// ```
/// use chainrule_runtime::data::one_hot;
/// assert_eq!(one_hot::<f32>(&[2, 0], 3), [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
/// ```
pub fn one_hot<F: Float>(labels: &[usize], classes: usize) -> Vec<F> {
    let mut out = vec![F::ZERO; labels.len() * classes];
    for (row, &label) in labels.iter().enumerate() {
        assert!(label < classes, "one_hot: label {label} at row {row} is not below {classes} classes");
        out[row * classes + label] = F::ONE;
    }
    out
}

/// Mini-batches over a shuffled order of `0..n`: iterating gives slices of at most
/// `batch_size` sample indices that together cover every sample once (the last batch is
/// smaller when `batch_size` does not divide `n`). Call [`Batches::reshuffle`] between
/// epochs; it reuses the buffer.
///
/// ```
/// use chainrule_runtime::{data::Batches, rng::Rng};
/// let mut rng = Rng::new(0);
/// let mut batches = Batches::new(10, 4, &mut rng);
/// for epoch in 0..2 {
///     let sizes: Vec<usize> = batches.iter().map(|b| b.len()).collect();
///     assert_eq!(sizes, [4, 4, 2]);
///     batches.reshuffle(&mut rng);
/// }
/// let mut seen: Vec<usize> = (&batches).into_iter().flatten().copied().collect();
/// seen.sort();
/// assert_eq!(seen, (0..10).collect::<Vec<_>>());
/// ```
#[derive(Clone, Debug)]
pub struct Batches {
    order: Vec<usize>,
    batch_size: usize,
}

impl Batches {
    /// Batches of `batch_size` over a random permutation of `0..n`.
    ///
    /// # Panics
    /// If `batch_size` is 0.
    pub fn new(n: usize, batch_size: usize, rng: &mut Rng) -> Batches {
        assert!(batch_size > 0, "Batches::new: batch_size must be at least 1");
        let mut batches = Batches { order: (0..n).collect(), batch_size };
        rng.shuffle(&mut batches.order);
        batches
    }

    /// Draws a new order for the next epoch.
    pub fn reshuffle(&mut self, rng: &mut Rng) {
        rng.shuffle(&mut self.order);
    }

    /// The batches, in order.
    pub fn iter(&self) -> std::slice::Chunks<'_, usize> {
        self.order.chunks(self.batch_size)
    }

    /// The whole current permutation of `0..n`.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The number of batches, ⌈n / batch_size⌉.
    pub fn len(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

impl<'a> IntoIterator for &'a Batches {
    type Item = &'a [usize];
    type IntoIter = std::slice::Chunks<'a, usize>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Copies rows `indices` of the row-major matrix `src` (rows of `width` values) into `out`,
/// replacing its contents: the batch matrix for one mini-batch. `out` is reused across batches
/// so that an epoch allocates nothing once it has grown. Works for labels too (`width` 1).
///
/// # Panics
/// If an index names a row beyond the end of `src`.
///
/// ```
/// use chainrule_runtime::data::gather;
/// let src = [0.0, 0.1, 1.0, 1.1, 2.0, 2.1]; // 3 rows of width 2
/// let mut batch = Vec::new();
/// gather(&src, 2, &[2, 0], &mut batch);
/// assert_eq!(batch, [2.0, 2.1, 0.0, 0.1]);
/// ```
pub fn gather<T: Copy>(src: &[T], width: usize, indices: &[usize], out: &mut Vec<T>) {
    out.clear();
    out.reserve(indices.len() * width);
    for &i in indices {
        out.extend_from_slice(&src[i * width..(i + 1) * width]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spirals_without_noise_follow_the_formula() {
        let (x, y) = spirals::<f64>(5, 2, 0.0, &mut Rng::new(0));
        // Class 1, point 2: r = 0.5, θ = 4 + 4·2/4 = 6.
        let (px, py) = (x[2 * 7], x[2 * 7 + 1]);
        assert!((px - 0.5 * 6f64.sin()).abs() < 1e-15 && (py - 0.5 * 6f64.cos()).abs() < 1e-15);
        assert_eq!(y, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
        // Every arm starts at the origin and ends on the unit circle.
        assert_eq!((x[0], x[1]), (0.0, 0.0));
        assert!((x[8].hypot(x[9]) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn spirals_noise_is_seeded() {
        let a = spirals::<f32>(50, 3, 0.2, &mut Rng::new(1));
        let b = spirals::<f32>(50, 3, 0.2, &mut Rng::new(1));
        let c = spirals::<f32>(50, 3, 0.2, &mut Rng::new(2));
        assert_eq!(a, b);
        assert_ne!(a.0, c.0);
        // Noise moves the angle only: radii are unchanged.
        let clean = spirals::<f32>(50, 3, 0.0, &mut Rng::new(1));
        for i in 0..150 {
            let r = |x: &[f32]| x[2 * i].hypot(x[2 * i + 1]);
            assert!((r(&a.0) - r(&clean.0)).abs() < 1e-6);
        }
    }

    #[test]
    fn moons_without_noise_lie_on_their_circles() {
        let (x, y) = moons::<f64>(101, 0.0, &mut Rng::new(0));
        assert_eq!(y.iter().filter(|&&l| l == 0).count(), 50);
        for (p, &label) in x.chunks(2).zip(&y) {
            let (cx, cy) = if label == 0 { (0.0, 0.0) } else { (1.0, 0.5) };
            assert!(((p[0] - cx).hypot(p[1] - cy) - 1.0).abs() < 1e-12);
            // Upper half for the outer moon, lower half for the inner one.
            assert!(if label == 0 { p[1] >= -1e-12 } else { p[1] <= 0.5 + 1e-12 });
        }
        assert_eq!(moons::<f64>(0, 0.1, &mut Rng::new(0)), (vec![], vec![]));
    }

    #[test]
    fn moons_noise_has_the_requested_spread() {
        let clean = moons::<f64>(4000, 0.0, &mut Rng::new(0)).0;
        let noisy = moons::<f64>(4000, 0.1, &mut Rng::new(0)).0;
        let var = clean.iter().zip(&noisy).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / 8000.0;
        assert!((var / 0.01 - 1.0).abs() < 0.05, "{var}");
    }

    #[test]
    #[should_panic(expected = "label 3 at row 1 is not below 3 classes")]
    fn one_hot_rejects_large_labels() {
        one_hot::<f64>(&[0, 3], 3);
    }

    #[test]
    fn batches_cover_every_sample_once_and_reshuffle() {
        let mut rng = Rng::new(6);
        let mut batches = Batches::new(100, 32, &mut rng);
        assert_eq!(batches.len(), 4);
        let first = batches.order().to_vec();
        let mut sorted = first.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        assert_ne!(first, sorted, "the order should be shuffled");
        batches.reshuffle(&mut rng);
        assert_ne!(batches.order(), &first[..]);
        let empty = Batches::new(0, 8, &mut rng);
        assert_eq!(empty.len(), 0);
        assert!(empty.is_empty() && empty.iter().next().is_none());
    }

    #[test]
    fn gather_replaces_the_output() {
        let labels = [10usize, 11, 12];
        let mut out = vec![99, 99, 99, 99];
        gather(&labels, 1, &[1, 1, 0], &mut out);
        assert_eq!(out, [11, 11, 10]);
    }
}
