// A second generic parameter, a where clause and a lifetime are refused, each on its span.
use chainrule::prelude::*;

#[differentiable]
fn two<F: Float, G: Float>(x: F, #[no_grad] y: G) -> F {
    let _ = y;
    x
}

#[differentiable]
fn bounded_apart<F>(x: F) -> F
where
    F: Float,
{
    x
}

#[differentiable]
fn lifetime<'a>(x: &'a [f64]) -> f64 {
    x[0]
}

fn main() {}
