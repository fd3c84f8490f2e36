//! An SVG drawing of a graph, as the backprop lectures draw them: inputs on the left, gates
//! as circles, each wire with its value above (green) and its gradient below (red), and the
//! result's wire ending at the function's name. No dependencies, no font metrics.

use super::dot::{GRADIENT, VALUE};
use super::layout::{Layout, MARGIN, extent, folded_lines, layout, text_width};
use super::{Edge, Graph, NodeKind, Style};
use std::fmt::Write;

/// The size of the numbers on wires.
const LABEL: f64 = 12.0;
const INK: &str = "#343a40";
const GREY: &str = "#868e96";
const LEGEND: &str = "value above each wire (green), gradient ∂f/∂wire below (red)";
const WIRES: &str = "<g stroke=\"#495057\" stroke-width=\"1.2\" stroke-linejoin=\"round\" fill=\"none\">\n";
/// Numbers get a white halo, to stay legible where they cross a wire.
const NUMBERS: &str =
    "<g font-size=\"12\" text-anchor=\"middle\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">\n";

/// A straight piece of a wire: its two ends.
type Segment = ((f64, f64), (f64, f64));
/// A place for a wire's numbers: a segment of it, and the stretch of x (a gap between
/// columns) to put them in.
type Spot = (Segment, (f64, f64));

impl Graph {
    /// An SVG drawing with the default [`Style`] (2 digits, gradients shown).
    pub fn to_svg(&self) -> String {
        self.to_svg_with(&Style::default())
    }

    /// An SVG drawing with `style`'s digits, and gradients only if it shows them.
    pub fn to_svg_with(&self, style: &Style) -> String {
        match self.needs_folding(style) {
            true => self.folded(style.fold_after).svg(style),
            false => self.svg(style),
        }
    }

    fn svg(&self, style: &Style) -> String {
        let lay = layout(self, self.gap(style));
        let text = text_width(LEGEND, LABEL).max(text_width(&self.name, 16.0));
        let (w, h) = (n(lay.width.max(text + 2.0 * MARGIN)), n(lay.height));
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             font-family=\"sans-serif\">\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
             markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{INK}\"/>\
             </marker></defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        );
        text_at(&mut out, (MARGIN, 30.0), " font-size=\"16\" font-weight=\"bold\"", &self.name);
        let (lines, labels) = self.wires(&lay, style);
        out.push_str(&lines);
        self.shapes(&mut out, &lay, style);
        out.push_str(&labels);
        legend(&mut out, style, lay.height - 16.0);
        out.push_str("</svg>\n");
        out
    }

    /// The gap between columns: room for the widest number written on a wire.
    fn gap(&self, style: &Style) -> f64 {
        let wires = self.edges.iter().map(|e| [self.nodes[e.from].value, e.gradient]);
        let result = self.output().map(|o| [o.value, o.gradient]);
        let widest = wires.chain(result).flatten().map(|x| text_width(&style.number(x), LABEL)).fold(0.0, f64::max);
        (widest + 28.0).max(84.0)
    }

    /// The wires' lines (drawn under the nodes) and their numbers (drawn over everything).
    fn wires(&self, lay: &Layout, style: &Style) -> (String, String) {
        let (mut lines, mut labels) = (String::from(WIRES), String::from(NUMBERS));
        let mut wires: Vec<(&Edge, Vec<Spot>)> = (self.edges.iter().zip(&lay.routes))
            .map(|(e, via)| {
                let points = self.route(lay, e, via);
                line(&mut lines, &points);
                (e, self.spots(lay, e, &points))
            })
            .collect();
        // Wires between neighbouring columns first, as their numbers have one gap to go in,
        // and flat wires before steep ones: they take the middles, steep ones move aside.
        wires.sort_by(|p, q| p.1.len().cmp(&q.1.len()).then(slope(p.1[0].0).total_cmp(&slope(q.1[0].0))));
        let mut placed = Vec::new();
        for (e, spots) in wires {
            let numbers = [self.nodes[e.from].value, e.gradient].map(|x| style.number(x));
            let fans_out = self.edges.iter().filter(|o| o.from == e.from).nth(1).is_some();
            label(&mut labels, &mut placed, (style, fans_out), &spots, numbers);
        }
        if let (Some(o), Some(sink)) = (self.output, lay.sink) {
            let a = self.anchor(lay, o, sink);
            line(&mut lines, &[a, sink]);
            let numbers = [self.nodes[o].value, self.nodes[o].gradient].map(|x| style.number(x));
            label(&mut labels, &mut placed, (style, false), &[((a, sink), (a.0, sink.0))], numbers);
            text_at(&mut labels, (sink.0 + 6.0, sink.1 + 5.0), " font-size=\"14\" text-anchor=\"start\"", &self.name);
        }
        lines.push_str("</g>\n");
        labels.push_str("</g>\n");
        (lines, labels)
    }

