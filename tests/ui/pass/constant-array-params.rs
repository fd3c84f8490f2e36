// Constant array parameters, `#[no_grad]` floats and integer slices, are read like active
// ones (indexing, `.len()`) but get no shadow, no tangent and no gradient.
use chainrule::prelude::*;

#[differentiable]
fn scaled(x: f64, #[no_grad] w: [f64; 2]) -> f64 {
    x * w[0] + w[1]
}

/// Gathers x[idx[0]]·x[idx[1]].
#[differentiable]
fn gather(x: &[f64], idx: &[usize]) -> f64 {
    x[idx[0]] * x[idx[1]]
}

fn main() {
    assert_eq!(scaled_grad(1.5, [2.0, 3.0]), (6.0, 2.0));
    assert_eq!(gather_grad(&[2.0, 3.0, 5.0], &[2, 0]), (10.0, vec![5.0, 0.0, 2.0]));
}
