// Arrays nest two deep (rows, `[[f64; N]; M]`): a third level is refused on its type.
use chainrule::prelude::*;

#[differentiable]
fn f(m: [[[f64; 2]; 2]; 2]) -> f64 {
    m[0][0][0] * m[1][1][1]
}

fn main() {
    let _ = f_grad(&[[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]]]);
}