    /// The points a wire runs through: out of its source, through the dummies of the columns
    /// it crosses, into its target.
    fn route(&self, lay: &Layout, e: &Edge, via: &[(f64, f64)]) -> Vec<(f64, f64)> {
        let first = via.first().copied().unwrap_or(lay.pos[e.to]);
        let last = via.last().copied().unwrap_or(lay.pos[e.from]);
        let mut points = vec![self.anchor(lay, e.from, first)];
        points.extend(via);
        points.push(self.anchor(lay, e.to, last));
        points
    }

    /// Where a wire's numbers may go, best first: its last segment (its own, where the wires
    /// of one node share a track), then its first two; each in the gap between columns it
    /// crosses, which holds no nodes.
    fn spots(&self, lay: &Layout, e: &Edge, points: &[(f64, f64)]) -> Vec<Spot> {
        let forward = lay.layer[e.to] > lay.layer[e.from];
        let stretch = |k: usize, (a, b): Segment| match forward {
            true => (lay.right[k], lay.right[k] + lay.gap),
            false => (a.0.min(b.0), a.0.max(b.0)),
        };
        let segments = points.windows(2).map(|w| (w[0], w[1]));
        let mut spots: Vec<Spot> = segments.enumerate().map(|(j, s)| (s, stretch(lay.layer[e.from] + j, s))).collect();
        // A long wire's middle segments share its source's track: no place for its own numbers.
        spots.rotate_right(1);
        spots.truncate(3);
        spots
    }

    /// Where a wire leaves or enters node `i` on its way to `toward`: on a circle's rim, or
    /// at the middle of a box's (or a name's) left or right side.
    fn anchor(&self, lay: &Layout, i: usize, toward: (f64, f64)) -> (f64, f64) {
        let ((x, y), (hw, _)) = (lay.pos[i], extent(&self.nodes[i]));
        if self.nodes[i].kind == NodeKind::Operation {
            let (dx, dy) = (toward.0 - x, toward.1 - y);
            let d = dx.hypot(dy).max(1e-9);
            return (x + hw * dx / d, y + hw * dy / d);
        }
        (if toward.0 >= x { x + hw } else { x - hw }, y)
    }

    /// Every node's shape, its label, and the user's variable name above it. Shapes are
    /// filled white, so that wires passing behind a node stop at its edge. An input read
    /// more than once has its gradient, the sum of its wires', under its name.
    fn shapes(&self, out: &mut String, lay: &Layout, style: &Style) {
        let _ = writeln!(out, "<g font-size=\"14\" text-anchor=\"middle\" fill=\"{INK}\">");
        for (i, (node, &(x, y))) in self.nodes.iter().zip(&lay.pos).enumerate() {
            let (hw, hh) = extent(node);
            match &node.kind {
                NodeKind::Input => {
                    text_at(out, (x, y + 5.0), " font-style=\"italic\"", &node.op);
                    if style.gradients && self.outgoing(i).nth(1).is_some() {
                        let total = format!("Σ {}", style.number(node.gradient));
                        text_at(out, (x, y + 22.0), &format!(" font-size=\"11\" fill=\"{GRADIENT}\""), &total);
                    }
                }
                NodeKind::Operation => {
                    let [cx, cy, r] = [x, y, hw].map(n);
                    let _ = write!(out, "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"{r}\" fill=\"white\" stroke=\"{INK}\"/>");
                    text_at(out, (x, y + 5.0), "", &node.op);
                }
                NodeKind::Call => {
                    rect(out, (x, y), (hw, hh), " rx=\"8\"");
                    text_at(out, (x, y + 5.0), "", &node.op);
                }
                NodeKind::Folded { nodes, iterations } => {
                    rect(out, (x, y), (hw, hh), " stroke-dasharray=\"5,4\"");
                    let [first, second] = folded_lines(*nodes, *iterations);
                    text_at(out, (x, y - 3.0), " font-size=\"12\"", &first);
                    text_at(out, (x, y + 13.0), " font-size=\"12\"", &second);
                }
            }
            if let Some(name) = node.name.as_ref().filter(|_| node.kind != NodeKind::Input) {
                text_at(out, (x, y - hh - 6.0), &format!(" font-size=\"11\" fill=\"{GREY}\""), name);
            }
        }
        out.push_str("</g>\n");
    }
}

