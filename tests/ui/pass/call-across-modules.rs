// Calls to differentiable functions in other modules, by relative path, by `crate::` path
// and through `use` (which imports the function and the derivative protocol together).
use chainrule::prelude::*;

mod geometry {
    use chainrule::prelude::*;

    #[differentiable]
    pub fn square(x: f64) -> f64 {
        x * x
    }

    pub mod solids {
        use chainrule::prelude::*;

        #[differentiable]
        pub fn cube(x: f64) -> f64 {
            super::square(x) * x
        }
    }
}

use geometry::solids::cube;

#[differentiable]
fn f(x: f64, y: f64) -> f64 {
    geometry::square(x) * y + cube(y) + crate::geometry::square(y)
}

fn main() {
    // f = x²y + y³ + y²: df/dx = 2xy, df/dy = x² + 3y² + 2y.
    assert_eq!(f_grad(2.0, 3.0), (48.0, (12.0, 37.0)));
    assert_eq!(f_jvp(2.0, 1.0, 3.0, 1.0), (48.0, 49.0));
    assert_eq!(geometry::solids::cube_grad(2.0), (8.0, 12.0));
}
