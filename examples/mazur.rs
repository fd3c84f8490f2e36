//! The lecture's worked example (Matt Mazur's 2-2-2 network): one forward pass, the error,
//! every ∂E/∂w, and one SGD step, through the runtime's model, loss and optimizer.
//!
//!     cargo run --example mazur
//!
//! Every number the lecture prints is printed beside its lecture value and checked to 1e-8.
//! The gradients are the model's (its backward pass is the one `#[differentiable]` wrote);
//! the only arithmetic done here spells out the lecture's chain-rule products, and those are
//! checked against what the model computed.

use chainrule::kernels::f64::dense_identity;
use chainrule::layer::{Activation, Dense, Layer};
use chainrule::loss::{half_squared_error, half_squared_error_grad, half_squared_error_vjp};
use chainrule::model::Sequential;
use chainrule::optim::{Optimizer, Sgd};
use chainrule::prelude::*;

/// Prints quantities beside the values they must equal, counting mismatches.
struct Report {
    mismatches: usize,
}

impl Report {
    fn line(&mut self, name: &str, value: f64, against: Option<(&str, f64)>) {
        let Some((source, expected)) = against else {
            return println!("  {name:<18} = {value:>13.9}");
        };
        let ok = (value - expected).abs() < 1e-8;
        self.mismatches += usize::from(!ok);
        let verdict = if ok { "ok" } else { "MISMATCH" };
        println!("  {name:<18} = {value:>13.9}   {source:<7} {expected:>13.9}  {verdict}");
    }

    /// A number the lecture prints.
    fn lecture(&mut self, name: &str, value: f64, expected: f64) {
        self.line(name, value, Some(("lecture", expected)));
    }

    /// A product spelled out here against what the model's backward pass computed.
    fn check(&mut self, name: &str, value: f64, model: f64) {
        self.line(name, value, Some(("model", model)));
    }
}

