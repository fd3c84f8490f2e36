// The compact form accepts the same bodies as the attribute: `if` as an expression, a `for`
// loop over a constant range with a loop-carried `let mut`, and a `while` loop.
use chainrule::prelude::*;

differentiable_fns! {
    fn f(x, y) < x * y >
    fn g(x) < let mut y = x; for _ in 0..2 { y *= x; } y >
    fn h(x, y) < if x > y { x - y } else { (y - x) * 2.0 } >
    fn halve(x) < let mut z = x; while z > 1.0 { z *= 0.5; } z >
}

fn main() {
    assert_eq!(f_grad(1.0, 2.0), (2.0, (2.0, 1.0)));
    // g = x³.
    assert_eq!(g_grad(2.0), (8.0, 12.0));
    assert_eq!(g_jvp(2.0, 0.5), (8.0, 6.0));
    assert_eq!(h_grad(3.0, 1.0), (2.0, (1.0, -1.0)));
    assert_eq!(h_grad(1.0, 3.0), (4.0, (-2.0, 2.0)));
    // 5 -> 2.5 -> 1.25 -> 0.625: x / 8.
    assert_eq!(halve_grad(5.0), (0.625, 0.125));
}
