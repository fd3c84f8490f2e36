//! A smaller version of the spirals example (CS231n's three-arm spiral): 150 points, a
//! 2-16-3 ReLU network, softmax cross-entropy, Adam.

use chainrule::data::spirals;
use chainrule::layer::Activation;
use chainrule::model::Sequential;
use chainrule::optim::Adam;
use chainrule::rng::Rng;
use chainrule::train::{FitConfig, Loss, Targets, accuracy, fit};

/// Trains a ReLU network of these layer sizes for 150 epochs on 50 points per arm: the
/// losses of the first and last epochs, and the training accuracy.
fn train(sizes: &[usize], seed: u64) -> (f64, f64, f64) {
    let (x, labels) = spirals::<f64>(50, 3, 0.2, &mut Rng::new(seed));
    let mut model = Sequential::mlp(sizes, Activation::Relu, Activation::Identity, &mut Rng::new(seed + 100));
    let config = FitConfig { epochs: 150, batch_size: 25, seed, shuffle: true };
    let history =
        fit(&mut model, &x, Targets::Labels(&labels), Loss::SoftmaxCrossEntropy, &mut Adam::new(0.03), &config)
            .expect("training stays finite");
    (history.losses[0], history.last().unwrap(), accuracy(&model, &x, &labels).expect("one label per point"))
}

#[test]
fn a_2_16_3_relu_network_separates_three_spirals() {
    for seed in 0..2 {
        let (first, last, accuracy) = train(&[2, 16, 3], seed);
        // Cross-entropy starts near ln 3 (an untrained network is close to uniform).
        assert!(first > 0.8 && last < 0.2, "seed {seed}: loss {first} → {last}");
        assert!(accuracy >= 0.9, "seed {seed}: training accuracy {accuracy}");
    }
}

/// The arms are not linearly separable: softmax regression stays far below.
#[test]
fn a_linear_classifier_cannot() {
    let (_, last, accuracy) = train(&[2, 3], 0);
    assert!(last > 0.6 && accuracy < 0.7, "linear: loss {last}, accuracy {accuracy}");
}
