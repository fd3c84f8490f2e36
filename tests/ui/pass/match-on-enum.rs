// `match` on a constant enum without `PartialEq`: arms are pattern tests (`matches!`), not
// `==`, so its unit variants can be matched; `matches!` itself is a constant `bool` too.
use chainrule::prelude::*;

#[derive(Clone, Copy)]
enum Activation {
    Linear,
    Square,
    Cube,
}

#[differentiable]
fn activate(x: f64, #[no_grad] a: Activation) -> f64 {
    let y = match a {
        Activation::Linear => x,
        Activation::Square => x * x,
        Activation::Cube => x * x * x,
    };
    if matches!(a, Activation::Linear | Activation::Cube) { y + 1.0 } else { y }
}

fn main() {
    assert_eq!(activate_grad(2.0, Activation::Linear), (3.0, 1.0));
    assert_eq!(activate_grad(2.0, Activation::Square), (4.0, 4.0));
    assert_eq!(activate_grad(2.0, Activation::Cube), (9.0, 12.0));
    assert_eq!(activate_jvp(2.0, 1.0, Activation::Cube), (9.0, 12.0));
}