/// A wire through `points`, with an arrowhead at its end.
fn line(out: &mut String, points: &[(f64, f64)]) {
    let points: Vec<String> = points.iter().map(|p| format!("{},{}", n(p.0), n(p.1))).collect();
    let _ = writeln!(out, "<polyline points=\"{}\" marker-end=\"url(#arrow)\"/>", points.join(" "));
}

/// A white box centred at `(x, y)` with half-sizes `(hw, hh)`.
fn rect(out: &mut String, (x, y): (f64, f64), (hw, hh): (f64, f64), extra: &str) {
    let [l, t, w, h] = [x - hw, y - hh, 2.0 * hw, 2.0 * hh].map(n);
    let _ =
        write!(out, "<rect x=\"{l}\" y=\"{t}\" width=\"{w}\" height=\"{h}\" fill=\"white\" stroke=\"{INK}\"{extra}/>");
}

/// `content`, escaped, at `(x, y)`; `attrs` starts with a space.
fn text_at(out: &mut String, (x, y): (f64, f64), attrs: &str, content: &str) {
    let _ = writeln!(out, "<text x=\"{}\" y=\"{}\"{attrs}>{}</text>", n(x), n(y), esc(content));
}

/// A wire's value above it and its gradient below, in one of its spots: near where it
/// leaves the column (where wires of different nodes are a row apart, so the numbers read
/// as the wire's), then its middle, then further right. One of several wires out of a node
/// starts where its siblings do: its numbers go near its far end first.
fn label(out: &mut String, placed: &mut Vec<[f64; 4]>, how: (&Style, bool), spots: &[Spot], numbers: [String; 2]) {
    let (style, fans_out) = how;
    let order = if fans_out { [1.0, 0.5, 0.0, -0.5, -1.0] } else { [-1.0, 0.0, -0.5, 0.5, 1.0] };
    let [value, gradient] = numbers;
    let gradient = if style.gradients { gradient } else { String::new() };
    let width = text_width(&value, LABEL).max(text_width(&gradient, LABEL)) + 4.0;
    let places = spots.iter().flat_map(|&(wire, (lo, hi))| {
        let side = ((hi - lo - width) / 2.0 - 2.0).max(0.0);
        order.map(|d| (wire, (lo + hi) / 2.0 + d * side))
    });
    // The value's box and the gradient's, the wire between them: off a sloping wire by its
    // rise over half their width.
    let boxes = |(wire, x): (Segment, f64)| {
        let (y, lift, l, r) = (point_at(wire, x).1, slope(wire) * width / 2.0, x - width / 2.0, x + width / 2.0);
        (x, y, lift, [[l, y - lift - 15.0, r, y - lift - 3.0], [l, y + lift + 4.0, r, y + lift + 16.0]])
    };
    // The first place free of other numbers, else the one that covers the least of them.
    let mut best = None;
    for c in places.map(boxes) {
        let covered: f64 = c.3.iter().flat_map(|p| placed.iter().map(move |q| overlap(p, q))).sum();
        if best.as_ref().is_none_or(|(least, _)| covered < *least) {
            best = Some((covered, c));
        }
        if covered == 0.0 {
            break;
        }
    }
    let Some((_, (x, y, lift, taken))) = best else { return };
    placed.extend(taken);
    if !value.is_empty() {
        text_at(out, (x, y - 5.0 - lift), &format!(" fill=\"{VALUE}\""), &value);
    }
    if !gradient.is_empty() {
        text_at(out, (x, y + 14.0 + lift), &format!(" fill=\"{GRADIENT}\""), &gradient);
    }
}

