//! Folding long loops for drawing: a loop of a thousand iterations is a thousand copies of
//! its body, which no picture can hold. The first iterations and the last stay as they are;
//! those between become one node per run of the loop. Inputs are never folded.

use super::{Edge, Graph, Node, NodeKind};
use std::collections::BTreeMap;

/// How many iterations of each loop [`Graph::folded`] keeps by default (and the last one).
pub const FOLD_AFTER: usize = 3;

/// One run of a loop: the iterations of the loops around it, and its number.
type Run = (Vec<(usize, usize)>, usize);

impl Graph {
    /// The graph with the iterations of every loop from `keep` to the one before the last
    /// folded into one [`NodeKind::Folded`] node per run of the loop. The wires into and out
    /// of a folded node are merged per neighbour: their gradients add, and their partial
    /// derivative (which no single wire has) is NaN.
    ///
    /// ```
    /// # extern crate chainrule_runtime as chainrule;
    /// use chainrule_macros::differentiable;
    /// use chainrule_runtime::graph::NodeKind;
    ///
    /// #[differentiable(graph)]
    /// fn sum_sq(xs: &[f64]) -> f64 {
    ///     let mut s = 0.0;
    ///     for i in 0..xs.len() {
    ///         s += xs[i] * xs[i];
    ///     }
    ///     s
    /// }
    ///
    /// let graph = sum_sq_graph(&[1.0; 10]);
    /// let folded = graph.folded(2);
    /// let folds = folded.nodes().iter().filter(|n| matches!(n.kind, NodeKind::Folded { iterations: 7, .. }));
    /// assert_eq!(folds.count(), 1); // iterations 2..=8 as one node; 0, 1 and 9 as they are
    /// assert_eq!(folded.output().unwrap().value, 10.0);
    /// assert_eq!(folded.node("xs[5]").unwrap().gradient, 2.0); // inputs keep their gradients
    /// ```
    pub fn folded(&self, keep: usize) -> Graph {
        // The outermost loop whose iteration is past `keep` decides a node's run.
        let run_of = |n: &Node| -> Option<(Run, usize)> {
            if n.kind == NodeKind::Input {
                return None;
            }
            let k = n.iterations.iter().position(|&(_, it)| it >= keep)?;
            Some(((n.iterations[..k].to_vec(), n.iterations[k].0), n.iterations[k].1))
        };
        let mut last: BTreeMap<Run, usize> = BTreeMap::new();
        for (run, it) in self.nodes.iter().filter_map(run_of) {
            let l = last.entry(run).or_insert(it);
            *l = (*l).max(it);
        }
        let mut folds: BTreeMap<Run, usize> = BTreeMap::new();
        let (mut nodes, mut index) = (Vec::new(), Vec::with_capacity(self.nodes.len()));
        for n in &self.nodes {
            let folded = run_of(n).filter(|(run, it)| *it < last[run]);
            let Some((run, it)) = folded else {
                index.push(nodes.len());
                nodes.push(n.clone());
                continue;
            };
            let i = *folds.entry(run.clone()).or_insert_with(|| {
                nodes.push(Node {
                    kind: NodeKind::Folded { nodes: 0, iterations: 0 },
                    op: "…".to_string(),
                    name: None,
                    value: f64::NAN,
                    gradient: f64::NAN,
                    iterations: run.0.clone(),
                });
                nodes.len() - 1
            });
            if let NodeKind::Folded { nodes: count, iterations } = &mut nodes[i].kind {
                *count += 1;
                *iterations = (*iterations).max(it + 1 - keep);
            }
            index.push(i);
        }
        let edges = merged_edges(&self.edges, &index, &nodes);
        let output = self.output.map(|o| index[o]);
        Graph { name: self.name.clone(), nodes, edges, output, open: Vec::new(), loops: self.loops }
    }
}

/// The wires between the new nodes: none inside a fold, one per pair of nodes where a fold
/// is at either end.
fn merged_edges(edges: &[Edge], index: &[usize], nodes: &[Node]) -> Vec<Edge> {
    let is_fold = |i: usize| matches!(nodes[i].kind, NodeKind::Folded { .. });
    let mut out: Vec<Edge> = Vec::new();
    let mut merged: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for e in edges {
        let (from, to) = (index[e.from], index[e.to]);
        if from == to {
            continue;
        }
        if !is_fold(from) && !is_fold(to) {
            out.push(Edge { from, to, ..e.clone() });
            continue;
        }
        match merged.get(&(from, to)) {
            Some(&k) => out[k].gradient += e.gradient,
            None => {
                merged.insert((from, to), out.len());
                out.push(Edge { from, to, partial: f64::NAN, gradient: e.gradient });
            }
        }
    }
    out
}
