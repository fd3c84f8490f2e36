//! The training pass on two threads: the batch split in two parts of whole rows, each part's
//! forward and backward pass on its own thread with its own buffers, and the loss once, on
//! the calling thread, over the whole batch's output between them (so a loss that reads the
//! whole batch, a mean, sees what it sees on one thread). The two parts' gradients are then
//! added. Data parallelism rather than splitting each matrix product: two independent
//! products keep both cores busy, where halves of one product each pack the whole other
//! operand.
//!
//! The second thread is the model's own, started by `set_threads(2)` (see `worker`). The
//! threads meet twice, around the loss. A thread that panics (the user's loss, say)
//! poisons the meeting point, so that the other panics too instead of waiting forever.

use super::worker::Worker;
use super::{Sequential, Workspace, train};
use crate::layer::Real;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The fewest rows each thread takes: below twice this, the pass stays on one thread.
pub(super) const MIN_ROWS: usize = 16;

impl<F: Real> Sequential<F> {
    /// How many threads [`Sequential::loss_and_gradient`] (and so [`fit`]) uses: 1 (the
    /// default) or 2. On two threads a batch of at least 32 rows is split in two; the loss
    /// still runs once over the whole batch, on the calling thread, and the gradients are the
    /// sum of the two halves' (equal to one thread's up to the rounding of that sum).
    ///
    /// # Panics
    /// If `threads` is not 1 or 2.
    ///
    /// ```
    /// use chainrule_runtime::layer::Activation;
    /// use chainrule_runtime::model::Sequential;
    /// use chainrule_runtime::rng::Rng;
    /// let mut model = Sequential::<f64>::mlp(&[3, 8, 2], Activation::Tanh, Activation::Identity, &mut Rng::new(3));
    /// let x: Vec<f64> = (0..3 * 64).map(|i| (i as f64 * 0.37).sin()).collect();
    /// let loss = |out: &[f64], dout: &mut [f64]| {
    ///     dout.copy_from_slice(out);
    ///     out.iter().map(|o| 0.5 * o * o).sum::<f64>()
    /// };
    /// let one = model.loss_and_gradient(&x, 64, loss);
    /// let g1: Vec<f64> = model.parameters().iter().flat_map(|p| p.gradient.to_vec()).collect();
    /// model.set_threads(2);
    /// let two = model.loss_and_gradient(&x, 64, loss);
    /// let g2: Vec<f64> = model.parameters().iter().flat_map(|p| p.gradient.to_vec()).collect();
    /// assert_eq!(one, two);
    /// assert!(g1.iter().zip(&g2).all(|(a, b)| (a - b).abs() <= 1e-12 * (1.0 + a.abs())));
    /// ```
    ///
    /// [`fit`]: crate::train::fit
    #[track_caller]
    pub fn set_threads(&mut self, threads: usize) {
        assert!(matches!(threads, 1 | 2), "Sequential::set_threads: {threads} threads; 1 or 2 are supported");
        self.threads = threads;
        if threads > 1 && self.helper.outputs.is_empty() {
            self.helper = Workspace::new(&self.layers);
        }
        // The second thread lives as long as the model uses it.
        match threads {
            1 => self.worker = None,
            _ => {
                self.worker.get_or_insert_with(Worker::new);
            }
        }
    }

