// `#[derivative]` gives a function hand-written partials: its body stays opaque (here a
// loop and an `if`, which `#[differentiable]` would reject), `output = name` names the
// result inside the partials, a `#[no_grad]` parameter needs no partial, and
// `#[differentiable]` code calls it like any other function.
use chainrule::prelude::*;

#[derivative(x = 3.0 * x * x)]
fn cube(x: f64) -> f64 {
    let mut r = 1.0;
    for _ in 0..3 {
        r *= x;
    }
    r
}

#[derivative(x = y, output = y)]
fn my_exp(x: f64) -> f64 {
    x.exp()
}

#[derivative(x = if x > 0.0 { 1.0 } else { slope })]
fn leaky(x: f64, #[no_grad] slope: f64) -> f64 {
    if x > 0.0 { x } else { slope * x }
}

#[derivative(x = y, y = x)]
fn product(x: f64, y: f64) -> f64 {
    x * y
}

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    cube(x) + product(x, y) + leaky(y, 0.1) + my_exp(0.0 * x)
}

fn main() {
    assert_eq!(cube_grad(2.0), (8.0, 12.0));
    assert_eq!(cube_jvp(2.0, 0.5), (8.0, 6.0));
    assert_eq!(my_exp_grad(0.0), (1.0, 1.0));
    assert_eq!(leaky_grad(-2.0, 0.1), (-0.2, 0.1));
    assert_eq!(product_grad(3.0, 4.0), (12.0, (4.0, 3.0)));
    assert_eq!(product_vjp(3.0, 4.0, 2.0), (12.0, (8.0, 6.0)));
    // f = x³ + xy + leaky(y) + e^0: df/dx = 3x² + y + 0·1, df/dy = x + 0.1 (y < 0).
    assert_eq!(f_grad(2.0, -10.0), (8.0 - 20.0 - 1.0 + 1.0, (2.0, 2.1)));
    assert_eq!(f_jvp(2.0, 1.0, -10.0, 0.0), (-12.0, 2.0));
}
