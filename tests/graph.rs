//! `#[differentiable(graph)]`: the recorded graph's values are `f`'s, and its own backward
//! sweep gives `f_grad`'s gradients, on straight-line code, loops, branches, arrays, calls,
//! tuples and generic floats; folding keeps what it folds accountable.

use chainrule::graph::{Graph, NodeKind};
use chainrule::prelude::*;
use proptest::prelude::*;

#[differentiable(graph)]
fn simple(x: f64, y: f64, z: f64) -> f64 {
    let q = x + y;
    q * z
}

#[differentiable]
fn square(x: f64) -> f64 {
    x * x
}

/// Loops, a branch, a local array written and read back, a call and a constant.
#[differentiable(graph)]
fn mixed(xs: &[f64], w: f64, #[no_grad] scale: f64) -> f64 {
    let mut h = vec![0.0; xs.len()];
    for i in 0..xs.len() {
        h[i] = (w * xs[i]).tanh();
    }
    let mut acc = 0.0;
    for i in 0..h.len() {
        if h[i] > 0.0 {
            acc += square(h[i]) * scale;
        } else {
            acc -= h[i].exp();
        }
    }
    let mut k = 0;
    while k < 2 {
        acc = acc * w + 1.0;
        k += 1;
    }
    acc.max(w)
}

#[differentiable(graph)]
fn tuple_early((a, b): (f64, f64), c: f64) -> f64 {
    if c > 10.0 {
        return a;
    }
    let r = a.hypot(b) * c;
    r.powi(3) / (1.0 + b * b)
}

#[differentiable(graph)]
fn generic<F: Float>(x: [F; 3]) -> F {
    let mut s = F::from_f64(0.0);
    for i in 0..3 {
        s += x[i].sin() * x[(i + 1) % 3];
    }
    s
}

/// Recursion: each call of itself is one node.
#[differentiable(graph)]
fn power(x: f64, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    x * power(x, n - 1)
}

