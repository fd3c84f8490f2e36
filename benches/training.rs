//! Issue 4's benchmark: one SGD training step (forward, backward, update) of an MLP with a
//! sigmoid hidden layer, a sigmoid output and the lecture's E = Σ ½(t − o)², in f32, at three
//! sizes. Each criterion group holds the step through the runtime's generated layers
//! (`Sequential` of `Dense`, `Sgd`) and a hand-written step on the same GEMM, so the two are
//! measured in the same run. `python3 benches/ratios.py --training` prints generated/hand and
//! the GFLOP/s of each step; criterion's own "thrpt" line is the same GFLOP/s (one element
//! per floating-point operation of the matrix products).

use chainrule::layer::{Activation, Dense, Layer};
use chainrule::loss::f32::half_squared_error_vjp;
use chainrule::matmul::{Gemm, Strided, matmul};
use chainrule::model::Sequential;
use chainrule::optim::Sgd;
use chainrule::rng::Rng;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// Small enough that the weights drift slowly while criterion repeats the step thousands of
/// times: the sigmoids stay out of saturation, so every iteration does the same work.
const LEARNING_RATE: f32 = 0.01;

/// The logistic function as a hand-written step writes it: the plain formula, which
/// overflows nowhere that matters here (inputs stay small) and is the fastest form.
#[inline(always)]
fn plain_sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// A 2-layer perceptron trained by hand: what a careful engineer writes around a GEMM. One
/// forward pass that keeps the activations, δ = (o − t)·o(1 − o) at the output, each weight
/// gradient one GEMM with a transposed operand (no copies), the hidden adjoint only because
/// the hidden layer needs it (never the input's), and buffers allocated once.
struct Hand {
    inputs: usize,
    hidden: usize,
    outputs: usize,
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
    h: Vec<f32>,
    o: Vec<f32>,
    dh: Vec<f32>,
    d2: Vec<f32>,
    dw1: Vec<f32>,
    db1: Vec<f32>,
    dw2: Vec<f32>,
    db2: Vec<f32>,
}

fn rows(data: &[f32], cols: usize) -> Strided<'_, f32> {
    Strided { data, row: cols, col: 1 }
}

/// The transpose of a row-major matrix with `cols` columns, read in place.
fn transposed(data: &[f32], cols: usize) -> Strided<'_, f32> {
    Strided { data, row: 1, col: cols }
}

impl Hand {
    fn new(w1: Vec<f32>, b1: Vec<f32>, w2: Vec<f32>, b2: Vec<f32>, batch: usize) -> Hand {
        let (hidden, outputs) = (b1.len(), b2.len());
        let inputs = w1.len() / hidden;
        Hand {
            inputs,
            hidden,
            outputs,
            h: vec![0.0; batch * hidden],
            o: vec![0.0; batch * outputs],
            dh: vec![0.0; batch * hidden],
            d2: vec![0.0; batch * outputs],
            dw1: vec![0.0; w1.len()],
            db1: vec![0.0; hidden],
            dw2: vec![0.0; w2.len()],
            db2: vec![0.0; outputs],
            w1,
            b1,
            w2,
            b2,
        }
    }

    /// One step on a batch; returns the loss before the update.
    fn step(&mut self, x: &[f32], t: &[f32], batch: usize, lr: f32) -> f32 {
        let (ni, nh, no) = (self.inputs, self.hidden, self.outputs);
        matmul(x, &self.w1, &mut self.h, batch, ni, nh);
        for row in self.h.chunks_exact_mut(nh) {
            for (z, b) in row.iter_mut().zip(&self.b1) {
                *z = plain_sigmoid(*z + b);
            }
        }
        matmul(&self.h, &self.w2, &mut self.o, batch, nh, no);
        let mut loss = 0.0;
        for (r, (o_row, d_row)) in self.o.chunks_exact_mut(no).zip(self.d2.chunks_exact_mut(no)).enumerate() {
            for j in 0..no {
                let o = plain_sigmoid(o_row[j] + self.b2[j]);
                let e = o - t[r * no + j];
                loss += 0.5 * e * e;
                o_row[j] = o;
                d_row[j] = e * o * (1.0 - o);
            }
        }
        // dW2 = hᵀ·δ2, db2 = Σ_rows δ2, then the hidden adjoint δ2·W2ᵀ (before W2 changes).
        f32::gemm(nh, batch, no, 1.0, transposed(&self.h, nh), rows(&self.d2, no), 0.0, &mut self.dw2);
        column_sums(&self.d2, no, &mut self.db2);
        f32::gemm(batch, no, nh, 1.0, rows(&self.d2, no), transposed(&self.w2, no), 0.0, &mut self.dh);
        for (d, h) in self.dh.iter_mut().zip(&self.h) {
            *d *= h * (1.0 - h);
        }
        f32::gemm(ni, batch, nh, 1.0, transposed(x, ni), rows(&self.dh, nh), 0.0, &mut self.dw1);
        column_sums(&self.dh, nh, &mut self.db1);
        for (w, g) in
            [(&mut self.w1, &self.dw1), (&mut self.b1, &self.db1), (&mut self.w2, &self.dw2), (&mut self.b2, &self.db2)]
        {
            for (w, g) in w.iter_mut().zip(g.iter()) {
                *w -= lr * g;
            }
        }
        loss
    }
}

