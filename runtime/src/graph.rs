//! Computation graphs, as the lecture draws them: one node per operation, the value flowing
//! forward on each wire and the gradient flowing back.
//!
//! `#[differentiable(graph)]` writes `f_graph` beside `f`: it runs `f` once, recording every
//! operation the macro differentiates (a rule of its table, or a call of another
//! differentiable function, drawn as one node), then sweeps the recorded graph backwards.
//! Nothing is recorded by `f`, `f_grad` or the other companions: the recording is a
//! companion of its own, generated only when asked for.
//!
//! ```
//! # extern crate chainrule_runtime as chainrule;
//! use chainrule_macros::differentiable;
//!
//! #[differentiable(graph)]
//! fn f(x: f64, y: f64, z: f64) -> f64 {
//!     let q = x + y;
//!     q * z
//! }
//!
//! let graph = f_graph(-2.0, 5.0, -4.0);
//! let q = graph.node("q").unwrap();
//! assert_eq!((q.value, q.gradient), (3.0, -4.0));
//! assert_eq!(graph.node("x").unwrap().gradient, -4.0);
//! assert_eq!(graph.output().unwrap().value, -12.0);
//! let dot = graph.to_dot();
//! assert!(dot.starts_with("digraph"));
//! ```
//!
//! Every operation of every iteration of a loop is recorded, so the gradients are exact; the
//! drawings fold the iterations of a loop past a limit ([`Style::fold_after`], 3 by default)
//! into one node, as [`Graph::folded`] does.

mod dot;
mod fold;
mod layout;
mod svg;

pub use fold::FOLD_AFTER;

/// How drawings write numbers and what they show.
///
/// ```
/// # extern crate chainrule_runtime as chainrule;
/// use chainrule_macros::differentiable;
/// use chainrule_runtime::graph::Style;
///
/// #[differentiable(graph)]
/// fn f(x: f64, y: f64) -> f64 {
///     x * y
/// }
///
/// let forward = Style { digits: 4, gradients: false, ..Style::default() };
/// let dot = f_graph(0.5, 3.0).to_dot_with(&forward);
/// assert!(dot.contains(">1.5000<") && !dot.contains("#c92a2a")); // values only, no gradients
/// ```
#[derive(Clone, Debug)]
pub struct Style {
    /// Digits after the decimal point (the lecture rounds to 2).
    pub digits: usize,
    /// Whether gradients are written below the wires (`false` draws the forward pass only).
    pub gradients: bool,
    /// Loops are drawn with this many iterations and the last, the rest folded into one
    /// node ([`Graph::folded`]); `usize::MAX` draws every iteration.
    pub fold_after: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style { digits: 2, gradients: true, fold_after: FOLD_AFTER }
    }
}

impl Graph {
    /// Whether a drawing in `style` folds loops: some iteration is past its limit.
    fn needs_folding(&self, style: &Style) -> bool {
        let past = |n: &Node| n.iterations.iter().any(|&(_, i)| i >= style.fold_after);
        self.nodes.iter().any(|n| n.kind != NodeKind::Input && past(n))
    }
}

impl Style {
    /// `x` with the style's digits; no `-0.00`, and nothing for NaN (a folded node's value).
    fn number(&self, x: f64) -> String {
        if x.is_nan() {
            return String::new();
        }
        let s = format!("{x:.*}", self.digits);
        match s.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => s,
        }
    }
}

/// A computation graph with its forward values and backward gradients.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    name: String,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    output: Option<usize>,
    /// Per enclosing loop (outermost first): its number and the current iteration.
    open: Vec<(usize, usize)>,
    loops: usize,
}

/// One node: an input, an operation, a call, or iterations folded into one.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// The gate: `+`, `*`, `exp`, `+ 1.0`, a callee's name; for an input, its name.
    pub op: String,
    /// The user's variable that holds the value (`q`, `h[1]`), where there is one.
    pub name: Option<String>,
    pub value: f64,
    /// ∂f/∂node, from the backward sweep.
    pub gradient: f64,
    /// Per enclosing loop, outermost first: (the loop's number, the iteration).
    pub iterations: Vec<(usize, usize)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A parameter of the function (an array parameter has one per element).
    Input,
    /// A rule of the derivative table applied to its inputs.
    Operation,
    /// A call of another differentiable function.
    Call,
    /// Iterations of a loop past the limit of [`Graph::folded`]: `nodes` nodes of
    /// `iterations` iterations. Its value and gradient are NaN.
    Folded { nodes: usize, iterations: usize },
}

/// A wire from an operand to the operation that reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// The local partial derivative ∂to/∂from.
    pub partial: f64,
    /// The gradient flowing back along this wire, ∂f/∂to · ∂to/∂from: a node's gradient is the
    /// sum over its outgoing wires (gradients add at branches).
    pub gradient: f64,
}

