// `f_graph` is a free function's companion: on a method it is refused on the method's name,
// saying to draw a free function that takes what the method reads.
use chainrule::prelude::*;

struct Scale;

impl Scale {
    #[differentiable(graph)]
    fn apply(x: f64) -> f64 {
        2.0 * x
    }
}

fn main() {}
