// A method of a struct field is called by its type's path (the field's type, which the call
// needs, is not written in the body): `m.line.eval(x)` is refused with that spelling.
use chainrule::prelude::*;

#[derive(Differentiable)]
struct Line {
    w: f64,
}

impl Line {
    #[differentiable]
    fn eval(&self, x: f64) -> f64 {
        self.w * x
    }
}

#[derive(Differentiable)]
struct Model {
    line: Line,
}

#[differentiable]
fn f(m: &Model, x: f64) -> f64 {
    m.line.eval(x) * x
}

fn main() {
    let _ = f_grad(&Model { line: Line { w: 1.0 } }, 2.0);
}
