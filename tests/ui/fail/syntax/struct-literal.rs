// A struct literal is rejected on the literal.
use chainrule::prelude::*;

struct Point {
    x: f64,
    y: f64,
}

fn norm(p: Point) -> f64 {
    (p.x * p.x + p.y * p.y).sqrt()
}

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    norm(Point { x, y })
}

fn main() {
    let _ = f_grad(1.0, 2.0);
}
