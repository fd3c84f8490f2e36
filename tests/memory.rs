//! The history reverse mode keeps between calls: pooled per thread up to a limit, freed on
//! request (`chainrule::memory`). Each test runs on its own thread, so sees its own pool.

use chainrule::memory;
use chainrule::prelude::*;

/// Keeps one float of history per iteration (`sin` is not recomputed in the adjoint).
#[differentiable]
fn orbit(x: f64, #[no_grad] n: usize) -> f64 {
    let mut y = x;
    for _ in 0..n {
        y = (y * 1.0001).sin() + 0.5;
    }
    y
}

const STEPS: usize = 200_000;

#[test]
fn a_gradient_leaves_its_history_pooled_until_released() {
    memory::release();
    assert_eq!(memory::kept(), 0);
    let first = orbit_grad(0.3, STEPS);
    let kept = memory::kept();
    assert!(kept >= STEPS * 8, "{kept} bytes kept for {STEPS} floats of history");
    // Called again, it takes the same buffer back: the pool does not grow.
    assert_eq!(orbit_grad(0.3, STEPS), first);
    assert_eq!(memory::kept(), kept);
    memory::release();
    assert_eq!(memory::kept(), 0);
    assert_eq!(orbit_grad(0.3, STEPS), first, "the same gradient from freshly allocated history");
}

#[test]
fn what_is_past_the_limit_is_freed_on_return() {
    memory::release();
    let pooled = orbit_grad(-0.7, STEPS);
    memory::release();
    let previous = memory::set_limit(64 * 1024);
    assert_eq!(previous, memory::DEFAULT_LIMIT);
    assert_eq!(orbit_grad(-0.7, STEPS), pooled);
    assert_eq!(memory::kept(), 0, "a 1.6 MB history is not kept under a 64 KiB limit");
    // A short loop's history fits and is kept.
    let _ = orbit_grad(-0.7, 100);
    assert!(memory::kept() > 0 && memory::kept() <= 64 * 1024, "{}", memory::kept());
    memory::set_limit(previous);
    assert_eq!(memory::limit(), memory::DEFAULT_LIMIT);
}

#[test]
fn a_lower_limit_frees_what_is_kept_now() {
    memory::release();
    let _ = orbit_grad(0.1, STEPS);
    assert!(memory::kept() > 0);
    let previous = memory::set_limit(0);
    assert_eq!(memory::kept(), 0);
    let _ = orbit_grad(0.1, 10);
    assert_eq!(memory::kept(), 0, "a limit of 0 keeps nothing");
    memory::set_limit(previous);
}
