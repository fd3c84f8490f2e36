//! A three-class spiral classifier (CS231n's data set: three arms of 100 points each,
//! angular noise 0.2): a 2-100-3 ReLU network trained with softmax cross-entropy and Adam.
//! Writes the loss curve to `target/spirals-loss.png` and the decision regions, with the
//! points, to `target/spirals-boundary.png`.
//!
//!     cargo run --release --example spirals
//!
//! A linear classifier gets about half of these points right; the network gets nearly all.

mod plot;

use chainrule::data::spirals;
use chainrule::layer::Activation;
use chainrule::model::Sequential;
use chainrule::optim::Adam;
use chainrule::rng::Rng;
use chainrule::train::{Epoch, FitConfig, Loss, Targets, accuracy, argmax, diagnose, fit_with};
use std::error::Error;
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

/// Shows training progress on stderr: a bar redrawn in place on a terminal, a line every
/// tenth of the run otherwise (so that logs stay readable).
struct Progress {
    epochs: usize,
    start: Instant,
    terminal: bool,
}

impl Progress {
    fn update(&self, e: &Epoch<'_, f64>) {
        const WIDTH: usize = 40;
        let done = e.number * WIDTH / self.epochs;
        let percent = e.number * 100 / self.epochs;
        let line = format!(
            "[{}{}] {percent:>3}%  epoch {:>4}/{}  loss {:.4}  {:.1}s",
            "#".repeat(done),
            "-".repeat(WIDTH - done),
            e.number,
            self.epochs,
            e.loss,
            self.start.elapsed().as_secs_f64()
        );
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r{line}");
            if e.number == self.epochs {
                let _ = writeln!(err);
            }
        } else if e.number.is_multiple_of((self.epochs / 10).max(1)) {
            let _ = writeln!(err, "{line}");
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let (x, labels) = spirals::<f64>(100, 3, 0.2, &mut Rng::new(0));
    let mut model = Sequential::mlp(&[2, 100, 3], Activation::Relu, Activation::Identity, &mut Rng::new(1));
    let config = FitConfig { epochs: 500, batch_size: 32, seed: 2, shuffle: true };
    let mut adam = Adam::new(0.01);
    let progress = Progress { epochs: config.epochs, start: Instant::now(), terminal: std::io::stderr().is_terminal() };

    println!("{} points, 3 classes; network 2-100-3 ({} parameters)", labels.len(), model.size());
    let history =
        fit_with(&mut model, &x, Targets::Labels(&labels), Loss::SoftmaxCrossEntropy, &mut adam, &config, |e| {
            progress.update(e);
            ControlFlow::Continue(())
        })?;
    let seconds = progress.start.elapsed().as_secs_f64();
    let accuracy = accuracy(&model, &x, &labels)?;
    println!(
        "trained {} epochs in {seconds:.2}s: loss {:.4}, training accuracy {:.1}%",
        config.epochs,
        history.last().unwrap_or(f64::NAN),
        100.0 * accuracy
    );
    for report in diagnose(&mut model, &x, Targets::Labels(&labels), Loss::SoftmaxCrossEntropy)? {
        println!("  {report}");
    }

    // The workspace's `target/`: this example is a package of its own in `examples/spirals/`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).ok_or("no workspace root")?;
    let target = root.join("target");
    std::fs::create_dir_all(&target)?;
    let (loss_png, boundary_png) = (target.join("spirals-loss.png"), target.join("spirals-boundary.png"));
    plot::loss_curve(&history.losses, &loss_png)?;
    let classify = |points: &[f64]| model.predict(points, points.len() / 2).chunks(3).map(argmax).collect();
    let title = format!("ACCURACY {:.1}%", 100.0 * accuracy);
    plot::decision_boundary(classify, &x, &labels, 1.15, &title, &boundary_png)?;
    println!("wrote {} and {}", loss_png.display(), boundary_png.display());

    if accuracy < 0.97 {
        return Err(format!("training accuracy {:.1}% is below 97%", 100.0 * accuracy).into());
    }
    Ok(())
}
