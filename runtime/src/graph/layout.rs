//! The layered layout of a graph for drawing: one column per depth, inputs in the first, the
//! result alone in the last; each column ordered to cross few wires. Pure and deterministic:
//! the same graph always gets the same picture.

use super::{Graph, Node, NodeKind};

/// Least distance between the centres of neighbours in a column: room for a node's name
/// above it and for the numbers on the wires that pass between.
const ROW: f64 = 76.0;
/// Blank space around the drawing.
pub(super) const MARGIN: f64 = 24.0;
/// Room above the nodes for the title (their names need more, added per graph).
const TITLE: f64 = 44.0;
/// Room below the nodes for the legend.
const LEGEND: f64 = 44.0;
/// Barycenter sweeps, down and up alternately: a few already remove most crossings.
const SWEEPS: usize = 4;

/// Where every node of a graph goes.
pub(super) struct Layout {
    /// Each node's centre.
    pub pos: Vec<(f64, f64)>,
    /// Each node's column.
    pub layer: Vec<usize>,
    /// Per wire, the points it runs through in the columns it crosses (none between
    /// neighbouring columns).
    pub routes: Vec<Vec<(f64, f64)>>,
    /// The right edge of each column: the gap after it is free of nodes, for wire labels.
    pub right: Vec<f64>,
    /// The width of the gaps between columns.
    pub gap: f64,
    /// Where the result's wire ends, right of the output node (`None` without an output).
    pub sink: Option<(f64, f64)>,
    pub width: f64,
    pub height: f64,
}

/// An estimate of the width of `s` in a sans-serif font of `size` px (no font metrics here).
pub(super) fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.6
}

/// The two lines written in a folded node.
pub(super) fn folded_lines(nodes: usize, iterations: usize) -> [String; 2] {
    [format!("{iterations} more iterations"), format!("({nodes} nodes)")]
}

/// Half the width and half the height of a node's shape as the SVG draws it (a circle's
/// radius twice), so that columns are as wide as their widest node.
pub(super) fn extent(node: &Node) -> (f64, f64) {
    match &node.kind {
        NodeKind::Input => (text_width(&node.op, 14.0) / 2.0 + 4.0, 10.0),
        NodeKind::Operation => {
            let r = (text_width(&node.op, 14.0) / 2.0 + 7.0).max(18.0);
            (r, r)
        }
        NodeKind::Call => (text_width(&node.op, 14.0) / 2.0 + 10.0, 16.0),
        NodeKind::Folded { nodes, iterations } => {
            let [first, _] = folded_lines(*nodes, *iterations);
            (text_width(&first, 12.0) / 2.0 + 10.0, 22.0)
        }
    }
}

/// The layout of `graph` with `gap` px between columns (wide enough for a wire's numbers).
pub(super) fn layout(graph: &Graph, gap: f64) -> Layout {
    let mut preds = vec![Vec::new(); graph.nodes().len()];
    for e in graph.edges() {
        preds[e.to].push(e.from);
    }
    let slots = slots(graph, layers(graph, &preds));
    let mut cols = columns(&slots.layer);
    order(&mut cols, &slots.up, &slots.down);
    place(graph, &cols, slots, gap)
}

/// The graph the ordering sees: nodes, and one dummy slot per column a wire crosses, so
/// that columns make room for long wires instead of the wires crossing nodes.
struct Slots {
    /// Each slot's column (the nodes' slots first, numbered as the nodes).
    layer: Vec<usize>,
    /// Each slot's neighbours in the column before it and in the column after it.
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
    /// Per wire, the dummies it runs through.
    routes: Vec<Vec<usize>>,
}

