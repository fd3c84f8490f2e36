//! The chain-rule examples of the backpropagation lecture, differentiated by chainrule.
//!
//!     cargo run --example lecture
//!
//! Every gradient printed here comes from code the macro wrote (`_grad`, `_vjp`, `_jvp`);
//! the only arithmetic done by hand is the forward pass and the products that spell out
//! the chain rule, and those are checked against the generated gradients.
//!
//! It also draws the lecture's computation graphs, from the functions' `_graph` companions,
//! into `lecture-graphs/*.svg` (values above each wire, gradients below).
//!
//! To read what the macro wrote: `cargo install cargo-expand`, then
//! `cargo expand -p chainrule-examples --example lecture`.

use chainrule::prelude::*;

mod functions;

use functions::{linear, neuron, patterns, simple};

fn main() {
    wx_plus_b();
    x_plus_y_times_z();
    sigmoid_neuron();
    gate_patterns();
    forward_mode();
    if let Err(e) = draw("lecture-graphs") {
        eprintln!("could not write the graphs: {e}");
        std::process::exit(1);
    }
}

/// Writes every picture of the lecture as SVG into `dir`.
fn draw(dir: &str) -> std::io::Result<()> {
    heading("6. The computation graphs, drawn from the generated code");
    std::fs::create_dir_all(dir)?;
    for p in functions::pictures() {
        let path = std::path::Path::new(dir).join(p.file);
        std::fs::write(&path, p.graph.to_svg_with(&p.style))?;
        println!("    {:<38}{}", path.display(), p.caption);
    }
    Ok(())
}

fn wx_plus_b() {
    let (w, x, b) = (-2.0, 5.0, 3.0);
    heading("1. f = w*x + b  at w = -2, x = 5, b = 3   (g = w*x, f = g + b)");

    section("forward");
    let (g, (dg_dw, dg_dx)) = linear::g_grad(w, x);
    let (f, (df_dg, df_db)) = linear::f_of_g_grad(g, b);
    row("g = w*x", g);
    row("f = g + b", f);

    section("local gradients");
    row("∂g/∂w = x", dg_dw);
    row("∂g/∂x = w", dg_dx);
    row("∂f/∂g", df_dg);
    row("∂f/∂b", df_db);

    section("gradient of every input: f_grad(w, x, b)");
    let (value, (dw, dx, db)) = linear::f_grad(w, x, b);
    assert_eq!(value, f);
    note("∂f/∂w", dw, &format!("= ∂f/∂g · ∂g/∂w = {} · {}", df_dg, dg_dw));
    note("∂f/∂x", dx, &format!("= ∂f/∂g · ∂g/∂x = {} · {}", df_dg, dg_dx));
    row("∂f/∂b", db);
    assert_eq!((dw, dx, db), (df_dg * dg_dw, df_dg * dg_dx, df_db));
}

fn x_plus_y_times_z() {
    let (x, y, z) = (-2.0, 5.0, -4.0);
    heading("2. f(x, y, z) = (x + y) z  at x = -2, y = 5, z = -4   (q = x + y, f = q z)");

    section("forward");
    let (q, (dq_dx, dq_dy)) = simple::q_grad(x, y);
    let (f, (df_dq, df_dz)) = simple::f_of_q_grad(q, z);
    row("q = x + y", q);
    row("f = q z", f);

    section("backward, from the output down");
    // The seed of a vjp is the gradient arriving from above; at the output it is ∂f/∂f.
    let seed = 1.0;
    let (_, (dx, dy, dz)) = simple::f_vjp(x, y, z, seed);
    row("∂f/∂f", seed);
    note("∂f/∂z", df_dz, "= q");
    note("∂f/∂q", df_dq, "= z");
    // Backprop through the q gate: its vjp multiplies the upstream gradient ∂f/∂q by
    // the local gradients ∂q/∂x = ∂q/∂y = 1.
    let (_, (dx_via_q, dy_via_q)) = simple::q_vjp(x, y, df_dq);
    note("∂f/∂x", dx_via_q, &format!("= ∂f/∂q · ∂q/∂x = {} · {}", df_dq, dq_dx));
    note("∂f/∂y", dy_via_q, &format!("= ∂f/∂q · ∂q/∂y = {} · {}", df_dq, dq_dy));
    assert_eq!((dx, dy, dz), (dx_via_q, dy_via_q, df_dz));
    println!("    f_vjp(x, y, z, 1.0) gives the same in one call: ({dx}, {dy}, {dz})");
}

