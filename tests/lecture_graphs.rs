//! The lecture's computation graphs, as `cargo run --example lecture` draws them: every
//! number the lecture writes on them is read back from the graph (not from `f_grad`), the
//! SVGs are well-formed XML, and the README's picture is the one the code draws today.
//!
//! After a deliberate change to the drawings: `CHAINRULE_BLESS=1 cargo test --test
//! lecture_graphs` rewrites `docs/neuron-gates.svg`.

#[allow(dead_code)]
#[path = "../examples/lecture/functions.rs"]
mod functions;

use chainrule::graph::{Graph, Node};
use functions::{Picture, linear, network, neuron, patterns, pictures, simple};

fn node<'a>(g: &'a Graph, name: &str) -> &'a Node {
    g.node(name).unwrap_or_else(|| panic!("{} has no node `{name}`", g.name()))
}

/// `got` against an exact value, and the lecture's rounded figure within its rounding.
fn lecture(what: &str, got: f64, exact: f64, rounded: f64, digits: i32) {
    assert!((got - exact).abs() < 1e-12, "{what}: {got} vs {exact}");
    assert!((got - rounded).abs() <= 0.5 * 10f64.powi(-digits) + 1e-12, "{what}: {got} vs the lecture's {rounded}");
}

/// The gradient flowing back along the wire from `from` into the node `into`.
fn wire(g: &Graph, from: &str, into: usize) -> f64 {
    let i = g.nodes().iter().rposition(|n| n.name.as_deref() == Some(from)).unwrap();
    g.edges().iter().find(|e| e.from == i && e.to == into).unwrap().gradient
}

#[test]
fn x_plus_y_times_z() {
    let g = simple::f_graph(-2.0, 5.0, -4.0);
    let (value, (dx, dy, dz)) = simple::f_grad(-2.0, 5.0, -4.0);
    assert_eq!(g.output().unwrap().value, -12.0);
    assert_eq!(value, -12.0);
    assert_eq!((node(&g, "q").value, node(&g, "q").gradient), (3.0, -4.0));
    let inputs: Vec<f64> = ["x", "y", "z"].iter().map(|n| node(&g, n).gradient).collect();
    assert_eq!(inputs, [-4.0, -4.0, 3.0]);
    assert_eq!(inputs, [dx, dy, dz]);
}

#[test]
fn wx_plus_b_with_the_gate_as_a_call() {
    let g = linear::f_graph(-2.0, 5.0, 3.0);
    assert_eq!(g.output().unwrap().value, -7.0);
    let call = g.nodes().iter().position(|n| n.op == "g").unwrap();
    assert_eq!(g.nodes()[call].value, -10.0);
    assert_eq!(g.nodes()[call].gradient, 1.0);
    // The call's wires carry its local gradients ∂g/∂w = x, ∂g/∂x = w.
    let partials: Vec<f64> = g.incoming(call).map(|e| e.partial).collect();
    assert_eq!(partials, [5.0, -2.0]);
    let grads: Vec<f64> = ["w", "x", "b"].iter().map(|n| node(&g, n).gradient).collect();
    assert_eq!(grads, [5.0, -2.0, 1.0]);
}

