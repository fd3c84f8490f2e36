// A parameter named twice: one error of ours beside rustc's, none about generated code.
use chainrule::prelude::*;

differentiable_fns! {
    fn f(x, x) < x * x >
}

fn main() {}
