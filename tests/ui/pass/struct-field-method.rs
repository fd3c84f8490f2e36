// A method of a struct field, called with method syntax (`m.line.eval(x)`): the field's
// type is not written in the body, and the call differentiates through it in both modes.
#![deny(warnings)]
use chainrule::prelude::*;

#[derive(Differentiable)]
struct Line {
    w: f64,
    b: f64,
}

impl Line {
    #[differentiable]
    fn eval(&self, x: f64) -> f64 {
        self.w * x + self.b
    }
}

#[derive(Differentiable)]
struct Model {
    line: Line,
    scale: f64,
}

#[differentiable]
fn f(m: &Model, x: f64) -> f64 {
    m.line.eval(x) * x * m.scale
}

fn main() {
    let m = Model { line: Line { w: 2.0, b: 0.5 }, scale: 3.0 };
    let (value, (dm, dx)) = f_grad(&m, 2.0);
    // f = (w x + b) x s = (4.5) 2 3.
    assert_eq!(value, 27.0);
    // ∂/∂w = x² s, ∂/∂b = x s, ∂/∂s = (w x + b) x, ∂/∂x = (2 w x + b) s.
    assert_eq!((dm.line.w, dm.line.b, dm.scale, dx), (12.0, 6.0, 9.0, 25.5));
    let dir = Model { line: Line { w: 1.0, b: 0.0 }, scale: 0.0 };
    assert_eq!(f_jvp(&m, &dir, 2.0, 0.0).1, 12.0);
}
