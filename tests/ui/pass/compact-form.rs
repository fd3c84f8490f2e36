// The compact form: several functions in one `differentiable_fns!`, plain, `pub`, prefixed
// with `#[differentiable]` (bare and with renaming arguments) and documented; a body of
// `let` bindings then an expression; functions calling each other.
use chainrule::prelude::*;

differentiable_fns! {
    fn f(x, y, z) < let q = x + y; q * z >

    /// The square, documented like any function.
    pub fn square(x) < x * x >

    #[differentiable]
    pub fn g(x, y) < square(x) + f(x, y, 2.0) >

    #[differentiable(grad = h_gradient)]
    fn h(x) < g(x, 1.0).sqrt() >
}

fn main() {
    // The lecture's circuit: f(-2, 5, -4) = -12 with gradient (-4, -4, 3).
    assert_eq!(f_grad(-2.0, 5.0, -4.0), (-12.0, (-4.0, -4.0, 3.0)));
    assert_eq!(f_jvp(-2.0, 1.0, 5.0, 0.0, -4.0, 0.0), (-12.0, -4.0));
    assert_eq!(square_grad(3.0), (9.0, 6.0));
    // g = x² + 2(x + y): dg/dx = 2x + 2, dg/dy = 2.
    assert_eq!(g_grad(3.0, 1.0), (17.0, (8.0, 2.0)));
    // h = sqrt(x² + 2x + 2) at x = 1: sqrt(5), slope (x + 1) / sqrt(5).
    let (value, slope) = h_gradient(1.0);
    assert!((value - 5f64.sqrt()).abs() < 1e-15);
    assert!((slope - 2.0 / 5f64.sqrt()).abs() < 1e-15);
    assert_eq!(h_vjp(1.0, 1.0), (value, slope));
}
