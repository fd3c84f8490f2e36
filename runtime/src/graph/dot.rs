//! Graphviz's DOT text of a graph, in the lecture's style: inputs on the left, the result on
//! the right, each wire with its value above (green) and its gradient below (red).

use super::{Graph, NodeKind, Style};
use std::fmt::Write;

/// The colour of values on wires.
pub(super) const VALUE: &str = "#2b8a3e";
/// The colour of gradients on wires.
pub(super) const GRADIENT: &str = "#c92a2a";

impl Graph {
    /// DOT text with the default [`Style`] (2 digits, gradients shown).
    pub fn to_dot(&self) -> String {
        self.to_dot_with(&Style::default())
    }

    pub fn to_dot_with(&self, style: &Style) -> String {
        match self.needs_folding(style) {
            true => self.folded(style.fold_after).dot(style),
            false => self.dot(style),
        }
    }

    fn dot(&self, style: &Style) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "digraph \"{}\" {{", quoted(&self.name));
        out.push_str("  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let attrs = match &n.kind {
                NodeKind::Input => format!("shape=plaintext, label=\"{}\"", quoted(&n.op)),
                NodeKind::Operation => format!("shape=circle, label=\"{}\"", quoted(&n.op)),
                NodeKind::Call => format!("shape=box, style=rounded, label=\"{}\"", quoted(&n.op)),
                NodeKind::Folded { nodes, iterations } => {
                    format!("shape=box, style=dashed, label=\"{iterations} more iterations\\n({nodes} nodes)\"")
                }
            };
            let name = match (&n.kind, &n.name) {
                (NodeKind::Input, _) | (_, None) => String::new(),
                (_, Some(name)) => format!(", xlabel=\"{}\"", quoted(name)),
            };
            let _ = writeln!(out, "  n{i} [{attrs}{name}];");
        }
        for e in &self.edges {
            let label = wire_label(style, self.nodes[e.from].value, e.gradient);
            let _ = writeln!(out, "  n{} -> n{} [label={label}];", e.from, e.to);
        }
        if let Some(o) = self.output {
            let _ = writeln!(out, "  out [shape=plaintext, label=\"{}\"];", quoted(&self.name));
            let label = wire_label(style, self.nodes[o].value, self.nodes[o].gradient);
            let _ = writeln!(out, "  n{o} -> out [label={label}];");
        }
        out.push_str("}\n");
        out
    }
}

/// `<value<br/>gradient>` as an HTML-like label, each in its colour.
fn wire_label(style: &Style, value: f64, gradient: f64) -> String {
    let value = format!("<font color=\"{VALUE}\">{}</font>", style.number(value));
    match style.gradients {
        true => format!("<{value}<br/><font color=\"{GRADIENT}\">{}</font>>", style.number(gradient)),
        false => format!("<{value}>"),
    }
}

/// The text of a quoted DOT string.
fn quoted(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