/// The slots of `graph`. A node's long wires share one track of dummies, branching off it
/// where they end: an input read by every iteration of a loop adds one row, not one per read.
fn slots(graph: &Graph, layer: Vec<usize>) -> Slots {
    let n = layer.len();
    let mut s = Slots { layer, up: vec![Vec::new(); n], down: vec![Vec::new(); n], routes: Vec::new() };
    let mut track: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in graph.edges() {
        let crossed = s.layer[e.to].saturating_sub(s.layer[e.from] + 1);
        while track[e.from].len() < crossed {
            let (prev, dummy) = (track[e.from].last().copied().unwrap_or(e.from), s.layer.len());
            s.layer.push(s.layer[prev] + 1);
            s.up.push(vec![prev]);
            s.down.push(Vec::new());
            s.down[prev].push(dummy);
            track[e.from].push(dummy);
        }
        let route = track[e.from][..crossed].to_vec();
        let last = route.last().copied().unwrap_or(e.from);
        s.up[e.to].push(last);
        s.down[last].push(e.to);
        s.routes.push(route);
    }
    s
}

/// Each node's column: the longest path to it from an input. Inputs alone make the first
/// column (a node that reads no input starts the second), and the output is pushed past
/// every other node so that the result ends the picture.
fn layers(graph: &Graph, preds: &[Vec<usize>]) -> Vec<usize> {
    let nodes = graph.nodes();
    let mut layer = vec![0; nodes.len()];
    // Nodes are recorded after their operands: one pass in order sees every operand's layer.
    for i in 0..nodes.len() {
        if nodes[i].kind != NodeKind::Input {
            layer[i] = 1 + preds[i].iter().map(|&p| layer[p]).max().unwrap_or(0);
        }
    }
    if let Some(out) = graph.output_index().filter(|&o| nodes[o].kind != NodeKind::Input) {
        let others = (0..nodes.len()).filter(|&i| i != out).map(|i| layer[i]).max().unwrap_or(0);
        layer[out] = layer[out].max(others + 1);
    }
    layer
}

/// The slots of each column, in record order (the order the sweeps start from).
fn columns(layer: &[usize]) -> Vec<Vec<usize>> {
    let mut cols = vec![Vec::new(); layer.iter().max().map_or(0, |m| m + 1)];
    for (i, &l) in layer.iter().enumerate() {
        cols[l].push(i);
    }
    cols
}

/// Barycenter ordering: each column sorted by the mean position of its neighbours in the
/// columns before it (sweeping down) or after it (sweeping up). Positions are measured from
/// each column's middle, as the columns are drawn centred, so wires that skip columns count.
fn order(cols: &mut [Vec<usize>], preds: &[Vec<usize>], succs: &[Vec<usize>]) {
    let mut key = vec![0.0; preds.len()];
    cols.iter().for_each(|col| rank(col, &mut key));
    let last = cols.len().saturating_sub(1);
    for sweep in 0..SWEEPS {
        let (layers, adj): (Vec<usize>, _) =
            if sweep % 2 == 0 { ((1..=last).collect(), preds) } else { ((0..last).rev().collect(), succs) };
        for l in layers {
            // A node without neighbours on that side keeps its place.
            let bary = |i: usize| match adj[i].len() {
                0 => key[i],
                len => adj[i].iter().map(|&j| key[j]).sum::<f64>() / len as f64,
            };
            let mut keyed: Vec<(f64, usize)> = cols[l].iter().map(|&i| (bary(i), i)).collect();
            // Stable: ties keep the current order, so the result is deterministic.
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            cols[l] = keyed.into_iter().map(|(_, i)| i).collect();
            rank(&cols[l], &mut key);
        }
    }
}

/// Each node's position in its column, measured from the column's middle.
fn rank(col: &[usize], key: &mut [f64]) {
    let mid = (col.len() as f64 - 1.0) / 2.0;
    for (k, &i) in col.iter().enumerate() {
        key[i] = k as f64 - mid;
    }
}

