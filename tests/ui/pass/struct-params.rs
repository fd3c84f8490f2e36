// A struct that derives `Differentiable`, taken by reference and read by field: its
// gradient is a value of the same type, which an optimizer step adds into the model.
use chainrule::prelude::*;

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Line {
    w: [f64; 2],
    b: f64,
}

#[differentiable]
fn error(p: &Line, x: &[f64], #[no_grad] y: f64) -> f64 {
    let e = p.w[0] * x[0] + p.w[1] * x[1] + p.b - y;
    e * e
}

fn main() {
    let mut p = Line { w: [0.0, 0.0], b: 0.0 };
    let (e, (g, _)) = error_grad(&p, &[1.0, 2.0], 3.0);
    assert_eq!((e, g.clone()), (9.0, Line { w: [-6.0, -12.0], b: -6.0 }));
    for _ in 0..200 {
        let (_, (g, _)) = error_grad(&p, &[1.0, 2.0], 3.0);
        p.add_scaled(-0.05, &g);
    }
    assert!(error(&p, &[1.0, 2.0], 3.0) < 1e-12);
}
