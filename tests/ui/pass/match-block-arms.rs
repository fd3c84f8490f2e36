//! Issue 3: `match` as a statement. Its arms are written as blocks of statements, the way
//! rustfmt writes any arm longer than one expression; `_ => {}` does nothing.
use chainrule::prelude::*;

#[differentiable]
fn square_if_zero(x: f64, k: usize) -> f64 {
    let mut y = x;
    match k {
        0 => {
            y = y * y;
        }
        _ => {}
    }
    y
}

fn main() {
    assert_eq!(square_if_zero_grad(3.0, 0), (9.0, 6.0));
    assert_eq!(square_if_zero_grad(3.0, 1), (3.0, 1.0));
}