/// Coordinates: columns as wide as their widest node with `gap` between them, rows evenly
/// spaced and each column centred vertically (dummies take a row, but no width).
fn place(graph: &Graph, cols: &[Vec<usize>], slots: Slots, gap: f64) -> Layout {
    let n = graph.nodes().len();
    let mut ext: Vec<(f64, f64)> = graph.nodes().iter().map(extent).collect();
    ext.resize(slots.layer.len(), (0.0, 0.0));
    let tall = ext.iter().map(|e| e.1).fold(10.0, f64::max);
    let (row, top) = (ROW.max(2.0 * tall + 40.0), TITLE + tall + 16.0);
    let body = cols.iter().map(Vec::len).max().unwrap_or(0).saturating_sub(1) as f64 * row;
    let (mut pos, mut right, mut left) = (vec![(0.0, 0.0); ext.len()], Vec::new(), MARGIN);
    for col in cols {
        let w = col.iter().map(|&i| 2.0 * ext[i].0).fold(0.0, f64::max);
        let mid = (col.len() as f64 - 1.0) / 2.0;
        for (k, &i) in col.iter().enumerate() {
            pos[i] = (left + w / 2.0, top + body / 2.0 + (k as f64 - mid) * row);
        }
        right.push(left + w);
        left += w + gap;
    }
    let routes = slots.routes.iter().map(|r| r.iter().map(|&d| pos[d]).collect()).collect();
    let sink = graph.output_index().map(|o| (right[slots.layer[o]] + gap, pos[o].1));
    let mut layer = slots.layer;
    layer.truncate(n);
    pos.truncate(n);
    // The function's name is written after the sink.
    let end = sink.map_or(left - gap, |s| s.0 + 6.0 + text_width(graph.name(), 14.0));
    let (width, height) = (end.max(MARGIN) + MARGIN, top + body + tall + LEGEND);
    Layout { pos, layer, routes, right, gap, sink, width, height }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Wire;
    use std::time::{Duration, Instant};

    /// A ladder: two chains reading each other, every fifth rung also reading the input `x`
    /// (wires that skip many columns).
    fn ladder(rungs: usize) -> Graph {
        let mut g = Graph::new("ladder");
        let (x, y) = (g.input("x", 0.5), g.input("y", 2.0));
        let (mut a, mut b) = (x, y);
        for i in 0..rungs {
            let mut operands = vec![(a, 1.0), (b, 1.0)];
            if i % 5 == 4 {
                operands.push((x, 1.0));
            }
            let sum = g.op("+", Some("a"), 1.0, &operands);
            b = g.op("*", Some("b"), 1.0, &[(a, 1.0), (b, 1.0)]);
            a = sum;
        }
        let out = g.op("+", None, 2.0, &[(a, 1.0), (b, 1.0)]);
        g.finish(out)
    }

    #[test]
    fn inputs_are_left_of_operations_and_the_output_rightmost() {
        // The lecture's f = (x + y) z at (-2, 5, -4).
        let mut g = Graph::new("f");
        let (x, y, z) = (g.input("x", -2.0), g.input("y", 5.0), g.input("z", -4.0));
        let q = g.op("+", Some("q"), 3.0, &[(x, 1.0), (y, 1.0)]);
        let f = g.op("*", None, -12.0, &[(q, -4.0), (z, 3.0)]);
        let lay = layout(&g.finish(f), 90.0);
        assert!(lay.pos[..3].iter().all(|i| lay.pos[3..].iter().all(|o| i.0 < o.0)));
        assert!(lay.pos[..4].iter().all(|p| p.0 < lay.pos[4].0));
        assert_eq!(lay.sink.map(|s| (s.0 > lay.pos[4].0, s.1)), Some((true, lay.pos[4].1)));
        assert!(lay.sink.unwrap().0 < lay.width);
        // z's wire skips q's column through a slot of its own there.
        assert_eq!(lay.routes.iter().map(Vec::len).collect::<Vec<_>>(), [0, 0, 0, 1]);
        let d = lay.routes[3][0];
        assert!(d.0 == lay.pos[3].0 && (d.1 - lay.pos[3].1).abs() >= ROW);
    }

    #[test]
    fn layers_are_longest_paths_from_the_inputs() {
        let mut g = Graph::new("f");
        let x = g.input("x", 1.0);
        let a = g.op("exp", None, 1.0, &[(x, 1.0)]);
        let b = g.op("* 2.0", None, 1.0, &[(a, 2.0)]);
        let c = g.op("+", None, 1.0, &[(x, 1.0), (b, 1.0)]);
        g.op("sin", None, 1.0, &[(x, 1.0)]);
        g.op("cos", None, 1.0, &[]);
        let lay = layout(&g.finish(c), 90.0);
        assert_eq!(lay.layer, [0, 1, 2, 3, 1, 1]);
        assert_eq!(lay.routes.iter().map(Vec::len).collect::<Vec<_>>(), [0, 0, 2, 0, 0]);
    }

    #[test]
    fn empty_graphs_have_a_size_and_no_sink() {
        let lay = layout(&Graph::new("nothing"), 90.0);
        assert!(lay.pos.is_empty() && lay.sink.is_none() && lay.width > 0.0 && lay.height > 0.0);
        let mut g = Graph::new("constant");
        g.input("x", 1.0);
        let lay = layout(&g.finish(Wire::NONE), 90.0);
        assert_eq!((lay.pos.len(), lay.sink), (1, None));
    }

    #[test]
    fn a_300_node_ladder_lays_out_and_draws_quickly_without_overlaps() {
        let g = ladder(150);
        let (nodes, start) = (g.nodes(), Instant::now());
        let lay = layout(&g, 90.0);
        assert!(start.elapsed() < Duration::from_millis(500), "took {:?}", start.elapsed());
        assert!(nodes.len() > 300 && g.edges().iter().all(|e| lay.layer[e.from] < lay.layer[e.to]));
        for l in 0..lay.right.len() {
            let mut col: Vec<usize> = (0..nodes.len()).filter(|&i| lay.layer[i] == l).collect();
            col.sort_by(|&i, &j| lay.pos[i].1.total_cmp(&lay.pos[j].1));
            for w in col.windows(2) {
                let room = extent(&nodes[w[0]]).1 + extent(&nodes[w[1]]).1;
                assert!(lay.pos[w[1]].1 - lay.pos[w[0]].1 >= room, "nodes {w:?} overlap");
                assert_eq!(lay.pos[w[0]].0, lay.pos[w[1]].0);
            }
        }
        // The wires that skip columns pass between the nodes there, not through them.
        let clear =
            |d: &(f64, f64)| lay.pos.iter().zip(nodes).all(|(p, n)| p.0 != d.0 || (p.1 - d.1).abs() >= extent(n).1);
        assert!(lay.routes.iter().flatten().count() > 100 && lay.routes.iter().flatten().all(clear));
        let inside = |p: &(f64, f64)| p.0 > 0.0 && p.0 < lay.width && p.1 > 0.0 && p.1 < lay.height;
        assert!(lay.pos.iter().all(inside));
        let start = Instant::now();
        assert!(g.to_svg().len() > 10_000 && start.elapsed() < Duration::from_millis(500), "{:?}", start.elapsed());
    }

    #[test]
    fn layouts_are_deterministic() {
        let (a, b) = (layout(&ladder(20), 90.0), layout(&ladder(20), 90.0));
        assert_eq!((a.pos, a.routes, a.width, a.height), (b.pos, b.routes, b.width, b.height));
    }

    #[test]
    fn sweeps_untangle_crossed_wires() {
        // Record order crosses: p reads b, q reads a; the sweeps swap one column.
        let mut g = Graph::new("f");
        let (a, b) = (g.input("a", 1.0), g.input("b", 2.0));
        let p = g.op("exp", None, 1.0, &[(b, 1.0)]);
        let q = g.op("sin", None, 1.0, &[(a, 1.0)]);
        let out = g.op("+", None, 1.0, &[(p, 1.0), (q, 1.0)]);
        let lay = layout(&g.finish(out), 90.0);
        let above = |i: usize, j: usize| lay.pos[i].1 < lay.pos[j].1;
        assert_eq!(above(0, 1), above(3, 2), "a→q and b→p cross");
    }
}
