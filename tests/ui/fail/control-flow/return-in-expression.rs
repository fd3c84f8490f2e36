// A `return` inside an expression (an `if` used as a `let`'s value) is refused: return from
// an `if` statement instead.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64) -> f64 {
    let y = if x < 0.0 { return 0.0; } else { x * x };
    y + 1.0
}

fn main() {
    let _ = f_grad(1.0);
}