/// `while` with `break`, `for` with `continue`, a variable renamed by reassignment.
#[allow(clippy::let_and_return)]
#[differentiable(graph)]
fn loops(x: f64, y: f64) -> f64 {
    let mut s = x;
    let mut k = 0;
    while s < 10.0 {
        s = s * y + 1.0;
        k += 1;
        if k > 5 {
            break;
        }
    }
    let mut t = 0.0;
    for i in 0..4 {
        if i == 2 {
            continue;
        }
        t += s * (i as f64);
    }
    let r = t.sqrt();
    let r = r * x;
    r
}

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiable]
fn norm3(v: [f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

/// Calls reading arrays: a slice parameter and parts of it (twice in one call), constant
/// data, and a local array passed by value.
#[differentiable(graph)]
fn with_arrays(w: &[f64], x: f64, #[no_grad] data: &[f64]) -> f64 {
    let h = [x, 2.0 * x, w[0]];
    dot(w, &data[1..]) * x + dot(&w[1..], &w[..2]) + norm3(h)
}

#[test]
fn simple_graph_has_the_lectures_numbers() {
    let g = simple_graph(-2.0, 5.0, -4.0);
    let (value, (dx, dy, dz)) = simple_grad(-2.0, 5.0, -4.0);
    assert_eq!(g.output().unwrap().value, value);
    let q = g.node("q").unwrap();
    assert_eq!((q.value, q.gradient, q.op.as_str()), (3.0, -4.0, "+"));
    for (name, d) in [("x", dx), ("y", dy), ("z", dz)] {
        assert_eq!(g.node(name).unwrap().gradient, d, "{name}");
    }
    assert_eq!((g.nodes().len(), g.edges().len()), (5, 4));
}

#[test]
fn simple_graph_dot_is_pinned() {
    let dot = simple_graph(-2.0, 5.0, -4.0).to_dot();
    let value =
        |v: &str, g: &str| format!("<<font color=\"#2b8a3e\">{v}</font><br/><font color=\"#c92a2a\">{g}</font>>");
    let expected = [
        "digraph \"simple\" {".to_string(),
        "  rankdir=LR;".into(),
        "  node [fontname=\"Helvetica\"];".into(),
        "  edge [fontname=\"Helvetica\"];".into(),
        "  n0 [shape=plaintext, label=\"x\"];".into(),
        "  n1 [shape=plaintext, label=\"y\"];".into(),
        "  n2 [shape=plaintext, label=\"z\"];".into(),
        "  n3 [shape=circle, label=\"+\", xlabel=\"q\"];".into(),
        "  n4 [shape=circle, label=\"*\"];".into(),
        format!("  n0 -> n3 [label={}];", value("-2.00", "-4.00")),
        format!("  n1 -> n3 [label={}];", value("5.00", "-4.00")),
        format!("  n3 -> n4 [label={}];", value("3.00", "-4.00")),
        format!("  n2 -> n4 [label={}];", value("-4.00", "3.00")),
        "  out [shape=plaintext, label=\"simple\"];".into(),
        format!("  n4 -> out [label={}];", value("-12.00", "1.00")),
        "}".into(),
    ];
    assert_eq!(dot.lines().collect::<Vec<_>>(), expected);
}

/// A node's gradient is the sum of what flows back along its wires, and every wire carries
/// its head's gradient times its partial.
fn check_sweep(g: &Graph) {
    for (i, n) in g.nodes().iter().enumerate() {
        if Some(i) == g.output_index() {
            assert_eq!(n.gradient, 1.0);
            continue;
        }
        let along: f64 = g.outgoing(i).map(|e| e.gradient).sum();
        assert!((n.gradient - along).abs() <= 1e-12 * (1.0 + along.abs()), "node {i}: {} vs {along}", n.gradient);
    }
    for e in g.edges() {
        assert_eq!(e.gradient, g.nodes()[e.to].gradient * e.partial);
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #[test]
    fn mixed_graph_agrees_with_grad(xs in prop::collection::vec(-2.0..2.0f64, 1..6), w in -1.5..1.5f64, scale in 0.5..2.0f64) {
        let g = mixed_graph(&xs, w, scale);
        let mut dxs = vec![0.0; xs.len()];
        let (value, dw) = mixed_vjp(&xs, &mut dxs, w, scale, 1.0);
        prop_assert_eq!(g.output().unwrap().value, value);
        for (i, d) in dxs.iter().enumerate() {
            let node = g.node(&format!("xs[{i}]")).unwrap();
            prop_assert!(close(node.gradient, *d), "xs[{}]: {} vs {}", i, node.gradient, d);
        }
        prop_assert!(close(g.node("w").unwrap().gradient, dw));
        prop_assert!(g.node("scale").is_none(), "a #[no_grad] parameter is a constant, not drawn");
        // The array's elements are named where they are written, the accumulator where it is set.
        let named = (0..xs.len()).all(|i| g.node(&format!("h[{i}]")).is_some());
        prop_assert!(named);
        prop_assert!(g.node("acc").is_some());
        check_sweep(&g);
    }

    #[test]
    fn tuple_and_early_return_agree_with_grad(a in -2.0..2.0f64, b in -2.0..2.0f64, c in -12.0..12.0f64) {
        let g = tuple_early_graph((a, b), c);
        let (value, ((da, db), dc)) = tuple_early_grad((a, b), c);
        prop_assert_eq!(g.output().unwrap().value, value);
        for (name, d) in [("a", da), ("b", db), ("c", dc)] {
            let got = g.node(name).map_or(0.0, |n| n.gradient);
            prop_assert!(close(got, d), "{}: {} vs {}", name, got, d);
        }
        check_sweep(&g);
    }

    #[test]
    fn recursion_and_loops_agree_with_grad(x in 0.2..3.0f64, y in 0.5..2.5f64, n in 0usize..5) {
        let g = power_graph(x, n);
        let (value, dx) = power_grad(x, n);
        prop_assert_eq!(g.output().map_or(1.0, |o| o.value), value);
        prop_assert!(close(g.node("x").unwrap().gradient, dx));
        let calls = g.nodes().iter().filter(|node| node.kind == NodeKind::Call).count();
        prop_assert_eq!(calls, n.min(1), "the outer call only: the callee's own calls are inside its node");
        let g = loops_graph(x, y);
        let (value, (dx, dy)) = loops_grad(x, y);
        prop_assert_eq!(g.output().unwrap().value, value);
        prop_assert!(close(g.node("x").unwrap().gradient, dx) && close(g.node("y").unwrap().gradient, dy));
        prop_assert_eq!(g.output().unwrap().name.as_deref(), Some("r"));
        check_sweep(&g);
    }

    #[test]
    fn calls_reading_arrays_agree_with_grad(w in prop::collection::vec(-2.0..2.0f64, 3), x in -2.0..2.0f64) {
        let data = [1.0, 2.0, -3.0, 0.5];
        let g = with_arrays_graph(&w, x, &data);
        let mut dw = [0.0; 3];
        let (value, dx) = with_arrays_vjp(&w, &mut dw, x, &data, 1.0);
        prop_assert_eq!(g.output().unwrap().value, value);
        for (k, d) in dw.iter().enumerate() {
            let got = g.node(&format!("w[{k}]")).unwrap().gradient;
            prop_assert!(close(got, *d), "w[{}]: {} vs {}", k, got, d);
        }
        prop_assert!(close(g.node("x").unwrap().gradient, dx));
        // Each call is one node; `dot(&w[1..], &w[..2])` has a wire from each element it reads.
        let calls: Vec<usize> = (0..g.nodes().len()).filter(|&i| g.nodes()[i].kind == NodeKind::Call).collect();
        prop_assert_eq!(calls.len(), 3);
        prop_assert_eq!(g.incoming(calls[1]).count(), 4);
        check_sweep(&g);
    }

    #[test]
    fn generic_graph_agrees_with_grad_in_f32_and_f64(x in prop::array::uniform3(-2.0..2.0f64)) {
        let g = generic_graph(x);
        let (value, dx) = generic_grad(x);
        prop_assert_eq!(g.output().unwrap().value, value);
        for (i, d) in dx.iter().enumerate() {
            let got = g.node(&format!("x[{i}]")).unwrap().gradient;
            prop_assert!(close(got, *d));
        }
        let x32 = x.map(|v| v as f32);
        let g32 = generic_graph(x32);
        let (value32, dx32) = generic_grad(x32);
        prop_assert_eq!(g32.output().unwrap().value, value32 as f64);
        for (i, d) in dx32.iter().enumerate() {
            let got = g32.node(&format!("x[{i}]")).unwrap().gradient;
            prop_assert!((got - *d as f64).abs() <= 1e-5 * (1.0 + got.abs()));
        }
    }
}

#[test]
fn a_call_is_one_node_with_the_callees_gradient() {
    let g = mixed_graph(&[0.5, 1.0], 0.8, 2.0);
    let calls: Vec<_> = g.nodes().iter().filter(|n| n.kind == NodeKind::Call).collect();
    assert_eq!(calls.len(), 2, "square is called once per positive h[i]");
    for (i, n) in g.nodes().iter().enumerate().filter(|(_, n)| n.kind == NodeKind::Call) {
        assert_eq!(n.op, "square");
        let edge = g.incoming(i).next().unwrap();
        let h = g.nodes()[edge.from].value;
        assert_eq!(edge.partial, 2.0 * h);
    }
}

#[test]
fn folding_keeps_inputs_the_output_and_what_flows_back() {
    let xs: Vec<f64> = (0..12).map(|i| 0.1 * i as f64 - 0.5).collect();
    let g = mixed_graph(&xs, 0.7, 1.5);
    let folded = g.folded(2);
    assert!(folded.nodes().len() < g.nodes().len() / 2, "{} of {}", folded.nodes().len(), g.nodes().len());
    // Every input survives with its gradient; the output is the same node value.
    let inputs: Vec<_> = g.inputs().map(|n| (n.op.clone(), n.gradient)).collect();
    let kept: Vec<_> = folded.inputs().map(|n| (n.op.clone(), n.gradient)).collect();
    assert_eq!(inputs, kept);
    assert_eq!(folded.output().unwrap().value, g.output().unwrap().value);
    // Two loops of 12 iterations: iterations 2..=10 of each fold into one node.
    let folds: Vec<(usize, usize)> = folded
        .nodes()
        .iter()
        .filter_map(|n| match n.kind {
            NodeKind::Folded { nodes, iterations } => Some((nodes, iterations)),
            _ => None,
        })
        .collect();
    assert_eq!(folds.len(), 2);
    assert!(folds.iter().all(|&(nodes, iterations)| iterations == 9 && nodes >= 9));
    // What flows back out of a fold into an input is what flowed along the wires it merged.
    for (i, n) in folded.nodes().iter().enumerate().filter(|(_, n)| n.kind == NodeKind::Input) {
        let along: f64 = folded.outgoing(i).map(|e| e.gradient).sum();
        assert!(close(n.gradient, along), "{}: {} vs {along}", n.op, n.gradient);
    }
    // Nothing to fold: the same graph.
    assert_eq!(g.folded(100).nodes(), g.nodes());
    // The drawings fold by default, and draw every iteration when told to.
    for drawing in [g.to_dot(), g.to_svg()] {
        assert_eq!(drawing.matches("8 more iterations").count(), 2, "iterations 3..=10 of each loop");
    }
    let all = chainrule::graph::Style { fold_after: usize::MAX, ..Default::default() };
    assert!(!g.to_dot_with(&all).contains("more iterations"));
    assert_eq!(g.to_dot_with(&all).matches(" -> ").count(), g.edges().len() + 1);
}