fn sigmoid_neuron() {
    let (w0, x0, w1, x1, w2): (f64, f64, f64, f64, f64) = (2.0, -1.0, -3.0, -2.0, -3.0);
    heading("3. Sigmoid neuron f(w, x) = 1 / (1 + e^-(w0 x0 + w1 x1 + w2))");
    println!("   at w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3");

    // The forward pass, gate by gate, exactly as `neuron::gates` computes it.
    let p0 = w0 * x0;
    let p1 = w1 * x1;
    let s = p0 + p1;
    let z = s + w2;
    let n = -z;
    let e = n.exp();
    let den = e + 1.0;
    let f = 1.0 / den;

    // Upstream gradient at each gate: the gradient of the graph's tail at the gate's value.
    let (_, df_df) = neuron::f_of_f_grad(f);
    let (_, df_dden) = neuron::f_of_den_grad(den);
    let (_, df_de) = neuron::f_of_e_grad(e);
    let (_, df_dn) = neuron::f_of_n_grad(n);
    let (_, df_dz) = neuron::f_of_z_grad(z);
    let (_, (df_ds, _)) = neuron::f_of_s_grad(s, w2);
    let (_, (df_dp0, df_dp1, _)) = neuron::f_of_p_grad(p0, p1, w2);
    let (value, (dw0, dx0, dw1, dx1, dw2)) = neuron::gates_grad(w0, x0, w1, x1, w2);

    section("gate by gate: values flow down, gradients flow up");
    println!("    {:<6}{:<14}{:>10}{:>12}", "wire", "gate", "value", "∂f/∂wire");
    wire("w0", "input", w0, dw0);
    wire("x0", "input", x0, dx0);
    wire("w1", "input", w1, dw1);
    wire("x1", "input", x1, dx1);
    wire("w2", "input", w2, dw2);
    wire("p0", "w0 * x0", p0, df_dp0);
    wire("p1", "w1 * x1", p1, df_dp1);
    wire("s", "p0 + p1", s, df_ds);
    wire("z", "s + w2", z, df_dz);
    wire("n", "-z", n, df_dn);
    wire("e", "n.exp()", e, df_de);
    wire("den", "e + 1", den, df_dden);
    wire("f", "1 / den", f, df_df);
    assert_eq!(value, f);
    let chain = [df_df, df_dden, df_de, df_dn, df_dz, df_ds].map(|d| format!("{d:.2}")).join(" -> ");
    println!("    output to input, as the lecture rounds them: {chain}");

    section("gradient = local gradient · upstream gradient");
    note("1/x:  ∂f/∂den", df_dden, &format!("= -1/den² · ∂f/∂f = {:.6} · {}", -1.0 / (den * den), df_df));
    note("+1:   ∂f/∂e", df_de, &format!("= 1 · ∂f/∂den = 1 · {df_dden:.6}"));
    note("exp:  ∂f/∂n", df_dn, &format!("= e^n · ∂f/∂e = {e:.6} · {df_de:.6}"));
    note("*-1:  ∂f/∂z", df_dz, &format!("= -1 · ∂f/∂n = -1 · {df_dn:.6}"));
    note("mul:  ∂f/∂w0", dw0, &format!("= x0 · ∂f/∂p0 = {x0} · {df_dp0:.6}"));
    note("mul:  ∂f/∂x0", dx0, &format!("= w0 · ∂f/∂p0 = {w0} · {df_dp0:.6}"));

    section("the same neuron with the runtime's sigmoid, σ'(x) = σ(x)(1 − σ(x))");
    let (sigma, dsigma) = sigmoid_grad(z);
    note("σ(z)", sigma, "z = w0 x0 + w1 x1 + w2 = 1");
    note("σ'(z)", dsigma, &format!("= σ(1 − σ) = {:.6}", sigma * (1.0 - sigma)));
    let (value_s, (dw0_s, dx0_s, dw1_s, dx1_s, dw2_s)) = neuron::with_sigmoid_grad(w0, x0, w1, x1, w2);
    println!("    {:<14}{:>14}{:>14}", "", "gate by gate", "sigmoid");
    let pairs = [
        ("f", value, value_s),
        ("∂f/∂w0", dw0, dw0_s),
        ("∂f/∂x0", dx0, dx0_s),
        ("∂f/∂w1", dw1, dw1_s),
        ("∂f/∂x1", dx1, dx1_s),
        ("∂f/∂w2", dw2, dw2_s),
    ];
    let mut largest = 0.0_f64;
    for (name, by_gates, by_sigmoid) in pairs {
        println!("    {name:<14}{by_gates:>14.6}{by_sigmoid:>14.6}");
        largest = largest.max((by_gates - by_sigmoid).abs());
    }
    println!("    largest difference: {largest:.1e}");
    assert!(largest < 1e-15);
}

