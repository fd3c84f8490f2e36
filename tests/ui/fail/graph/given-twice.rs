// `graph` asks for `f_graph` once; given twice, the second is refused.
use chainrule::prelude::*;

#[differentiable(graph, graph = draw)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
