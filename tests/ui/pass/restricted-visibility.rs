// The companions get the function's visibility: `pub(crate)` and `pub(super)` functions in
// a nested module are reachable (with their companions) from where the function is.
mod model {
    pub mod layer {
        use chainrule::prelude::*;

        #[differentiable]
        pub(crate) fn affine(x: f64, w: f64, b: f64) -> f64 {
            w * x + b
        }

        #[differentiable]
        pub(super) fn scaled(x: f64) -> f64 {
            affine(x, 2.0, 1.0) * 3.0
        }
    }

    pub fn scaled_slope(x: f64) -> f64 {
        layer::scaled_grad(x).1
    }
}

fn main() {
    assert_eq!(model::layer::affine_grad(2.0, 3.0, 1.0), (7.0, (3.0, 2.0, 1.0)));
    assert_eq!(model::layer::affine_jvp(2.0, 0.0, 3.0, 1.0, 1.0, 0.0), (7.0, 2.0));
    assert_eq!(model::scaled_slope(5.0), 6.0);
}
