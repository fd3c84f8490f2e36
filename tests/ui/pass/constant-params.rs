// Constant parameters pass through every companion without a gradient or tangent slot:
// integers (`i32`, `usize`), `bool`, `char`, and an `f64` marked `#[no_grad]`.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, n: i32, k: usize, #[no_grad] scale: f64, flag: bool, c: char) -> f64 {
    let bonus = (flag as u8 as f64) + (c as u32 as f64);
    scale * x.powi(n) + (k as f64) * x + bonus
}

fn main() {
    // f = 2x³ + 4x + 1 + 97 ('a'); df/dx = 6x² + 4.
    assert_eq!(f_grad(2.0, 3, 4, 2.0, true, 'a'), (122.0, 28.0));
    assert_eq!(f_vjp(2.0, 3, 4, 2.0, true, 'a', 0.5), (122.0, 14.0));
    assert_eq!(f_jvp(2.0, 2.0, 3, 4, 2.0, false, 'a'), (121.0, 56.0));
    // The plain function is still callable with its own signature.
    assert_eq!(f(2.0, 3, 4, 2.0, true, 'a'), 122.0);
}