/// How steep a wire is (capped: a near-vertical wire is no steeper than 3).
fn slope((a, b): Segment) -> f64 {
    let dx = (b.0 - a.0).abs().max(1e-9);
    ((b.1 - a.1).abs() / dx).min(3.0)
}

/// The area two boxes `[left, top, right, bottom]` share.
fn overlap(p: &[f64; 4], q: &[f64; 4]) -> f64 {
    (p[2].min(q[2]) - p[0].max(q[0])).max(0.0) * (p[3].min(q[3]) - p[1].max(q[1])).max(0.0)
}

/// The point of a segment at `x` (its middle if it is vertical).
fn point_at((a, b): Segment, x: f64) -> (f64, f64) {
    let dx = b.0 - a.0;
    let t = if dx.abs() < 1e-9 { 0.5 } else { ((x - a.0) / dx).clamp(0.0, 1.0) };
    (a.0 + t * dx, a.1 + t * (b.1 - a.1))
}

/// The legend line at the bottom, each colour's words in that colour.
fn legend(out: &mut String, style: &Style, y: f64) {
    let gradient = format!(", <tspan fill=\"{GRADIENT}\">gradient ∂f/∂wire</tspan> below (red)");
    let gradient = if style.gradients { gradient.as_str() } else { "" };
    let (x, y) = (n(MARGIN), n(y));
    let text = format!("<tspan fill=\"{VALUE}\">value</tspan> above each wire (green){gradient}");
    let _ = writeln!(out, "<text x=\"{x}\" y=\"{y}\" font-size=\"12\" fill=\"{GREY}\">{text}</text>");
}

/// A coordinate with at most one decimal (and no `-0`).
fn n(x: f64) -> String {
    format!("{}", (x * 10.0).round() / 10.0 + 0.0)
}

