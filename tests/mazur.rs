//! The lecture's 2-2-2 network (Mazur's worked example), one SGD step through the public
//! model, loss and optimizer types: every number the lecture prints, to 1e-8.

use chainrule::layer::{Activation, Dense, Layer};
use chainrule::loss::half_squared_error_vjp;
use chainrule::model::Sequential;
use chainrule::optim::{Optimizer, Sgd};

/// The lecture's network: w1..w4 into the hidden layer, w5..w8 into the output layer, each
/// layer with one shared bias. Our weights are inputs×outputs: row i holds the weights out of
/// input i, so h1 = w1 i1 + w2 i2 puts w1 at (0, 0) and w2 at (1, 0).
fn network() -> Sequential<f64> {
    let hidden = Dense::from_parts(vec![0.15, 0.25, 0.20, 0.30], vec![0.35, 0.35], Activation::Sigmoid);
    let output = Dense::from_parts(vec![0.40, 0.50, 0.45, 0.55], vec![0.60, 0.60], Activation::Sigmoid);
    Sequential::new(vec![Box::new(hidden) as Box<dyn Layer<f64>>, Box::new(output)])
}

fn close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-8, "{actual} != {expected}");
}

#[test]
fn forward_pass_and_error() {
    let mut model = network();
    let target = [0.01, 0.99];
    let error =
        model.loss_and_gradient(&[0.05, 0.10], 1, |out, dout| half_squared_error_vjp(out, dout, &target, 1.0).0);
    close(model.layer_output(0)[0], 0.593269992);
    close(model.layer_output(0)[1], 0.596884378);
    close(model.layer_output(1)[0], 0.75136507);
    close(model.layer_output(1)[1], 0.772928465);
    close(error, 0.298371109);
}

#[test]
fn one_sgd_step_updates_every_weight() {
    let mut model = network();
    let target = [0.01, 0.99];
    model.loss_and_gradient(&[0.05, 0.10], 1, |out, dout| half_squared_error_vjp(out, dout, &target, 1.0).0);
    // η = 0.5; the lecture does not update the biases.
    let mut sgd = Sgd::new(0.5);
    for (slot, p) in model.parameters().into_iter().enumerate() {
        if p.name == "weights" {
            sgd.update(slot, p.values, p.gradient);
        }
    }
    let params = model.parameters();
    let (w14, w58) = (&params[0].values, &params[2].values);
    // w1 (0,0), w2 (1,0), w3 (0,1), w4 (1,1); likewise w5..w8.
    close(w14[0], 0.149780716);
    close(w14[2], 0.19956143);
    close(w14[1], 0.24975114);
    close(w14[3], 0.29950229);
    close(w58[0], 0.35891648);
    close(w58[2], 0.408666186);
    close(w58[1], 0.511301270);
    close(w58[3], 0.561370121);
}