fn gate_patterns() {
    heading("4. Patterns in backward flow   (upstream gradient 2 at each gate's output)");
    let upstream = 2.0;

    section("add gate: gradient distributor");
    pair("x + y  at (3, -4)", patterns::add_vjp(3.0, -4.0, upstream).1);

    section("max gate: gradient router");
    pair("max(x, y)  at (-1, 2)", patterns::max_vjp(-1.0, 2.0, upstream).1);
    // The lecture's argument in forward mode: nudge one input by δ, see what the output does.
    let (_, nudge_x) = patterns::max_jvp(-1.0, 1.0, 2.0, 0.0);
    let (_, nudge_y) = patterns::max_jvp(-1.0, 0.0, 2.0, 1.0);
    note("max(-1 + δ, 2) moves by", nudge_x, "· δ");
    note("max(-1, 2 + δ) moves by", nudge_y, "· δ");
    println!("    equal inputs: the gradient is split, 1/2 to each (our documented choice)");
    pair("max(x, y)  at (2, 2)", patterns::max_vjp(2.0, 2.0, upstream).1);

    section("mul gate: gradient switcher (each input gets the other input)");
    pair("x * y  at (3, -4)", patterns::mul_vjp(3.0, -4.0, upstream).1);

    section("gradients add at branches: f = 3x + x²  at x = 2");
    let (_, from_left) = patterns::left_grad(2.0);
    let (_, from_right) = patterns::right_grad(2.0);
    let (_, total) = patterns::branches_grad(2.0);
    row("through 3x", from_left);
    row("through x²", from_right);
    note("∂f/∂x", total, &format!("= {from_left} + {from_right}"));
    assert_eq!(total, from_left + from_right);
}

fn forward_mode() {
    heading("5. Forward mode agrees with reverse mode");
    let (w0, x0, w1, x1, w2) = (2.0, -1.0, -3.0, -2.0, -3.0);
    // A direction v in input space; forward mode gives ∇f · v in one pass.
    let v = [1.0, 0.5, -1.0, 2.0, 0.25];
    let (_, (dw0, dx0, dw1, dx1, dw2)) = neuron::gates_grad(w0, x0, w1, x1, w2);
    let (_, tangent) = neuron::gates_jvp(w0, v[0], x0, v[1], w1, v[2], x1, v[3], w2, v[4]);
    let dot = dw0 * v[0] + dx0 * v[1] + dw1 * v[2] + dx1 * v[3] + dw2 * v[4];
    println!("    direction v = {v:?}");
    row("gates_jvp (forward)", tangent);
    row("gates_grad · v (reverse)", dot);
    println!("    difference: {:.1e}", (tangent - dot).abs());
    assert!((tangent - dot).abs() < 1e-15);
}

fn heading(title: &str) {
    println!("\n{title}");
}

fn section(title: &str) {
    println!("  {title}");
}

fn row(label: &str, value: f64) {
    println!("    {label:<26}{value:>10.6}");
}

fn note(label: &str, value: f64, note: &str) {
    println!("    {label:<26}{value:>10.6}   {note}");
}

fn wire(name: &str, gate: &str, value: f64, gradient: f64) {
    println!("    {name:<6}{gate:<14}{value:>10.6}{gradient:>12.6}");
}

fn pair(label: &str, (dx, dy): (f64, f64)) {
    println!("    {label:<26}∂/∂x {dx:>10.6}   ∂/∂y {dy:>10.6}");
}
