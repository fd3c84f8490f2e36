// An unsupported construct in a compact-form body (here a closure) is reported on the
// construct, inside the macro call, and the other functions of the invocation still exist.
use chainrule::prelude::*;

differentiable_fns! {
    fn f(x, y) < x * y >
    fn g(x) < let square = |t: f64| t * t; square(x) >
}

fn main() {
    let _ = f_grad(1.0, 2.0);
    let _ = g_grad(1.0);
}