#[test]
fn sigmoid_neuron_gate_by_gate() {
    let (w0, x0, w1, x1, w2) = (2.0, -1.0, -3.0, -2.0, -3.0);
    let g = neuron::gates_graph(w0, x0, w1, x1, w2);
    let f = 1.0 / (1.0 + (-1.0f64).exp());
    let out = g.output_index().unwrap();
    lecture("f", g.nodes()[out].value, f, 0.73, 2);
    // The lecture's backward pass, output to input: 1.00, -0.53, -0.53, -0.20, 0.20, ...
    let den = 1.0 + (-1.0f64).exp();
    assert_eq!(g.nodes()[out].gradient, 1.0);
    lecture("∂f/∂den", node(&g, "den").gradient, -1.0 / (den * den), -0.53, 2);
    lecture("∂f/∂e", node(&g, "e").gradient, -1.0 / (den * den), -0.53, 2);
    lecture("∂f/∂n", node(&g, "n").gradient, -(-1.0f64).exp() / (den * den), -0.20, 2);
    let dz = f * (1.0 - f);
    lecture("∂f/∂z", node(&g, "z").gradient, dz, 0.20, 2);
    for name in ["s", "p0", "p1", "w2"] {
        lecture(&format!("∂f/∂{name}"), node(&g, name).gradient, dz, 0.20, 2);
    }
    // x0: (2)(0.20) = 0.40 and w0: (-1)(0.20) = -0.20 in the lecture's rounding.
    lecture("∂f/∂x0", node(&g, "x0").gradient, w0 * dz, 0.39, 2);
    lecture("∂f/∂w0", node(&g, "w0").gradient, x0 * dz, -0.20, 2);
    lecture("∂f/∂w1", node(&g, "w1").gradient, x1 * dz, -0.39, 2);
    lecture("∂f/∂x1", node(&g, "x1").gradient, w1 * dz, -0.59, 2);
    let values = [("p0", -2.0), ("p1", 6.0), ("s", 4.0), ("z", 1.0), ("n", -1.0)];
    for (name, v) in values {
        assert_eq!(node(&g, name).value, v, "{name}");
    }
    lecture("e", node(&g, "e").value, (-1.0f64).exp(), 0.37, 2);
    lecture("den", node(&g, "den").value, den, 1.37, 2);
    // And the same as f_grad's.
    let (_, (dw0, dx0, dw1, dx1, dw2)) = neuron::gates_grad(w0, x0, w1, x1, w2);
    let by_graph: Vec<f64> = ["w0", "x0", "w1", "x1", "w2"].iter().map(|n| node(&g, n).gradient).collect();
    assert_eq!(by_graph, [dw0, dx0, dw1, dx1, dw2]);
}

#[test]
fn sigmoid_neuron_with_the_primitive() {
    let gates = neuron::gates_graph(2.0, -1.0, -3.0, -2.0, -3.0);
    let g = neuron::with_sigmoid_graph(2.0, -1.0, -3.0, -2.0, -3.0);
    let out = g.output_index().unwrap();
    assert_eq!(g.nodes()[out].op, "sigmoid");
    let f = g.nodes()[out].value;
    assert!((f - gates.output().unwrap().value).abs() < 1e-15);
    // Its one wire carries the local gradient σ(1 - σ) = 0.20.
    let local = g.incoming(out).next().unwrap().partial;
    lecture("σ'(z)", local, f * (1.0 - f), 0.20, 2);
    for name in ["w0", "x0", "w1", "x1", "w2"] {
        assert!((node(&g, name).gradient - node(&gates, name).gradient).abs() < 1e-15, "{name}");
    }
}

#[test]
fn max_gate_routes_and_splits() {
    let g = patterns::max_graph(-1.0, 2.0);
    assert_eq!(g.output().unwrap().value, 2.0);
    assert_eq!((node(&g, "x").gradient, node(&g, "y").gradient), (0.0, 1.0));
    let g = patterns::max_graph(2.0, 2.0);
    assert_eq!((node(&g, "x").gradient, node(&g, "y").gradient), (0.5, 0.5));
}

#[test]
fn gradients_add_at_branches() {
    let g = patterns::branches_graph(2.0);
    assert_eq!(g.output().unwrap().value, 10.0);
    assert_eq!((node(&g, "left").value, node(&g, "right").value), (6.0, 4.0));
    let at = |name: &str| g.nodes().iter().position(|n| n.name.as_deref() == Some(name)).unwrap();
    let (left, right) = (at("left"), at("right"));
    // 3 along the wire into 3x, 2x = 4 along the wire into x * x, 7 in all.
    assert_eq!(wire(&g, "x", left), 3.0);
    assert_eq!(wire(&g, "x", right), 4.0);
    assert_eq!(node(&g, "x").gradient, 7.0);
    assert_eq!(patterns::branches_grad(2.0).1, 7.0);
    // The drawing writes the sum under x, beside its wires' 3 and 4.
    let svg = g.to_svg();
    assert!(svg.contains(">Σ 7.00<") && svg.contains(">3.00<") && svg.contains(">4.00<"));
}

