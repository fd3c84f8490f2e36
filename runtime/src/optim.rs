//! Optimizers: given a parameter tensor and its gradient dE/dw, move the parameters downhill.
//!
//! A model calls [`Optimizer::update`] once per parameter tensor per step, passing a `slot`: a
//! small index that names the tensor for as long as training runs (its position in the model's
//! parameter list, say). Stateful optimizers keep their per-tensor state (velocity, moments)
//! under that slot, created the first time the slot is seen, so the optimizer needs no
//! registration step and no knowledge of the model.
//!
//! Weight decay is *decoupled* everywhere (Loshchilov and Hutter, 2019): the step is
//! w ← w − η·(d + λ·w), where d is the optimizer's direction (the gradient for SGD, the
//! velocity for momentum, m̂/(√v̂ + ε) for Adam) and λ the decay. For plain SGD this is the
//! same as adding λ‖w‖²/2 to the loss (L2); for momentum and Adam it is not, and decoupled
//! decay is the variant that regularises as intended (AdamW, SGDW). With λ = 0 the update is
//! exactly w ← w − η·d.

use crate::float::Float;

/// Something that updates parameters from their gradients.
///
/// # Panics
/// Implementations panic if `params` and `grads` differ in length, or if a slot is reused for
/// a tensor of a different length: both are bugs in the caller, not conditions to recover from.
///
/// ```
/// use chainrule_runtime::optim::{Optimizer, Sgd};
///
/// // Minimise (w - 3)² by gradient descent.
/// let mut opt = Sgd::new(0.1);
/// let mut w = [0.0f64];
/// for _ in 0..100 {
///     let grad = [2.0 * (w[0] - 3.0)];
///     opt.update(0, &mut w, &grad);
/// }
/// assert!((w[0] - 3.0).abs() < 1e-8);
/// ```
pub trait Optimizer<F: Float> {
    /// Applies one step to the tensor `params` with gradient `grads`; `slot` identifies the
    /// tensor across steps.
    fn update(&mut self, slot: usize, params: &mut [F], grads: &[F]);
    /// The current learning rate η.
    fn learning_rate(&self) -> F;
    /// Changes η from the next update on (for schedules); accumulated state is kept.
    fn set_learning_rate(&mut self, lr: F);
}

impl<F: Float, O: Optimizer<F> + ?Sized> Optimizer<F> for Box<O> {
    fn update(&mut self, slot: usize, params: &mut [F], grads: &[F]) {
        (**self).update(slot, params, grads)
    }
    fn learning_rate(&self) -> F {
        (**self).learning_rate()
    }
    fn set_learning_rate(&mut self, lr: F) {
        (**self).set_learning_rate(lr)
    }
}

fn check_lengths(params: usize, grads: usize) {
    assert_eq!(params, grads, "optimizer update: {params} parameters but {grads} gradients");
}

/// The state kept under `slot`, created by `make` on first use.
fn slot_state<S>(states: &mut Vec<Option<S>>, slot: usize, make: impl FnOnce() -> S) -> &mut S {
    if states.len() <= slot {
        states.resize_with(slot + 1, || None);
    }
    states[slot].get_or_insert_with(make)
}

fn check_slot_length(slot: usize, state: usize, params: usize) {
    assert_eq!(state, params, "optimizer slot {slot} held a tensor of {state} values, now given {params}");
}

/// Applies w ← w − η·(d + λ·w) to one value, skipping the decay term when λ = 0 so that the
/// plain update is bit-for-bit the textbook one.
#[inline]
fn step<F: Float>(w: &mut F, lr: F, direction: F, weight_decay: F) {
    if weight_decay > F::ZERO {
        *w -= lr * (direction + weight_decay * *w);
    } else {
        *w -= lr * direction;
    }
}

/// Stochastic gradient descent, exactly the lecture's w ← w − η·∂E/∂w (plus η·λ·w with
/// weight decay λ > 0). Stateless.
///
/// ```
/// use chainrule_runtime::optim::{Optimizer, Sgd};
/// let mut opt = Sgd::new(0.5);
/// let mut w = [0.40f64];
/// opt.update(0, &mut w, &[0.082167041]); // the lecture's ∂E/∂w5
/// assert!((w[0] - 0.35891648).abs() < 1e-8);
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<F> {
    /// Learning rate η.
    pub lr: F,
    /// Decoupled weight decay λ (0 for none).
    pub weight_decay: F,
}

impl<F: Float> Sgd<F> {
    /// SGD with learning rate `lr` and no weight decay.
    pub fn new(lr: F) -> Self {
        Sgd { lr, weight_decay: F::ZERO }
    }

