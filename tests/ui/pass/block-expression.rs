// Blocks as expressions and as statements: a block's locals stay inside it (the inner `a`
// must not leak), while a reassignment inside a block updates the outer variable.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    let a = {
        let t = x * y;
        t + x
    };
    let mut s = a;
    {
        let a = a * 10.0;
        s += a;
    }
    s + { a * y }
}

fn main() {
    // a = xy + x and f = a(11 + y): df/dx = (y + 1)(11 + y), df/dy = x(11 + y) + a.
    assert_eq!(f_grad(2.0, 3.0), (112.0, (56.0, 36.0)));
    assert_eq!(f_jvp(2.0, 1.0, 3.0, 1.0), (112.0, 92.0));
}
