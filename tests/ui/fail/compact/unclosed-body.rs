// A compact-form body without its closing `>` is rejected at the opening `<`.
use chainrule::prelude::*;

differentiable_fns! {
    fn f(x, y) < x * y
}

fn main() {
    let _ = f_grad(1.0, 2.0);
}