    /// Sets the weight decay λ.
    pub fn with_weight_decay(mut self, weight_decay: F) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

impl<F: Float> Optimizer<F> for Sgd<F> {
    fn update(&mut self, _slot: usize, params: &mut [F], grads: &[F]) {
        check_lengths(params.len(), grads.len());
        for (w, &g) in params.iter_mut().zip(grads) {
            step(w, self.lr, g, self.weight_decay);
        }
    }
    fn learning_rate(&self) -> F {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: F) {
        self.lr = lr;
    }
}

/// SGD with (heavy-ball) momentum: v ← β·v + g; w ← w − η·v. The velocity v averages recent
/// gradients, so steps grow along directions that agree from step to step and cancel across
/// ones that oscillate. v starts at 0.
///
/// ```
/// use chainrule_runtime::optim::{Momentum, Optimizer};
/// let mut opt = Momentum::new(0.1, 0.9);
/// let mut w = [1.0f64];
/// opt.update(0, &mut w, &[1.0]); // v = 1
/// opt.update(0, &mut w, &[1.0]); // v = 1.9
/// assert!((w[0] - (1.0 - 0.1 - 0.19)).abs() < 1e-15);
/// ```
#[derive(Clone, Debug)]
pub struct Momentum<F> {
    /// Learning rate η.
    pub lr: F,
    /// Momentum coefficient β (0.9 is customary).
    pub beta: F,
    /// Decoupled weight decay λ (0 for none).
    pub weight_decay: F,
    velocity: Vec<Option<Vec<F>>>,
}

impl<F: Float> Momentum<F> {
    /// Momentum with learning rate `lr`, coefficient `beta` and no weight decay.
    pub fn new(lr: F, beta: F) -> Self {
        Momentum { lr, beta, weight_decay: F::ZERO, velocity: Vec::new() }
    }

    /// Sets the weight decay λ.
    pub fn with_weight_decay(mut self, weight_decay: F) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

impl<F: Float> Optimizer<F> for Momentum<F> {
    fn update(&mut self, slot: usize, params: &mut [F], grads: &[F]) {
        check_lengths(params.len(), grads.len());
        let v = slot_state(&mut self.velocity, slot, || vec![F::ZERO; params.len()]);
        check_slot_length(slot, v.len(), params.len());
        for ((w, &g), v) in params.iter_mut().zip(grads).zip(v.iter_mut()) {
            *v = self.beta * *v + g;
            step(w, self.lr, *v, self.weight_decay);
        }
    }
    fn learning_rate(&self) -> F {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: F) {
        self.lr = lr;
    }
}

/// Per-tensor Adam state: the moment estimates and the powers βᵗ for bias correction (kept per
/// tensor, so a tensor first updated late is corrected for its own step count).
#[derive(Clone, Debug)]
struct Moments<F> {
    m: Vec<F>,
    v: Vec<F>,
    beta1_t: F,
    beta2_t: F,
}

/// Adam (Kingma and Ba, 2015) with decoupled weight decay (AdamW):
///
/// m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ),
/// w ← w − η·(m̂/(√v̂ + ε) + λw).
///
/// The bias corrections undo the moments' start at 0, so the first step is about η·sign(g).
///
/// ```
/// use chainrule_runtime::optim::{Adam, Optimizer};
/// let mut opt = Adam::new(0.01f32).with_betas(0.9, 0.999).with_weight_decay(1e-4);
/// let mut w = [1.0f32, -1.0];
/// opt.update(0, &mut w, &[0.5, -3.0]);
/// assert!((w[0] - 0.99).abs() < 1e-5 && (w[1] + 0.99).abs() < 1e-5);
/// ```
#[derive(Clone, Debug)]
pub struct Adam<F> {
    /// Learning rate η.
    pub lr: F,
    /// Decay of the first-moment (mean) estimate, 0.9 by default.
    pub beta1: F,
    /// Decay of the second-moment (uncentred variance) estimate, 0.999 by default.
    pub beta2: F,
    /// Added to √v̂ to keep the step finite where gradients vanish, 1e-8 by default.
    pub eps: F,
    /// Decoupled weight decay λ (0 for none).
    pub weight_decay: F,
    moments: Vec<Option<Moments<F>>>,
}

impl<F: Float> Adam<F> {
    /// Adam with learning rate `lr` and the paper's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    pub fn new(lr: F) -> Self {
        Adam {
            lr,
            beta1: F::from_f64(0.9),
            beta2: F::from_f64(0.999),
            eps: F::from_f64(1e-8),
            weight_decay: F::ZERO,
            moments: Vec::new(),
        }
    }