    /// The number of threads the training pass uses (see [`Sequential::set_threads`]).
    ///
    /// ```
    /// use chainrule_runtime::layer::Activation;
    /// use chainrule_runtime::model::Sequential;
    /// use chainrule_runtime::rng::Rng;
    /// let mut model = Sequential::<f32>::mlp(&[2, 3, 1], Activation::Relu, Activation::Identity, &mut Rng::new(0));
    /// assert_eq!(model.threads(), 1);
    /// model.set_threads(2);
    /// assert_eq!(model.threads(), 2);
    /// ```
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// [`Sequential::loss_and_gradient`] with the batch split across two threads (see the
    /// module doc); shapes are checked by the caller.
    pub(super) fn split_pass(&mut self, x: &[F], batch: usize, loss: impl FnOnce(&[F], &mut [F]) -> F) -> F {
        let (inputs, outputs) = (self.inputs(), self.outputs());
        let first = batch / 2;
        let (x0, x1) = x.split_at(first * inputs);
        let rest = batch - first;
        // The whole batch's output and its adjoint, each thread's rows copied in and out.
        let whole = Mutex::new((vec![F::ZERO; batch * outputs], vec![F::ZERO; batch * outputs]));
        let meet = Meeting::new(2);
        let split = first * outputs;
        let (layers, work, helper) = (&self.layers, &mut self.work, &mut self.helper);
        let worker = self.worker.as_ref().expect("a model on two threads has its second thread");
        // The gradients are summed on both cores: this thread adds the first halves of the
        // helper's tensors into its own, the helper the second halves.
        let mine: Mutex<Vec<&mut [F]>> = Mutex::default();
        let theirs: Mutex<Vec<&[F]>> = Mutex::default();
        let mut value = None;
        let (whole, meet, mine, theirs) = (&whole, &meet, &mine, &theirs);
        let value_of_loss = &mut value;
        worker.scope(
            move || {
                let _guard = meet.guard();
                helper.prepare(layers, rest);
                train(layers, x1, rest, helper.buffers(), &mut [], &mut |out, dout| {
                    lock(whole).0[split..].copy_from_slice(out);
                    meet.wait();
                    meet.wait();
                    dout.copy_from_slice(&lock(whole).1[split..]);
                });
                let helper: &Workspace<F> = helper;
                let (firsts, seconds): (Vec<&[F]>, Vec<&[F]>) =
                    helper.gradients.iter().flatten().map(|h| h.split_at(h.len() / 2)).unzip();
                lock(theirs).extend(firsts);
                meet.wait();
                add_into(&mut lock(mine), &seconds);
            },
            move || {
                let _guard = meet.guard();
                let work = work;
                work.prepare(layers, first);
                let mut loss = Some(loss);
                train(layers, x0, first, work.buffers(), &mut [], &mut |out, dout| {
                    lock(whole).0[..split].copy_from_slice(out);
                    meet.wait();
                    let mut guard = lock(whole);
                    let (output, doutput) = &mut *guard;
                    *value_of_loss = Some((loss.take().expect("the loss runs once"))(output, doutput));
                    drop(guard);
                    meet.wait();
                    dout.copy_from_slice(&lock(whole).1[..split]);
                });
                let (mut firsts, seconds): (Vec<&mut [F]>, Vec<&mut [F]>) = work
                    .gradients
                    .iter_mut()
                    .flatten()
                    .map(|g| {
                        let half = g.len() / 2;
                        g.split_at_mut(half)
                    })
                    .unzip();
                lock(mine).extend(seconds);
                meet.wait();
                add_into(&mut firsts, &lock(theirs));
            },
        );
        // Every layer's output over the whole batch stays available, as on one thread.
        for (out, rest) in self.work.outputs.iter_mut().zip(&self.helper.outputs) {
            out.extend_from_slice(rest);
        }
        value.expect("the loss ran")
    }
}

/// `a += b`, tensor by tensor.
fn add_into<F: Real>(into: &mut [&mut [F]], from: &[&[F]]) {
    for (a, b) in into.iter_mut().zip(from) {
        for (x, y) in a.iter_mut().zip(b.iter()) {
            *x += *y;
        }
    }
}

/// The data behind a mutex, whether or not another thread panicked holding it (the meeting
/// is poisoned then, and this thread panics at its next wait).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A barrier that a panicking thread poisons (`std::sync::Barrier` would leave the others
/// waiting forever). A waiting thread spins a little before it sleeps: the two halves arrive
/// within microseconds of each other, and waking a sleeping thread costs more than that.
struct Meeting {
    /// Threads arrived, the meeting's generation, and whether a thread panicked.
    state: Mutex<(usize, usize, bool)>,
    all_here: Condvar,
    parties: usize,
    /// The generation, readable without the lock while spinning.
    passed: AtomicUsize,
}

/// How long a waiting thread spins before it sleeps.
const SPIN: Duration = Duration::from_micros(50);

impl Meeting {
    fn new(parties: usize) -> Self {
        Meeting { state: Mutex::new((0, 0, false)), all_here: Condvar::new(), parties, passed: AtomicUsize::new(0) }
    }

    /// Waits until every party has arrived.
    ///
    /// # Panics
    /// If another party panicked.
    fn wait(&self) {
        let mut state = lock(&self.state);
        let generation = state.1;
        state.0 += 1;
        if state.0 == self.parties {
            state.0 = 0;
            state.1 += 1;
            self.passed.store(state.1, Ordering::Release);
            self.all_here.notify_all();
        } else {
            drop(state);
            let start = Instant::now();
            while self.passed.load(Ordering::Acquire) == generation && start.elapsed() < SPIN {
                for _ in 0..32 {
                    std::hint::spin_loop();
                }
            }
            state = lock(&self.state);
        }
        while state.1 == generation && !state.2 {
            state = self.all_here.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        assert!(!state.2, "the other thread of the training pass panicked");
    }

    /// Poisons the meeting if the thread holding it unwinds.
    fn guard(&self) -> Guard<'_> {
        Guard(self)
    }
}

struct Guard<'m>(&'m Meeting);

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(&self.0.state).2 = true;
            self.0.all_here.notify_all();
        }
    }
}
