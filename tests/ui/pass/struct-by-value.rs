// A struct parameter taken by value: a differentiable struct because the body reads its
// fields. The companions borrow it (`loss_grad(&m, x)`), so a gradient step can update the
// model afterwards; calls pass it on whole to functions that take it by value too.
use chainrule::prelude::*;

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Line {
    slope: f64,
    offset: f64,
}

#[differentiable]
fn predict(l: Line, x: f64) -> f64 {
    l.slope * x + l.offset
}

#[differentiable]
fn loss(l: Line, x: f64, #[no_grad] y: f64) -> f64 {
    let e = predict(l, x) - y;
    e * e
}

fn main() {
    let mut l = Line { slope: 2.0, offset: 0.5 };
    // e = 2 · 1 + 0.5 − 1 = 1.5: ∂/∂slope = 2 e x = 3, ∂/∂offset = 2 e = 3, ∂/∂x = 2 e · 2 = 6.
    let (value, (g, dx)) = loss_grad(&l, 1.0, 1.0);
    assert_eq!((value, g.clone(), dx), (2.25, Line { slope: 3.0, offset: 3.0 }, 6.0));
    l.add_scaled(-0.1, &g);
    assert!(loss(l.clone(), 1.0, 1.0) < 2.25);
}