    /// Sets β₁ and β₂.
    pub fn with_betas(mut self, beta1: F, beta2: F) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// Sets ε.
    pub fn with_eps(mut self, eps: F) -> Self {
        self.eps = eps;
        self
    }

    /// Sets the weight decay λ.
    pub fn with_weight_decay(mut self, weight_decay: F) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

impl<F: Float> Optimizer<F> for Adam<F> {
    fn update(&mut self, slot: usize, params: &mut [F], grads: &[F]) {
        check_lengths(params.len(), grads.len());
        let zeros = || vec![F::ZERO; params.len()];
        let s = slot_state(&mut self.moments, slot, || Moments {
            m: zeros(),
            v: zeros(),
            beta1_t: F::ONE,
            beta2_t: F::ONE,
        });
        check_slot_length(slot, s.m.len(), params.len());
        let (beta1, beta2) = (self.beta1, self.beta2);
        s.beta1_t *= beta1;
        s.beta2_t *= beta2;
        let correct1 = F::ONE / (F::ONE - s.beta1_t);
        let correct2 = F::ONE / (F::ONE - s.beta2_t);
        for (((w, &g), m), v) in params.iter_mut().zip(grads).zip(s.m.iter_mut()).zip(s.v.iter_mut()) {
            *m = beta1 * *m + (F::ONE - beta1) * g;
            *v = beta2 * *v + (F::ONE - beta2) * g * g;
            let direction = (*m * correct1) / ((*v * correct2).sqrt() + self.eps);
            step(w, self.lr, direction, self.weight_decay);
        }
    }
    fn learning_rate(&self) -> F {
        self.lr
    }
    fn set_learning_rate(&mut self, lr: F) {
        self.lr = lr;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgd_step_is_the_hand_formula_exactly() {
        let (lr, w0, g) = (0.37f64, [0.15, -2.5, 7.0], [0.3, 0.001, -4.25]);
        let mut w = w0;
        Sgd::new(lr).update(0, &mut w, &g);
        for i in 0..3 {
            assert_eq!(w[i], w0[i] - lr * g[i]);
        }
        let mut w32 = [0.15f32];
        Sgd::new(0.37f32).update(3, &mut w32, &[0.3]);
        assert_eq!(w32[0], 0.15f32 - 0.37f32 * 0.3f32);
    }

    #[test]
    fn sgd_weight_decay_adds_lr_times_decay_times_w() {
        let mut w = [2.0f64];
        Sgd::new(0.1).with_weight_decay(0.5).update(0, &mut w, &[1.0]);
        // 2 - 0.1 * (1 + 0.5 * 2) = 1.8
        assert!((w[0] - 1.8).abs() < 1e-15);
    }

    #[test]
    fn momentum_first_three_steps() {
        let mut opt = Momentum::new(0.1f64, 0.9);
        let mut w = [1.0, 0.0];
        let grads = [[1.0, -2.0], [0.5, 0.0], [-1.0, 1.0]];
        // v1 = g1; v2 = 0.9 v1 + g2; v3 = 0.9 v2 + g3, worked by hand:
        // w[0]: v = 1, 1.4, 0.26 -> w = 0.9, 0.76, 0.734
        // w[1]: v = -2, -1.8, -0.62 -> w = 0.2, 0.38, 0.442
        let expected = [[0.9, 0.2], [0.76, 0.38], [0.734, 0.442]];
        for (g, e) in grads.iter().zip(expected) {
            opt.update(0, &mut w, g);
            assert!((w[0] - e[0]).abs() < 1e-14 && (w[1] - e[1]).abs() < 1e-14, "{w:?} vs {e:?}");
        }
    }

    #[test]
    fn momentum_keeps_separate_velocity_per_slot() {
        let mut opt = Momentum::new(1.0f64, 0.5);
        let (mut a, mut b) = ([0.0], [0.0]);
        opt.update(0, &mut a, &[1.0]); // v_a = 1
        opt.update(1, &mut b, &[1.0]); // v_b = 1, not 1.5
        opt.update(0, &mut a, &[1.0]); // v_a = 1.5
        assert_eq!((a[0], b[0]), (-2.5, -1.0));
    }

    #[test]
    fn momentum_decay_is_decoupled() {
        let mut opt = Momentum::new(0.1f64, 0.9).with_weight_decay(0.5);
        let mut w = [2.0];
        opt.update(0, &mut w, &[1.0]); // v = 1; w = 2 - 0.1 (1 + 1) = 1.8
        opt.update(0, &mut w, &[1.0]); // v = 1.9 (decay not in v); w = 1.8 - 0.1 (1.9 + 0.9) = 1.52
        assert!((w[0] - 1.52).abs() < 1e-14, "{w:?}");
    }

    #[test]
    fn adam_first_three_steps() {
        let mut opt = Adam::new(0.1f64).with_betas(0.5, 0.75).with_eps(0.0);
        let mut w = [0.0];
        // Worked by hand with β₁ = 1/2, β₂ = 3/4 (exact in binary), ε = 0:
        // g = 2:  m = 1,    v = 1,      m̂ = 2,     v̂ = 4,        step 1        -> w = -0.1
        // g = -1: m = 0,    v = 1,      m̂ = 0,     v̂ = 16/7,     step 0        -> w = -0.1
        // g = 4:  m = 2,    v = 4.75,   m̂ = 16/7,  v̂ = 4.75·64/37, step (16/7)/√(304/37)
        let third = (16.0 / 7.0) / (304.0f64 / 37.0).sqrt();
        let expected = [-0.1, -0.1, -0.1 - 0.1 * third];
        for (g, e) in [2.0, -1.0, 4.0].into_iter().zip(expected) {
            opt.update(0, &mut w, &[g]);
            assert!((w[0] - e).abs() < 1e-15, "{} vs {e}", w[0]);
        }
    }

    #[test]
    fn adam_first_step_is_about_lr_times_sign() {
        let mut opt = Adam::new(0.01f32);
        let mut w = [0.0f32; 3];
        opt.update(0, &mut w, &[1e-3, -50.0, 0.0]);
        assert!((w[0] + 0.01).abs() < 1e-6 && (w[1] - 0.01).abs() < 1e-6 && w[2] == 0.0, "{w:?}");
    }

    #[test]
    fn adam_bias_correction_counts_steps_per_slot() {
        let mut opt = Adam::new(1.0f64).with_eps(0.0);
        let mut a = [0.0];
        for _ in 0..5 {
            opt.update(0, &mut a, &[1.0]);
        }
        // A slot seen for the first time still takes a full-size first step.
        let mut b = [0.0];
        opt.update(1, &mut b, &[3.0]);
        assert!((b[0] + 1.0).abs() < 1e-12, "{b:?}");
    }

    #[test]
    fn adam_minimises_a_quadratic() {
        // E(w) = Σ aᵢ (wᵢ − cᵢ)² with curvatures spanning four orders of magnitude; Adam's
        // per-coordinate scaling should handle them alike.
        let a = [0.01f64, 1.0, 100.0];
        let c = [3.0f64, -1.0, 0.5];
        let mut w = [0.0f64; 3];
        let mut opt = Adam::new(0.1);
        for epoch in 0..3000 {
            if epoch == 2000 {
                opt.set_learning_rate(0.01); // anneal to settle the last oscillations
            }
            let g: Vec<f64> = (0..3).map(|i| 2.0 * a[i] * (w[i] - c[i])).collect();
            opt.update(0, &mut w, &g);
        }
        for i in 0..3 {
            assert!((w[i] - c[i]).abs() < 1e-3, "{w:?}");
        }
    }

    #[test]
    fn learning_rate_can_change_mid_training() {
        let mut opt = Sgd::new(0.1f64);
        let mut w = [1.0];
        opt.update(0, &mut w, &[1.0]);
        opt.set_learning_rate(0.01);
        assert_eq!(opt.learning_rate(), 0.01);
        opt.update(0, &mut w, &[1.0]);
        assert_eq!(w[0], 1.0 - 0.1 - 0.01);

        // Momentum keeps its velocity across the change.
        let mut opt: Box<dyn Optimizer<f64>> = Box::new(Momentum::new(0.1, 0.5));
        let mut w = [0.0];
        opt.update(0, &mut w, &[1.0]); // v = 1, w = -0.1
        opt.set_learning_rate(1.0);
        opt.update(0, &mut w, &[1.0]); // v = 1.5, w = -1.6
        assert_eq!(opt.learning_rate(), 1.0);
        assert!((w[0] + 1.6).abs() < 1e-15);
    }

    #[test]
    #[should_panic(expected = "2 parameters but 1 gradients")]
    fn mismatched_lengths_panic() {
        Sgd::new(0.1f64).update(0, &mut [0.0, 0.0], &[1.0]);
    }

    #[test]
    #[should_panic(expected = "slot 0 held a tensor of 2 values, now given 3")]
    fn reusing_a_slot_for_another_shape_panics() {
        let mut opt = Adam::new(0.1f64);
        opt.update(0, &mut [0.0; 2], &[1.0; 2]);
        opt.update(0, &mut [0.0; 3], &[1.0; 3]);
    }
}
