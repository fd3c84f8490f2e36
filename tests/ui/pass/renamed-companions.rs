// `#[differentiable(grad = .., vjp = .., jvp = ..)]` renames the companions; each argument
// may be given alone, and the others keep their default names.
use chainrule::prelude::*;

#[differentiable(grad = gradient_of_f, vjp = pullback_of_f, jvp = pushforward_of_f)]
fn f(x: f64, y: f64) -> f64 {
    x * y
}

#[differentiable(jvp = g_forward)]
fn g(x: f64) -> f64 {
    f(x, x)
}

fn main() {
    assert_eq!(gradient_of_f(2.0, 3.0), (6.0, (3.0, 2.0)));
    assert_eq!(pullback_of_f(2.0, 3.0, 2.0), (6.0, (6.0, 4.0)));
    assert_eq!(pushforward_of_f(2.0, 1.0, 3.0, 1.0), (6.0, 5.0));
    // Calls go through the protocol, not through the renamed companions.
    assert_eq!(g_grad(3.0), (9.0, 6.0));
    assert_eq!(g_vjp(3.0, -1.0), (9.0, -6.0));
    assert_eq!(g_forward(3.0, 1.0), (9.0, 6.0));
}
