//! A small seeded pseudo-random generator, so that initialisation, data generation and
//! shuffling are reproducible from one `u64` without a dependency.
//!
//! The generator is xoshiro256** (Blackman and Vigna, 2018): 256 bits of state, period
//! 2²⁵⁶ − 1, passes BigCrush, and costs a few shifts and one multiply per draw. Its state is
//! filled from the seed by SplitMix64, the seeding its authors recommend: it spreads nearby
//! seeds (0, 1, 2, ...) into unrelated states and never yields the all-zero state, which
//! xoshiro must avoid. It is not cryptographically secure.

/// A seeded xoshiro256** generator. The same seed gives the same sequence on every
/// platform.
///
/// ```
/// use chainrule_runtime::rng::Rng;
///
/// let mut a = Rng::new(7);
/// let mut b = Rng::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let u = a.uniform();
/// assert!((0.0..1.0).contains(&u));
/// let k = a.below(10);
/// assert!(k < 10);
/// ```
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
    /// Box-Muller makes normals in pairs; the second waits here for the next call.
    spare_normal: Option<f64>,
}

/// One step of SplitMix64: advances `state` and returns a well-mixed output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator whose state is derived from `seed` by SplitMix64.
    ///
    /// ```
    /// use chainrule_runtime::rng::Rng;
    /// assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    /// ```
    pub fn new(seed: u64) -> Rng {
        let mut sm = seed;
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        Rng { s, spare_normal: None }
    }

    /// The next 64 uniformly distributed bits (xoshiro256**).
    ///
    /// ```
    /// use chainrule_runtime::rng::Rng;
    /// let mut rng = Rng::new(0);
    /// // The reference C implementation, seeded by SplitMix64 from 0, gives the same value.
    /// assert_eq!(rng.next_u64(), 0x99ec_5f36_cb75_f2b4);
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform draw from [0, 1), on the grid of multiples of 2⁻⁵³ (every such value is an
    /// exact `f64`, so all are equally likely and 1 is never returned).
    ///
    /// ```
    /// use chainrule_runtime::rng::Rng;
    /// let mut rng = Rng::new(3);
    /// let mean = (0..10_000).map(|_| rng.uniform()).sum::<f64>() / 10_000.0;
    /// assert!((mean - 0.5).abs() < 0.02);
    /// ```
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw from [lo, hi), computed as `lo + (hi - lo) * u`; rounding can carry it
    /// to `hi` itself only when `u` is within a few ulps of 1 (probability about 2⁻⁵²).
    ///
    /// ```
    /// use chainrule_runtime::rng::Rng;
    /// let mut rng = Rng::new(3);
    /// let x = rng.range(-2.0, 5.0);
    /// assert!((-2.0..5.0).contains(&x));
    /// ```
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// A standard normal draw N(0, 1) by the Box-Muller transform. Each transform makes two
    /// independent normals; the second is kept for the next call, so no draw is wasted.
    ///
    /// ```
    /// use chainrule_runtime::rng::Rng;
    /// let mut rng = Rng::new(5);
    /// let n = 20_000;
    /// let xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    /// let mean = xs.iter().sum::<f64>() / n as f64;
    /// let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
    /// assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.05);
    /// ```
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let radius = (-2.0 * (1.0 - self.uniform()).ln()).sqrt();
        let angle = std::f64::consts::TAU * self.uniform();
        self.spare_normal = Some(radius * angle.sin());
        radius * angle.cos()
    }

    /// A uniform integer in `0..n`, exactly unbiased: Lemire's multiply-and-shift with
    /// rejection of the few products that would favour small results.
    ///
    /// # Panics
    /// If `n == 0` (the range is empty).
    ///
    /// ```
    /// use chainrule_runtime::rng::Rng;
    /// let mut rng = Rng::new(9);
    /// let mut seen = [false; 6];
    /// for _ in 0..200 {
    ///     seen[rng.below(6)] = true;
    /// }
    /// assert!(seen.iter().all(|&s| s));
    /// ```
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::below(0): the range 0..0 is empty");
        let n = n as u64;
        let mut product = u128::from(self.next_u64()) * u128::from(n);
        // The low half falls below 2⁶⁴ mod n for exactly the excess draws; redrawing those
        // leaves every result with the same number of preimages.
        if (product as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (product as u64) < threshold {
                product = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (product >> 64) as usize
    }

    /// Shuffles `items` in place by Fisher-Yates: every permutation is equally likely.
    ///
    /// ```
    /// use chainrule_runtime::rng::Rng;
    /// let mut v: Vec<u32> = (0..10).collect();
    /// Rng::new(1).shuffle(&mut v);
    /// let mut sorted = v.clone();
    /// sorted.sort();
    /// assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    /// ```
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_reference_implementation() {
        // Values printed by Vigna's splitmix64.c and xoshiro256starstar.c, seeded as `new` does.
        assert_eq!(splitmix64(&mut 0), 0xe220_a839_7b1d_cdaf);
        let mut rng = Rng::new(42);
        assert_eq!(rng.next_u64(), 0x1578_0b2e_0c2e_c716);
        assert_eq!(rng.next_u64(), 0x6104_d986_6d11_3a7e);
        assert_eq!(rng.next_u64(), 0xae17_5332_39e4_99a1);
    }

    #[test]
    fn below_is_uniform() {
        let mut rng = Rng::new(11);
        let mut counts = [0u32; 7];
        let n = 70_000;
        for _ in 0..n {
            counts[rng.below(7)] += 1;
        }
        // Expected 10,000 each with standard deviation about 93; 500 is over five sigma.
        for c in counts {
            assert!((c as i32 - 10_000).abs() < 500, "{counts:?}");
        }
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn below_handles_huge_ranges() {
        let mut rng = Rng::new(2);
        let n = usize::MAX / 3 * 2;
        assert!((0..1000).all(|_| rng.below(n) < n));
    }

    #[test]
    #[should_panic(expected = "empty")]
    fn below_zero_panics() {
        Rng::new(0).below(0);
    }

    #[test]
    fn shuffle_moves_every_position() {
        // Each of 5 elements should land in each position about 1/5 of the time.
        let mut rng = Rng::new(4);
        let mut counts = [[0u32; 5]; 5];
        for _ in 0..20_000 {
            let mut v = [0usize, 1, 2, 3, 4];
            rng.shuffle(&mut v);
            for (pos, &x) in v.iter().enumerate() {
                counts[x][pos] += 1;
            }
        }
        for row in counts {
            for c in row {
                assert!((c as i32 - 4000).abs() < 300, "{counts:?}");
            }
        }
    }

    #[test]
    fn shuffle_of_tiny_slices() {
        let mut rng = Rng::new(0);
        let mut empty: [u8; 0] = [];
        rng.shuffle(&mut empty);
        let mut one = [5];
        rng.shuffle(&mut one);
        assert_eq!(one, [5]);
    }

    #[test]
    fn normal_tails_and_symmetry() {
        let mut rng = Rng::new(8);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let beyond_2 = xs.iter().filter(|x| x.abs() > 2.0).count() as f64 / n as f64;
        // P(|Z| > 2) = 0.0455.
        assert!((beyond_2 - 0.0455).abs() < 0.004, "{beyond_2}");
        let positive = xs.iter().filter(|&&x| x > 0.0).count() as f64 / n as f64;
        assert!((positive - 0.5).abs() < 0.01, "{positive}");
        assert!(xs.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn clones_continue_identically() {
        let mut a = Rng::new(99);
        a.normal(); // leaves a spare normal in the state
        let mut b = a.clone();
        assert_eq!(a.normal(), b.normal());
        assert_eq!(a.next_u64(), b.next_u64());
    }
}
