// Methods: `&self` or `self` of a differentiable struct, associated functions, and calls
// between them (`self.helper(x)`, `Self::helper(x)`, `m.method(x)` from a free function). The
// companions are associated functions too: `m.loss_grad(x)`, `Model::square_grad(x)`; they
// borrow a `self` taken by value.
use chainrule::prelude::*;

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Model {
    w: [f64; 2],
}

impl Model {
    #[differentiable]
    fn square(x: f64) -> f64 {
        x * x
    }

    #[differentiable]
    fn predict(&self, x: f64) -> f64 {
        self.w[0] * x + self.w[1]
    }

    #[differentiable]
    fn loss(&self, x: f64) -> f64 {
        Self::square(self.predict(x) - 1.0)
    }

    #[differentiable]
    fn consumed(self, x: f64) -> f64 {
        self.loss(x) * self.w[0]
    }
}

#[differentiable]
fn total(m: &Model, x: f64) -> f64 {
    m.loss(x) + Model::square(x)
}

fn main() {
    assert_eq!(Model::square_grad(3.0), (9.0, 6.0));
    let m = Model { w: [2.0, 0.5] };
    // loss = (2x + 0.5 − 1)² at x = 1: 2.25; ∂/∂w = 2 · 1.5 · (x, 1).
    let (value, (g, dx)) = m.loss_grad(1.0);
    assert_eq!((value, g, dx), (2.25, Model { w: [3.0, 3.0] }, 6.0));
    let (value, (g, dx)) = total_grad(&m, 1.0);
    assert_eq!((value, g, dx), (3.25, Model { w: [3.0, 3.0] }, 8.0));
    let t = Model { w: [1.0, 0.0] };
    assert_eq!(m.loss_jvp(&t, 1.0, 0.0), (2.25, 3.0));
    // consumed = loss · w₀ = 2.25 · 2; ∂/∂w₀ = 3 · 2 + 2.25.
    let (value, (g, dx)) = m.consumed_grad(1.0);
    assert_eq!((value, g, dx), (4.5, Model { w: [8.25, 6.0] }, 12.0));
    assert_eq!(m.clone().consumed(1.0), 4.5);
}