#[test]
fn two_two_two_network_forward_and_backward() {
    let g = network::graph();
    let forward = [
        ("net_h1", 0.3775),
        ("out_h1", 0.593269992),
        ("out_h2", 0.596884378),
        ("net_o1", 1.105905967),
        ("out_o1", 0.75136507),
        ("out_o2", 0.772928465),
        ("e_o1", 0.274811083),
        ("e_o2", 0.023560026),
    ];
    for (name, v) in forward {
        assert!((node(&g, name).value - v).abs() < 1e-8, "{name}: {} vs {v}", node(&g, name).value);
    }
    assert!((g.output().unwrap().value - 0.298371109).abs() < 1e-8);
    let backward = [
        ("out_o1", 0.74136507),
        ("net_o1", 0.138498562),
        ("w5", 0.082167041),
        ("out_h1", 0.036350306),
        ("w1", 0.000438568),
    ];
    for (name, d) in backward {
        assert!((node(&g, name).gradient - d).abs() < 1e-8, "∂E/∂{name}: {} vs {d}", node(&g, name).gradient);
    }
    // ∂E_o1/∂out_h1 and ∂E_o2/∂out_h1: what flows back along out_h1's wires into w5·out_h1
    // and w7·out_h1; and the local gradient ∂out_h1/∂net_h1 on the wire into the sigmoid.
    let out_h1 = g.nodes().iter().position(|n| n.name.as_deref() == Some("out_h1")).unwrap();
    let along: Vec<f64> = g.outgoing(out_h1).map(|e| e.gradient).collect();
    assert_eq!(along.len(), 2);
    assert!((along[0] - 0.055399425).abs() < 1e-8 && (along[1] + 0.019049119).abs() < 1e-8, "{along:?}");
    let local = g.incoming(out_h1).next().unwrap().partial;
    assert!((local - 0.241300709).abs() < 1e-8);
    // Every input's gradient is f_grad's.
    let [w1, w2, w3, w4, b1, w5, w6, w7, w8, b2] = network::WEIGHTS;
    let ([i1, i2], [t1, t2]) = (network::INPUTS, network::TARGETS);
    let (_, grad) = network::error_grad(w1, w2, w3, w4, b1, w5, w6, w7, w8, b2, i1, i2, t1, t2);
    let grad = [grad.0, grad.1, grad.2, grad.3, grad.4, grad.5, grad.6, grad.7, grad.8, grad.9];
    let names = ["w1", "w2", "w3", "w4", "b1", "w5", "w6", "w7", "w8", "b2"];
    for (name, d) in names.iter().zip(grad) {
        assert_eq!(node(&g, name).gradient, d, "{name}");
    }
}

/// Well-formed XML, as far as an SVG of ours can be wrong: every tag closed in order, every
/// attribute quoted, no bare `&` or `<` in text.
fn well_formed(svg: &str) -> Result<(), String> {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg.trim_start();
    if rest.starts_with("<?xml") {
        rest = &rest[rest.find("?>").ok_or("unclosed declaration")? + 2..];
    }
    while let Some(lt) = rest.find('<') {
        check_text(&rest[..lt])?;
        let gt = rest[lt..].find('>').ok_or("unclosed tag")? + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match open.pop() {
                Some(o) if o == name.trim() => continue,
                o => return Err(format!("</{name}> closes {o:?}")),
            }
        }
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':') {
            return Err(format!("bad tag <{tag}>"));
        }
        if !tag.matches('"').count().is_multiple_of(2) || tag.contains('<') {
            return Err(format!("bad attributes in <{tag}>"));
        }
        if !tag.ends_with('/') {
            open.push(name);
        }
    }
    check_text(rest)?;
    match open.as_slice() {
        [] if svg.contains("<svg") => Ok(()),
        [] => Err("no <svg>".into()),
        o => Err(format!("unclosed {o:?}")),
    }
}

fn check_text(text: &str) -> Result<(), String> {
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
        let known = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"];
        let numeric = entity.starts_with("&#") && entity.ends_with(';');
        if !(known.contains(&entity) || numeric) {
            return Err(format!("bare & in {text:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_picture_is_well_formed_svg() {
    let all: Vec<Picture> = pictures();
    assert_eq!(all.len(), 9);
    for p in &all {
        let svg = p.graph.to_svg_with(&p.style);
        well_formed(&svg).unwrap_or_else(|e| panic!("{}: {e}", p.file));
        assert!(svg.starts_with("<svg") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""), "{}", p.file);
    }
    assert!(well_formed("<svg><g></svg>").is_err() && well_formed("<svg>a & b</svg>").is_err());
}

#[test]
fn the_readme_picture_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/neuron-gates.svg");
    let p = pictures().into_iter().find(|p| p.file == "neuron-gates.svg").unwrap();
    let svg = p.graph.to_svg_with(&p.style);
    if std::env::var_os("CHAINRULE_BLESS").is_some() {
        std::fs::write(path, &svg).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == svg,
        "docs/neuron-gates.svg is stale: run `CHAINRULE_BLESS=1 cargo test --test lecture_graphs` and commit it"
    );
}