fn column_sums(m: &[f32], cols: usize, sums: &mut [f32]) {
    sums.fill(0.0);
    for row in m.chunks_exact(cols) {
        for (s, v) in sums.iter_mut().zip(row) {
            *s += v;
        }
    }
}

/// Floating-point operations of one step, 2·m·n·k per matrix product: forward x·W1 and h·W2;
/// backward hᵀ·δ2, δ2·W2ᵀ and xᵀ·δ1 (the input's adjoint is not computed).
fn flops(inputs: usize, hidden: usize, outputs: usize, batch: usize) -> u64 {
    let product = |m: usize, k: usize, n: usize| 2 * (m * k * n) as u64;
    let forward = product(batch, inputs, hidden) + product(batch, hidden, outputs);
    let backward = product(hidden, batch, outputs) + product(batch, outputs, hidden) + product(inputs, batch, hidden);
    forward + backward
}

fn generated_step(model: &mut Sequential<f32>, sgd: &mut Sgd<f32>, x: &[f32], t: &[f32], batch: usize) -> f32 {
    let loss = model.loss_and_gradient(x, batch, |out, dout| half_squared_error_vjp(out, dout, t, 1.0).0);
    model.step(sgd);
    loss
}

/// The hand-written step is only a fair baseline if it computes the same thing: after the same
/// steps from the same weights, both must hold the same weights (f32 sums of up to 784 terms
/// in different orders, so to 1e-5, not bit for bit).
fn check(
    name: &str,
    model: &mut Sequential<f32>,
    hand: &mut Hand,
    initial: [&[f32]; 4],
    x: &[f32],
    t: &[f32],
    batch: usize,
) {
    let mut sgd = Sgd::new(LEARNING_RATE);
    for step in 0..3 {
        let generated = generated_step(model, &mut sgd, x, t, batch);
        let by_hand = hand.step(x, t, batch, LEARNING_RATE);
        assert!(
            (generated - by_hand).abs() <= 1e-5 * generated.abs().max(1.0),
            "{name} step {step}: loss {generated} vs hand {by_hand}"
        );
    }
    let hand_params = [&hand.w1, &hand.b1, &hand.w2, &hand.b2];
    let params = model.parameters();
    assert_eq!(params.len(), hand_params.len(), "{name}: parameter tensors");
    for (p, h) in params.iter().zip(hand_params) {
        assert_eq!(p.values.len(), h.len(), "{name}: layer {} {}", p.layer, p.name);
        let worst = p.values.iter().zip(h).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(worst <= 1e-5, "{name}: layer {} {} differs from the hand-written step by {worst}", p.layer, p.name);
    }
    // The steps must have moved every tensor, or agreeing proves nothing.
    for (p, before) in params.iter().zip(initial) {
        assert!(p.values.iter().zip(before).any(|(a, b)| a != b), "{name}: layer {} {} did not move", p.layer, p.name);
    }
}

fn bench_size(c: &mut Criterion, inputs: usize, hidden: usize, outputs: usize, batch: usize) {
    let name = format!("training_{inputs}-{hidden}-{outputs}");
    let mut rng = Rng::new(42);
    let w1: Vec<f32> = chainrule::init::xavier_uniform(inputs, hidden, &mut rng);
    let w2: Vec<f32> = chainrule::init::xavier_uniform(hidden, outputs, &mut rng);
    let b1: Vec<f32> = (0..hidden).map(|_| rng.range(-0.1, 0.1) as f32).collect();
    let b2: Vec<f32> = (0..outputs).map(|_| rng.range(-0.1, 0.1) as f32).collect();
    let x: Vec<f32> = (0..batch * inputs).map(|_| rng.uniform() as f32).collect();
    let t: Vec<f32> = (0..batch * outputs).map(|_| rng.uniform() as f32).collect();

    let model = |w1: &[f32], b1: &[f32], w2: &[f32], b2: &[f32]| {
        let layers: Vec<Box<dyn Layer<f32>>> = vec![
            Box::new(Dense::from_parts(w1.to_vec(), b1.to_vec(), Activation::Sigmoid)),
            Box::new(Dense::from_parts(w2.to_vec(), b2.to_vec(), Activation::Sigmoid)),
        ];
        Sequential::new(layers)
    };
    let mut generated = model(&w1, &b1, &w2, &b2);
    let mut hand = Hand::new(w1.clone(), b1.clone(), w2.clone(), b2.clone(), batch);
    check(&name, &mut generated, &mut hand, [&w1, &b1, &w2, &b2], &x, &t, batch);

    let mut group = c.benchmark_group(&name);
    group.throughput(Throughput::Elements(flops(inputs, hidden, outputs, batch)));
    let mut sgd = Sgd::new(LEARNING_RATE);
    group.bench_function("generated", |b| {
        b.iter(|| generated_step(&mut generated, &mut sgd, black_box(&x), black_box(&t), batch))
    });
    group.bench_function("hand", |b| b.iter(|| hand.step(black_box(&x), black_box(&t), batch, LEARNING_RATE)));
    group.finish();
}

fn training(c: &mut Criterion) {
    bench_size(c, 2, 4, 1, 4);
    bench_size(c, 64, 32, 10, 32);
    bench_size(c, 784, 128, 10, 64);
}

criterion_group!(benches, training);
criterion_main!(benches);
