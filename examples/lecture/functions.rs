//! The lecture's functions, shared by `main.rs` (which prints and draws them) and by
//! `tests/lecture_graphs.rs` (which reads every lecture number back from their graphs and
//! keeps the README's picture in step). Those drawn have `#[differentiable(graph)]`.

use chainrule::graph::{Graph, Style};

/// `f = w*x + b`, split as in the lecture into the gate `g = w*x` and `f = g + b`.
pub mod linear {
    use chainrule::prelude::*;

    #[differentiable]
    pub fn g(w: f64, x: f64) -> f64 {
        w * x
    }

    /// f as a function of the gate's output g: its gradient is the local gradient ∂f/∂g.
    #[differentiable]
    pub fn f_of_g(g: f64, b: f64) -> f64 {
        g + b
    }

    /// The whole function; calling `g` differentiates through it (chain rule across functions).
    #[differentiable(graph)]
    pub fn f(w: f64, x: f64, b: f64) -> f64 {
        g(w, x) + b
    }
}

/// `f(x, y, z) = (x + y) z` with `q = x + y`.
pub mod simple {
    use chainrule::prelude::*;

    #[differentiable]
    pub fn q(x: f64, y: f64) -> f64 {
        x + y
    }

    #[differentiable]
    pub fn f_of_q(q: f64, z: f64) -> f64 {
        q * z
    }

    #[differentiable(graph)]
    pub fn f(x: f64, y: f64, z: f64) -> f64 {
        let q = x + y;
        q * z
    }
}

/// The sigmoid neuron f(w, x) = 1 / (1 + e^-(w0 x0 + w1 x1 + w2)).
pub mod neuron {
    use chainrule::prelude::*;

    /// Gate by gate, one `let` per gate of the lecture's computation graph.
    #[differentiable(graph)]
    pub fn gates(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
        let p0 = w0 * x0; // *
        let p1 = w1 * x1; // *
        let s = p0 + p1; // +
        let z = s + w2; // +
        let n = -z; // *-1
        let e = n.exp(); // exp
        let den = e + 1.0; // +1
        1.0 / den // 1/x
    }

    /// With the runtime's `sigmoid`, whose derivative rule is σ(1 − σ).
    #[differentiable(graph)]
    pub fn with_sigmoid(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
        sigmoid(w0 * x0 + w1 * x1 + w2)
    }

    // The tail of the graph as a function of one gate's output: its gradient is the
    // upstream gradient arriving at that gate. Each tail calls the next one, so this is
    // also the chain rule across functions.
    #[differentiable]
    pub fn f_of_f(f: f64) -> f64 {
        f
    }
    #[differentiable]
    pub fn f_of_den(den: f64) -> f64 {
        f_of_f(1.0 / den)
    }
    #[differentiable]
    pub fn f_of_e(e: f64) -> f64 {
        f_of_den(e + 1.0)
    }
    #[differentiable]
    pub fn f_of_n(n: f64) -> f64 {
        f_of_e(n.exp())
    }
    #[differentiable]
    pub fn f_of_z(z: f64) -> f64 {
        f_of_n(-z)
    }
    #[differentiable]
    pub fn f_of_s(s: f64, w2: f64) -> f64 {
        f_of_z(s + w2)
    }
    #[differentiable]
    pub fn f_of_p(p0: f64, p1: f64, w2: f64) -> f64 {
        f_of_s(p0 + p1, w2)
    }
}

/// One function per gate of the lecture's "patterns in backward flow".
pub mod patterns {
    use chainrule::prelude::*;

    #[differentiable]
    pub fn add(x: f64, y: f64) -> f64 {
        x + y
    }

    #[differentiable(graph)]
    pub fn max(x: f64, y: f64) -> f64 {
        x.max(y)
    }

    #[differentiable]
    pub fn mul(x: f64, y: f64) -> f64 {
        x * y
    }

    /// `x` branches into two gates whose outputs are added.
    #[differentiable(graph)]
    pub fn branches(x: f64) -> f64 {
        let left = 3.0 * x;
        let right = x * x;
        left + right
    }

    #[differentiable]
    pub fn left(x: f64) -> f64 {
        3.0 * x
    }

    #[differentiable]
    pub fn right(x: f64) -> f64 {
        x * x
    }
}