fn main() -> Result<(), String> {
    let inputs = [0.05, 0.10];
    let targets = [0.01, 0.99];
    // Weights are inputs×outputs: row i holds the weights out of input i, so w1 (i1→h1) is
    // at (0, 0), w2 (i2→h1) at (1, 0), w3 (i1→h2) at (0, 1), w4 (i2→h2) at (1, 1); likewise
    // w5..w8. Each layer's one bias is shared by its two units, as in the lecture.
    let (hidden_w, hidden_b) = (vec![0.15, 0.25, 0.20, 0.30], vec![0.35, 0.35]);
    let (output_w, output_b) = (vec![0.40, 0.50, 0.45, 0.55], vec![0.60, 0.60]);
    // Lecture order w1, w2, w3, w4 → positions in the weight matrix.
    const ORDER: [usize; 4] = [0, 2, 1, 3];
    let mut model = Sequential::new(vec![
        Box::new(Dense::from_parts(hidden_w.clone(), hidden_b.clone(), Activation::Sigmoid)) as Box<dyn Layer<f64>>,
        Box::new(Dense::from_parts(output_w.clone(), output_b.clone(), Activation::Sigmoid)),
    ]);
    let mut r = Report { mismatches: 0 };

    let e_total = model.loss_and_gradient(&inputs, 1, |out, dout| half_squared_error_vjp(out, dout, &targets, 1.0).0);
    let (out_h, out_o) = (model.layer_output(0).to_vec(), model.layer_output(1).to_vec());
    // The model keeps only activations; the nets are the same layers without the squashing.
    let mut net_h = [0.0; 2];
    dense_identity(&hidden_w, &hidden_b, &inputs, &mut net_h, 1, 0.0);
    let mut net_o = [0.0; 2];
    dense_identity(&output_w, &output_b, &out_h, &mut net_o, 1, 0.0);

    println!("Forward pass (i1 = 0.05, i2 = 0.10)");
    r.lecture("net_h1", net_h[0], 0.3775);
    r.lecture("out_h1", out_h[0], 0.593269992);
    r.lecture("out_h2", out_h[1], 0.596884378);
    // The lecture prints 1.1059035967, with a stray digit: w5·out_h1 + w6·out_h2 + b2 is this.
    r.lecture("net_o1", net_o[0], 1.105905967);
    r.lecture("out_o1", out_o[0], 0.75136507);
    r.lecture("out_o2", out_o[1], 0.772928465);

    println!("\nError E = Σ ½(target − out)² (targets 0.01, 0.99)");
    r.lecture("E_o1", half_squared_error(&out_o[..1], &targets[..1]), 0.274811083);
    r.lecture("E_o2", half_squared_error(&out_o[1..], &targets[1..]), 0.023560026);
    r.lecture("E_total", e_total, 0.298371109);

    let params = model.parameters();
    let (dw14, db_h, dw58, db_o) = (params[0].gradient, params[1].gradient, params[2].gradient, params[3].gradient);
    let (_, de_dout) = half_squared_error_grad(&out_o, &targets);
    let (_, dout_o1_dnet) = sigmoid_grad(net_o[0]);
    // A unit's bias gradient is its delta ∂E/∂net (the bias enters net with weight 1).
    let (delta_o1, delta_o2) = (db_o[0], db_o[1]);

    println!("\nBackward pass, output layer: ∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5");
    r.lecture("∂E/∂out_o1", de_dout[0], 0.74136507);
    r.lecture("∂out_o1/∂net_o1", dout_o1_dnet, 0.186815602);
    r.lecture("∂net_o1/∂w5", out_h[0], 0.593269992);
    r.lecture("δ_o1 = ∂E/∂net_o1", delta_o1, 0.138498562);
    r.check("  the product", de_dout[0] * dout_o1_dnet, delta_o1);
    for (k, &i) in ORDER.iter().enumerate() {
        match k {
            0 => r.lecture("∂E/∂w5", dw58[i], 0.082167041),
            _ => r.line(&format!("∂E/∂w{}", k + 5), dw58[i], None),
        }
    }

    println!("\nBackward pass, hidden layer: ∂E/∂w1 = ∂E/∂out_h1 · ∂out_h1/∂net_h1 · ∂net_h1/∂w1");
    let de_o1_dout_h1 = delta_o1 * output_w[0]; // δ_o1 · w5
    let de_o2_dout_h1 = delta_o2 * output_w[1]; // δ_o2 · w7
    let (_, dout_h1_dnet) = sigmoid_grad(net_h[0]);
    r.lecture("∂E_o1/∂out_h1", de_o1_dout_h1, 0.055399425);
    r.lecture("∂E_o2/∂out_h1", de_o2_dout_h1, -0.019049119);
    r.lecture("∂E/∂out_h1", de_o1_dout_h1 + de_o2_dout_h1, 0.036350306);
    r.lecture("∂out_h1/∂net_h1", dout_h1_dnet, 0.241300709);
    r.lecture("∂net_h1/∂w1", inputs[0], 0.05);
    r.check("δ_h1 = ∂E/∂net_h1", (de_o1_dout_h1 + de_o2_dout_h1) * dout_h1_dnet, db_h[0]);
    for (k, &i) in ORDER.iter().enumerate() {
        match k {
            0 => r.lecture("∂E/∂w1", dw14[i], 0.000438568),
            _ => r.line(&format!("∂E/∂w{}", k + 1), dw14[i], None),
        }
    }
    drop(params);

    // η = 0.5; the lecture leaves the biases alone.
    let mut sgd = Sgd::new(0.5);
    for (slot, p) in model.parameters().into_iter().enumerate() {
        if p.name == "weights" {
            sgd.update(slot, p.values, p.gradient);
        }
    }
    let params = model.parameters();
    println!("\nAfter one step of w ← w − η·∂E/∂w with η = 0.5");
    let lecture = [0.149780716, 0.19956143, 0.24975114, 0.29950229, 0.35891648, 0.408666186, 0.511301270, 0.561370121];
    for (k, expected) in lecture.into_iter().enumerate() {
        let weights = &params[if k < 4 { 0 } else { 2 }].values;
        r.lecture(&format!("w{}", k + 1), weights[ORDER[k % 4]], expected);
    }

    match r.mismatches {
        0 => Ok(()),
        n => Err(format!("{n} numbers differ from the lecture's")),
    }
}
