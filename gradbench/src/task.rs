//! A function of an eval, ready to run on its parsed input: run as many times as the eval
//! asks (`min_runs`, `min_seconds`), each run timed alone, its output turned into JSON after
//! the clock stops.

use crate::json::{Json, ToJson};
use std::time::Instant;

pub trait Task {
    /// The last run's output and every run's time in nanoseconds.
    fn measure(&mut self, min_runs: usize, min_seconds: f64) -> (Json, Vec<u64>);
}

/// Runs `f` until both `min_runs` and `min_seconds` are reached, as GradBench's C++ loop
/// does: `for (i = 0; i < min_runs || elapsed < min_seconds; i++)`.
fn repeat<O>(min_runs: usize, min_seconds: f64, mut f: impl FnMut() -> O) -> (O, Vec<u64>) {
    let (mut times, mut elapsed) = (Vec::new(), 0.0);
    loop {
        let start = Instant::now();
        let out = std::hint::black_box(f());
        let ns = start.elapsed().as_nanos() as u64;
        times.push(ns);
        elapsed += ns as f64 * 1e-9;
        if times.len() >= min_runs.max(1) && elapsed >= min_seconds {
            return (out, times);
        }
    }
}

impl<O: ToJson, F: FnMut() -> O> Task for F {
    fn measure(&mut self, min_runs: usize, min_seconds: f64) -> (Json, Vec<u64>) {
        let (out, times) = repeat(min_runs, min_seconds, self);
        (out.to_json(), times)
    }
}

/// A function that writes its output into a buffer it is given, as the C++ tools write into
/// theirs: the buffer is allocated once, not per run.
struct Buffered<B, F> {
    buffer: B,
    run: F,
}

impl<B: ToJson, F: FnMut(&mut B)> Task for Buffered<B, F> {
    fn measure(&mut self, min_runs: usize, min_seconds: f64) -> (Json, Vec<u64>) {
        let Buffered { buffer, run } = self;
        let ((), times) = repeat(min_runs, min_seconds, || run(buffer));
        (buffer.to_json(), times)
    }
}

pub fn into_buffer<B: ToJson + 'static>(buffer: B, run: impl FnMut(&mut B) + 'static) -> Boxed {
    Box::new(Buffered { buffer, run })
}

/// A task, boxed: what `evals::prepare` returns for any eval.
pub type Boxed = Box<dyn Task>;

pub fn boxed<O: ToJson + 'static>(f: impl FnMut() -> O + 'static) -> Boxed {
    Box::new(f)
}