/// Matt Mazur's 2-2-2 network, the lecture's worked example: the error E_total of inputs
/// (i1, i2) against targets (t1, t2), as a function of the weights and biases (each layer's
/// bias shared by its two units, as in the lecture).
pub mod network {
    use chainrule::prelude::*;

    pub const WEIGHTS: [f64; 10] = [0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60];
    pub const INPUTS: [f64; 2] = [0.05, 0.10];
    pub const TARGETS: [f64; 2] = [0.01, 0.99];

    #[allow(clippy::too_many_arguments)]
    #[differentiable(graph)]
    pub fn error(
        w1: f64,
        w2: f64,
        w3: f64,
        w4: f64,
        b1: f64,
        w5: f64,
        w6: f64,
        w7: f64,
        w8: f64,
        b2: f64,
        #[no_grad] i1: f64,
        #[no_grad] i2: f64,
        #[no_grad] t1: f64,
        #[no_grad] t2: f64,
    ) -> f64 {
        let net_h1 = w1 * i1 + w2 * i2 + b1;
        let out_h1 = sigmoid(net_h1);
        let net_h2 = w3 * i1 + w4 * i2 + b1;
        let out_h2 = sigmoid(net_h2);
        let net_o1 = w5 * out_h1 + w6 * out_h2 + b2;
        let out_o1 = sigmoid(net_o1);
        let net_o2 = w7 * out_h1 + w8 * out_h2 + b2;
        let out_o2 = sigmoid(net_o2);
        let e_o1 = 0.5 * (t1 - out_o1).powi(2);
        let e_o2 = 0.5 * (t2 - out_o2).powi(2);
        e_o1 + e_o2
    }

    /// The graph at the lecture's weights, inputs and targets.
    pub fn graph() -> chainrule::graph::Graph {
        let [w1, w2, w3, w4, b1, w5, w6, w7, w8, b2] = WEIGHTS;
        let ([i1, i2], [t1, t2]) = (INPUTS, TARGETS);
        error_graph(w1, w2, w3, w4, b1, w5, w6, w7, w8, b2, i1, i2, t1, t2)
    }
}

/// One drawing: its file name, what it shows, and the graph.
pub struct Picture {
    pub file: &'static str,
    pub caption: &'static str,
    pub graph: Graph,
    pub style: Style,
}

/// Every picture of the lecture, at the lecture's numbers.
pub fn pictures() -> Vec<Picture> {
    let two = Style::default();
    let four = Style { digits: 4, ..Style::default() };
    let picture = |file, caption, graph, style: &Style| Picture { file, caption, graph, style: style.clone() };
    vec![
        picture(
            "x-plus-y-times-z.svg",
            "f(x, y, z) = (x + y) z at (-2, 5, -4)",
            simple::f_graph(-2.0, 5.0, -4.0),
            &two,
        ),
        picture(
            "wx-plus-b.svg",
            "f = w x + b at (-2, 5, 3), the gate g = w x a call",
            linear::f_graph(-2.0, 5.0, 3.0),
            &two,
        ),
        picture(
            "neuron-gates.svg",
            "the sigmoid neuron, gate by gate",
            neuron::gates_graph(2.0, -1.0, -3.0, -2.0, -3.0),
            &two,
        ),
        picture(
            "neuron-sigmoid.svg",
            "the sigmoid neuron with the sigmoid primitive",
            neuron::with_sigmoid_graph(2.0, -1.0, -3.0, -2.0, -3.0),
            &two,
        ),
        picture(
            "max-gate.svg",
            "max gate: the gradient goes to the larger input",
            patterns::max_graph(-1.0, 2.0),
            &two,
        ),
        picture(
            "max-gate-equal.svg",
            "max gate with equal inputs: the gradient is split",
            patterns::max_graph(2.0, 2.0),
            &two,
        ),
        picture("branches.svg", "gradients add at branches: f = 3x + x² at x = 2", patterns::branches_graph(2.0), &two),
        picture(
            "network-forward.svg",
            "the 2-2-2 network's forward pass",
            network::graph(),
            &Style { gradients: false, ..four.clone() },
        ),
        picture("network-backward.svg", "the 2-2-2 network's backward pass", network::graph(), &four),
    ]
}
