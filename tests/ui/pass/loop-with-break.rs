// `loop` left by a plain `break;` inside an `if`, and `continue;` skipping part of a `for`
// body: the statements after a `break`/`continue` only run on the iterations that reach
// them, in both modes.
use chainrule::prelude::*;

/// Doubles `x` until it exceeds `limit`; the number of doublings depends on `x`.
#[differentiable]
fn grow(x: f64, #[no_grad] limit: f64) -> f64 {
    let mut y = x;
    loop {
        if y > limit {
            break;
        }
        y *= 2.0;
    }
    y
}

/// Sums xᵏ over k in 0..n except multiples of 3; stops at the first k above `stop`.
#[differentiable]
fn skip(x: f64, n: usize, stop: usize) -> f64 {
    let mut s = 0.0;
    let mut p = 1.0;
    for k in 0..n {
        if k > stop {
            break;
        }
        let term = p;
        p *= x;
        if k % 3 == 0 {
            continue;
        }
        s += term;
    }
    s
}

fn main() {
    // 1.5 -> 3 -> 6 -> 12 > 10: y = 8x.
    assert_eq!(grow_grad(1.5, 10.0), (12.0, 8.0));
    assert_eq!(grow_vjp(1.5, 10.0, -1.0), (12.0, -8.0));
    assert_eq!(grow_jvp(1.5, 0.5, 10.0), (12.0, 4.0));
    // Already past the limit: no doubling.
    assert_eq!(grow_grad(20.0, 10.0), (20.0, 1.0));

    // k = 1, 2, 4, 5 survive (0 and 3 are skipped, 6.. is past `stop`):
    // s = x + x² + x⁴ + x⁵, s' = 1 + 2x + 4x³ + 5x⁴.
    let x = 2.0;
    assert_eq!(skip_grad(x, 10, 5), (54.0, 1.0 + 4.0 + 32.0 + 80.0));
    assert_eq!(skip_jvp(x, 1.0, 10, 5), (54.0, 117.0));
    // `n` cuts the loop before `stop` does: only k = 1, 2.
    assert_eq!(skip_grad(x, 3, 5), (6.0, 5.0));
}