/// Text escaped for XML content and attributes; control characters XML forbids are dropped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{FOLD_AFTER, Wire};

    /// The lecture's f = (x + y) z at (-2, 5, -4).
    fn lecture() -> Graph {
        let mut g = Graph::new("f");
        let (x, y, z) = (g.input("x", -2.0), g.input("y", 5.0), g.input("z", -4.0));
        let q = g.op("+", Some("q"), 3.0, &[(x, 1.0), (y, 1.0)]);
        let f = g.op("*", None, -12.0, &[(q, -4.0), (z, 3.0)]);
        g.finish(f)
    }

    /// Checks that the tags nest and close, and that every `&` starts an entity.
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""), "{svg}");
        let mut open: Vec<&str> = Vec::new();
        for piece in svg.split('<').skip(1) {
            let tag = &piece[..piece.find('>').expect("unclosed tag")];
            let name = tag.trim_start_matches('/').split([' ', '/']).next().unwrap();
            match (tag.starts_with('/'), tag.ends_with('/')) {
                (true, _) => assert_eq!(open.pop(), Some(name), "</{name}> closes the wrong tag"),
                (false, false) => open.push(name),
                (false, true) => {}
            }
        }
        assert!(open.is_empty(), "unclosed {open:?}");
        for (i, _) in svg.match_indices('&') {
            assert!(["&amp;", "&lt;", "&gt;", "&quot;"].iter().any(|e| svg[i..].starts_with(e)), "raw & at {i}");
        }
    }

    #[test]
    fn the_lecture_graph_shows_its_values_and_gradients() {
        let svg = lecture().to_svg();
        assert_well_formed(&svg);
        for number in ["-2.00", "5.00", "-4.00", "3.00", "-12.00", "1.00"] {
            assert!(svg.contains(&format!(">{number}</text>")), "{number} missing");
        }
        // Four wires and the result's, each with a value and a gradient; and the legend.
        assert_eq!(svg.matches(&format!("fill=\"{VALUE}\">")).count(), 5 + 1);
        assert_eq!(svg.matches(&format!("fill=\"{GRADIENT}\">")).count(), 5 + 1);
        assert_eq!((svg.matches("<circle").count(), svg.matches("marker-end=\"url(#arrow)\"").count()), (2, 5));
        assert!(svg.contains(">q</text>") && svg.contains(">f</text>") && svg.contains("∂f/∂wire"));
        assert!(svg.contains("font-family=\"sans-serif\"") && svg.contains("fill=\"white\"/>"));
    }

    #[test]
    fn gradients_can_be_left_out() {
        let svg = lecture().to_svg_with(&Style { digits: 1, gradients: false, ..Style::default() });
        assert_well_formed(&svg);
        assert!(svg.contains(">-12.0</text>") && svg.contains(">3.0</text>"));
        assert!(!svg.contains(GRADIENT) && !svg.contains("gradient") && svg.contains("each wire (green)</text>"));
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut g = Graph::new("a<b & \"c\"");
        let x = g.input("x>0", 1.0);
        let lt = g.op("<", Some("q&r"), 1.0, &[(x, 0.0)]);
        let svg = g.finish(lt).to_svg();
        assert_well_formed(&svg);
        assert!(svg.contains(">&lt;</text>") && svg.contains(">x&gt;0</text>") && svg.contains(">q&amp;r</text>"));
        assert!(svg.contains(">a&lt;b &amp; &quot;c&quot;</text>"));
    }

    #[test]
    fn coordinates_have_at_most_one_decimal() {
        let mut g = Graph::new("long names");
        let x = g.input("weights[10]", 1.0 / 3.0);
        let s = g.op("sigmoid", Some("h"), 0.58, &[(x, 0.24)]);
        let svg = g.finish(s).to_svg();
        let values = svg.split('"').skip(1).step_by(2).flat_map(|v| v.split([' ', ',']));
        let numbers: Vec<&str> = values.filter(|v| v.parse::<f64>().is_ok()).collect();
        assert!(numbers.len() > 20);
        for v in numbers {
            assert!(v.split('.').nth(1).is_none_or(|d| d.len() == 1), "{v} has more than one decimal");
        }
    }

    #[test]
    fn calls_and_folded_loops_have_boxes() {
        let mut g = Graph::new("looped");
        let x = g.input("x", 1.0);
        let mut acc = g.call("square", Some("s"), 1.0, &[(x, 2.0)]);
        g.enter_loop();
        for _ in 0..10 {
            g.iteration();
            acc = g.op("*", None, 2.0, &[(acc, 2.0), (x, 1.0)]);
        }
        g.exit_loop();
        let svg = g.finish(acc).folded(FOLD_AFTER).to_svg();
        assert_well_formed(&svg);
        assert!(svg.contains(">square</text>") && svg.contains("rx=\"8\""));
        assert!(svg.contains(">6 more iterations</text>") && svg.contains(">(6 nodes)</text>"));
        assert!(svg.contains("stroke-dasharray"));
    }

    #[test]
    fn empty_and_odd_graphs_are_well_formed() {
        let mut constant = Graph::new("constant");
        constant.input("x", 1.0);
        // The result read by a node recorded after it: that wire runs backwards.
        let mut early = Graph::new("early");
        let x = early.input("x", 1.0);
        let y = early.op("* 2.0", Some("y"), 2.0, &[(x, 2.0)]);
        early.op("exp", Some("z"), 7.4, &[(y, 7.4)]);
        let svgs = [Graph::new("empty"), constant.finish(Wire::NONE), early.finish(y)].map(|g| g.to_svg());
        svgs.iter().for_each(|svg| assert_well_formed(svg));
        assert!(!svgs[0].contains("<polyline") && !svgs[1].contains("<polyline") && svgs[1].contains(">x</text>"));
        assert!(svgs[2].matches("<polyline").count() == 3 && svgs[2].contains(">early</text>"));
    }
}
