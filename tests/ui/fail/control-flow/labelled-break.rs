// A labelled loop (to break out of nested loops) is rejected on the label, with the
// rewrite that needs no label.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, n: usize) -> f64 {
    let mut y = x;
    'outer: for i in 0..n {
        for j in 0..n {
            if i * j > 4 {
                break 'outer;
            }
            y *= x;
        }
    }
    y
}

fn main() {
    let _ = f_grad(1.0, 3);
}