/// A recorded value's node, as generated code holds it (`NONE` for a constant).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wire(u32);

impl Wire {
    pub const NONE: Wire = Wire(u32::MAX);
}

impl Graph {
    /// The function's name, as the drawings title it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every node, inputs first, in the order the forward pass made them.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The node of the function's result (`None` if it depends on no input).
    pub fn output(&self) -> Option<&Node> {
        self.output.map(|i| &self.nodes[i])
    }

    pub fn output_index(&self) -> Option<usize> {
        self.output
    }

    /// The last node recorded under this name (a variable assigned in a loop names one node
    /// per iteration): `graph.node("q")`, `graph.node("h[1]")`.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().rev().find(|n| n.name.as_deref() == Some(name))
    }

    /// Every node recorded under this name, first to last.
    pub fn nodes_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes.iter().filter(move |n| n.name.as_deref() == Some(name))
    }

    /// The inputs' nodes, in parameter order.
    pub fn inputs(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.kind == NodeKind::Input)
    }

    /// The wires out of a node.
    pub fn outgoing(&self, node: usize) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.from == node)
    }

    /// The wires into a node, in operand order.
    pub fn incoming(&self, node: usize) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.to == node)
    }
}

/// The recording API generated `f_graph` calls.
#[doc(hidden)]
impl Graph {
    pub fn new(name: &str) -> Self {
        Graph { name: name.to_string(), ..Graph::default() }
    }

    pub fn input(&mut self, name: &str, value: f64) -> Wire {
        self.push(NodeKind::Input, name.to_string(), Some(name.to_string()), value, &[])
    }

    /// Element `index` of an array parameter.
    pub fn input_at(&mut self, name: &str, index: usize, value: f64) -> Wire {
        let name = format!("{name}[{index}]");
        self.push(NodeKind::Input, name.clone(), Some(name), value, &[])
    }

    /// An operation with its operands' wires and the partial derivative along each.
    pub fn op(&mut self, op: &str, name: Option<&str>, value: f64, operands: &[(Wire, f64)]) -> Wire {
        self.push(NodeKind::Operation, op.to_string(), name.map(str::to_string), value, operands)
    }

    /// A call of another differentiable function.
    pub fn call(&mut self, func: &str, name: Option<&str>, value: f64, operands: &[(Wire, f64)]) -> Wire {
        self.push(NodeKind::Call, func.to_string(), name.map(str::to_string), value, operands)
    }

    /// Names an unnamed node after the variable it is assigned to (`acc = ..` in a loop).
    pub fn assigned(&mut self, wire: Wire, name: &str) {
        if let Some(node) = self.nodes.get_mut(wire.0 as usize) {
            node.name.get_or_insert_with(|| name.to_string());
        }
    }

    /// Names an unnamed node after the array element it is written to (`h[1] = ..`).
    pub fn assigned_at(&mut self, wire: Wire, array: &str, index: usize) {
        if let Some(node) = self.nodes.get_mut(wire.0 as usize) {
            node.name.get_or_insert_with(|| format!("{array}[{index}]"));
        }
    }

    pub fn enter_loop(&mut self) {
        self.open.push((self.loops, usize::MAX));
        self.loops += 1;
    }

    /// The start of the next iteration of the innermost loop.
    pub fn iteration(&mut self) {
        if let Some((_, i)) = self.open.last_mut() {
            *i = i.wrapping_add(1);
        }
    }

    pub fn exit_loop(&mut self) {
        self.open.pop();
    }

    /// The backward sweep from the result: every node's gradient and every wire's.
    pub fn finish(mut self, output: Wire) -> Self {
        self.output = self.nodes.get(output.0 as usize).map(|_| output.0 as usize);
        if let Some(out) = self.output {
            self.nodes[out].gradient = 1.0;
        }
        // Nodes are made after their operands, and each node's wires right after it: in
        // reverse order every node's gradient is complete before it is passed on.
        for e in self.edges.iter_mut().rev() {
            e.gradient = self.nodes[e.to].gradient * e.partial;
            self.nodes[e.from].gradient += e.gradient;
        }
        self
    }

    fn push(&mut self, kind: NodeKind, op: String, name: Option<String>, value: f64, operands: &[(Wire, f64)]) -> Wire {
        let to = self.nodes.len();
        let iterations = self.open.clone();
        self.nodes.push(Node { kind, op, name, value, gradient: 0.0, iterations });
        for &(wire, partial) in operands.iter().filter(|(w, _)| *w != Wire::NONE) {
            self.edges.push(Edge { from: wire.0 as usize, to, partial, gradient: 0.0 });
        }
        Wire(to as u32)
    }
}
