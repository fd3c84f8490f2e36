//! XOR with a 2-4-1 sigmoid network, trained by plain SGD on the lecture's
//! E = Σ ½(target − output)² over the four rows of the truth table.
//!
//!     cargo run --example xor

use chainrule::data::xor;
use chainrule::layer::Activation;
use chainrule::model::Sequential;
use chainrule::optim::Sgd;
use chainrule::rng::Rng;
use chainrule::train::{FitConfig, Loss, Targets, diagnose, fit_with};
use std::error::Error;
use std::ops::ControlFlow;

fn main() -> Result<(), Box<dyn Error>> {
    let (x, y) = xor::<f64>();
    let mut model = Sequential::mlp(&[2, 4, 1], Activation::Sigmoid, Activation::Sigmoid, &mut Rng::new(0));
    // Full batch, in order: every epoch is one step of gradient descent on all four rows.
    let config = FitConfig { epochs: 5000, batch_size: 4, seed: 0, shuffle: false };
    let mut sgd = Sgd::new(3.0);
    println!("epoch  E = Σ ½(target − output)²");
    fit_with(&mut model, &x, Targets::Values(&y), Loss::HalfSquaredError, &mut sgd, &config, |e| {
        if [1, 10, 100, 200, 500, 1000, 2000, 5000].contains(&e.number) {
            println!("{:>5}  {:.6}", e.number, e.loss);
        }
        ControlFlow::Continue(())
    })?;

    println!("\n x1  x2  target  output    rounded");
    let outputs = model.predict(&x, 4);
    for ((row, target), output) in x.chunks(2).zip(&y).zip(&outputs) {
        println!(" {:>2}  {:>2}  {:>6}  {output:.6}  {:>7}", row[0], row[1], target, output.round());
    }

    // The fitted output unit sits on the sigmoid's flat tails, as targets of 0 and 1 ask: that is
    // the fit, not saturation. Only an output stuck on a tail away from its target counts.
    println!();
    for report in diagnose(&mut model, &x, Targets::Values(&y), Loss::HalfSquaredError)? {
        println!("{report}");
    }
    let wrong = outputs.iter().zip(&y).filter(|(o, t)| o.round() != **t).count();
    if wrong > 0 {
        return Err(format!("{wrong} rows of the truth table are wrong").into());
    }
    Ok(())
}
