//! Issue 15's two-core benchmark: one SGD step (forward, backward, update) of a 784-128-10
//! MLP at batch 256, f32, through the runtime's `Sequential`, on one thread and on two
//! (`Sequential::set_threads(2)`: the batch split in two halves, see
//! `runtime/src/model/parallel.rs`), in one criterion group.
//! `python3 benches/ratios.py --threads` prints one/two (the speed-up; target ≥ 1.6).
//!
//! `ceiling`: two independent models, each passing one half of the batch on its own thread
//! with no synchronisation at all (the pass only, no step), the threads started for each
//! pass (`std::thread::scope`), about 60 µs here. The model keeps its second thread (see
//! `runtime/src/model/worker.rs`), so it can beat this "ceiling" by about that much.

use chainrule::layer::Activation;
use chainrule::loss::f32::half_squared_error_vjp;
use chainrule::model::Sequential;
use chainrule::optim::Sgd;
use chainrule::rng::Rng;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const BATCH: usize = 256;

fn step(model: &mut Sequential<f32>, sgd: &mut Sgd<f32>, x: &[f32], t: &[f32]) -> f32 {
    let loss = model.loss_and_gradient(x, BATCH, |out, dout| half_squared_error_vjp(out, dout, t, 1.0).0);
    model.step(sgd);
    loss
}

fn threads(c: &mut Criterion) {
    let mut rng = Rng::new(7);
    let x: Vec<f32> = (0..BATCH * 784).map(|_| rng.uniform() as f32).collect();
    let t: Vec<f32> = (0..BATCH * 10).map(|_| rng.uniform() as f32).collect();
    let net = || Sequential::<f32>::mlp(&[784, 128, 10], Activation::Sigmoid, Activation::Identity, &mut Rng::new(1));
    let (mut one, mut two) = (net(), net());
    two.set_threads(2);
    // The same steps from the same weights: the same losses, up to the rounding of the two
    // halves' gradient sum.
    let (mut sgd1, mut sgd2) = (Sgd::new(0.01), Sgd::new(0.01));
    for _ in 0..3 {
        let (a, b) = (step(&mut one, &mut sgd1, &x, &t), step(&mut two, &mut sgd2, &x, &t));
        assert!((a - b).abs() <= 1e-4 * a.abs().max(1.0), "one thread {a}, two {b}");
    }
    let mut group = c.benchmark_group("threads_784-128-10");
    group.bench_function("one", |b| b.iter(|| step(&mut one, &mut sgd1, black_box(&x), black_box(&t))));
    group.bench_function("two", |b| b.iter(|| step(&mut two, &mut sgd2, black_box(&x), black_box(&t))));
    let (mut left, mut right) = (net(), net());
    let half = BATCH / 2;
    let pass = |m: &mut Sequential<f32>, x: &[f32], t: &[f32]| {
        m.loss_and_gradient(x, half, |out, dout| half_squared_error_vjp(out, dout, t, 1.0).0)
    };
    group.bench_function("ceiling", |b| {
        b.iter(|| {
            std::thread::scope(|scope| {
                scope.spawn(|| pass(&mut right, black_box(&x[half * 784..]), &t[half * 10..]));
                pass(&mut left, black_box(&x[..half * 784]), &t[..half * 10])
            })
        })
    });
    group.finish();
}

criterion_group!(benches, threads);
criterion_main!(benches);
