//! Bad shapes at every entry point of a model and its layers: each is an error or a panic
//! naming the layer and the expected and actual lengths, never numbers from a wrong shape.

use super::*;
use crate::layer::{Maxout, PRelu};

fn dense(w: &[f64], b: &[f64]) -> Dense<f64> {
    Dense::from_parts(w.to_vec(), b.to_vec(), Activation::Identity)
}

fn model(layers: Vec<Dense<f64>>) -> Sequential<f64> {
    Sequential::new(layers.into_iter().map(|l| Box::new(l) as Box<dyn Layer<f64>>).collect())
}

/// A 2→2 linear layer: y = (x₀ + 3x₁, 2x₀ + 4x₁).
fn linear2() -> Sequential<f64> {
    model(vec![dense(&[1.0, 2.0, 3.0, 4.0], &[0.0, 0.0])])
}

fn input_error(actual: usize, expected: usize, batch: usize) -> ShapeError {
    ShapeError::Input { actual, expected, batch, width: 2, layer: "dense 2→2 Identity".into() }
}

fn half_squared(out: &[f64], dout: &mut [f64]) -> f64 {
    dout.copy_from_slice(out);
    out.iter().map(|y| 0.5 * y * y).sum()
}

#[test]
fn try_predict_returns_each_bad_shape_as_an_input_error() {
    let m = linear2();
    assert_eq!(m.try_predict(&[1.0, 1.0], 1), Ok(vec![4.0, 6.0]));
    let x = [1.0; 5];
    assert_eq!(m.try_predict(&x[..1], 1), Err(input_error(1, 2, 1)), "a row too short");
    assert_eq!(m.try_predict(&x[..3], 1), Err(input_error(3, 2, 1)), "a row too long");
    assert_eq!(m.try_predict(&x[..5], 2), Err(input_error(5, 4, 2)), "not whole rows");
    assert_eq!(m.try_predict(&x[..4], 3), Err(input_error(4, 6, 3)), "a batch too big");
    assert_eq!(m.try_predict(&x[..2], 0), Err(input_error(2, 0, 0)), "rows for a batch of 0");
    assert_eq!(m.try_predict(&x[..2], usize::MAX), Err(input_error(2, usize::MAX, usize::MAX)), "no overflow");
    assert_eq!(
        m.try_predict(&x[..3], 1).unwrap_err().to_string(),
        "input length 3 does not fit batch 1 × width 2 (the input width of layer 0, dense 2→2 Identity): expected 2"
    );
}

#[test]
fn a_batch_of_no_rows_predicts_no_rows() {
    assert_eq!(linear2().predict(&[], 0), Vec::<f64>::new());
    assert_eq!(linear2().try_predict(&[], 0), Ok(Vec::new()));
}

/// A test that `$body` panics with a message containing `$expected`.
macro_rules! panics {
    ($name:ident, $expected:literal, $body:expr) => {
        #[test]
        #[should_panic(expected = $expected)]
        fn $name() {
            let _ = $body;
        }
    };
}

panics!(
    predict_a_row_too_short,
    "Sequential::predict: input length 1 does not fit batch 1 × width 2 (the input width of layer 0, dense 2→2 \
     Identity): expected 2",
    linear2().predict(&[1.0], 1)
);
panics!(
    predict_a_row_too_long,
    "Sequential::predict: input length 3 does not fit batch 1 × width 2",
    linear2().predict(&[1.0; 3], 1)
);
panics!(
    predict_data_not_whole_rows,
    "Sequential::predict: input length 5 does not fit batch 2 × width 2",
    linear2().predict(&[1.0; 5], 2)
);
panics!(
    predict_a_batch_too_big,
    "Sequential::predict: input length 4 does not fit batch 3 × width 2",
    linear2().predict(&[1.0; 4], 3)
);
panics!(
    loss_and_gradient_a_row_too_short,
    "Sequential::loss_and_gradient: input length 1 does not fit batch 1 × width 2 (the input width of layer 0, \
     dense 2→2 Identity): expected 2",
    linear2().loss_and_gradient(&[1.0], 1, half_squared)
);
panics!(
    loss_and_gradient_a_row_too_long,
    "Sequential::loss_and_gradient: input length 3 does not fit batch 1 × width 2",
    linear2().loss_and_gradient(&[1.0; 3], 1, half_squared)
);
panics!(
    loss_and_gradient_data_not_whole_rows,
    "Sequential::loss_and_gradient: input length 5 does not fit batch 2 × width 2",
    linear2().loss_and_gradient(&[1.0; 5], 2, half_squared)
);
panics!(
    loss_and_gradient_a_batch_too_big,
    "Sequential::loss_and_gradient: input length 4 does not fit batch 3 × width 2",
    linear2().loss_and_gradient(&[1.0; 4], 3, half_squared)
);
panics!(
    loss_and_gradient_a_batch_of_0,
    "Sequential::loss_and_gradient: a batch of 0 rows: at least one row is needed",
    linear2().loss_and_gradient(&[], 0, half_squared)
);
panics!(
    from_parts_5_weights_2_biases,
    "Dense::from_parts: weight count 5 is not a non-zero multiple of the bias count 2 (inputs × outputs)",
    dense(&[1.0; 5], &[0.0; 2])
);
panics!(
    from_parts_no_biases,
    "Dense::from_parts: weight count 4 with no biases: a layer needs at least one output",
    dense(&[1.0; 4], &[])
);
panics!(
    mlp_a_zero_width_output_layer,
    "Sequential::mlp: sizes [2, 3, 0]: layer 1 would be 3→0; a layer needs at least one input and one output",
    Sequential::<f64>::mlp(&[2, 3, 0], Activation::Relu, Activation::Sigmoid, &mut Rng::new(0))
);
panics!(
    mlp_a_single_size,
    "Sequential::mlp: sizes [2] make no layer",
    Sequential::<f64>::mlp(&[2], Activation::Relu, Activation::Sigmoid, &mut Rng::new(0))
);
panics!(
    new_a_zero_width_output_layer,
    "Sequential::new: layer 1 (dense 2→0 Identity) is 2→0: a layer needs at least one input and one output",
    model(vec![dense(&[1.0; 4], &[0.0; 2]), zero_width()])
);
panics!(
    new_layers_that_do_not_chain,
    "Sequential::new: layer 1 (dense 3→1 Identity) takes rows of 3, but layer 0 gives rows of 2",
    model(vec![dense(&[1.0; 4], &[0.0; 2]), dense(&[1.0; 3], &[0.0])])
);
panics!(
    layer_output_of_a_missing_layer,
    "Sequential::layer_output: layer 1 of a model of 1 layers",
    linear2().layer_output(1)
);
panics!(dense_new_zero_outputs, "Dense::new: a 2→0 layer", Dense::<f64>::new(2, 0, Activation::Relu, &mut Rng::new(0)));
panics!(prelu_new_zero_inputs, "PRelu::new: a 0→2 layer", PRelu::<f64>::new(0, 2, &mut Rng::new(0)));
panics!(maxout_new_zero_pieces, "Maxout::new: 0 pieces", Maxout::<f64>::new(2, 2, 0, &mut Rng::new(0)));

/// A 2→0 dense layer: `from_parts` refuses one, so its biases are removed after.
fn zero_width() -> Dense<f64> {
    let mut layer = dense(&[1.0, 1.0], &[0.0]);
    layer.biases.clear();
    layer
}

#[test]
fn try_new_returns_layers_that_do_not_make_a_model_as_errors() {
    let boxed = |layers: Vec<Dense<f64>>| layers.into_iter().map(|l| Box::new(l) as Box<dyn Layer<f64>>).collect();
    let err = |layers| Sequential::try_new(boxed(layers)).err();
    assert_eq!(err(vec![]), Some(ShapeError::NoLayers));
    let zero = ShapeError::ZeroWidth { layer: 1, name: "dense 2→0 Identity".into(), inputs: 2, outputs: 0 };
    assert_eq!(err(vec![dense(&[1.0; 4], &[0.0; 2]), zero_width()]), Some(zero));
    let chain = ShapeError::Chain { layer: 1, name: "dense 3→1 Identity".into(), inputs: 3, previous: 2 };
    assert_eq!(err(vec![dense(&[1.0; 4], &[0.0; 2]), dense(&[1.0; 3], &[0.0])]), Some(chain));
    assert_eq!(err(vec![dense(&[1.0; 4], &[0.0; 2]), dense(&[1.0; 2], &[0.0])]), None);
}

#[test]
fn try_from_parts_returns_parts_that_do_not_make_a_layer_as_errors() {
    let parts = |w: usize, b: usize| Dense::<f64>::try_from_parts(vec![0.0; w], vec![0.0; b], Activation::Identity);
    assert_eq!(parts(5, 2).err(), Some(ShapeError::Parameters { weights: 5, biases: 2 }));
    assert_eq!(parts(4, 0).err(), Some(ShapeError::Parameters { weights: 4, biases: 0 }));
    assert_eq!(parts(0, 2).err(), Some(ShapeError::Parameters { weights: 0, biases: 2 }));
    let layer = parts(6, 2).unwrap();
    assert_eq!((layer.inputs(), layer.outputs()), (3, 2));
}

#[test]
#[should_panic(
    expected = "Sequential::predict: layer 1 (dense 3→1 Identity) takes rows of 3, but layer 0 gives rows of 2"
)]
fn a_layer_replaced_with_other_widths_is_caught_at_the_next_pass() {
    let mut m = model(vec![dense(&[1.0; 4], &[0.0; 2]), dense(&[1.0; 2], &[0.0])]);
    m.layers_mut()[1] = Box::new(dense(&[1.0; 3], &[0.0]));
    m.predict(&[1.0, 1.0], 1);
}

panics!(
    layer_forward_x_too_long,
    "dense 2→2 Identity: `x` has length 3, expected 2 (batch 1 × width 2)",
    dense(&[1.0; 4], &[0.0; 2]).forward(&[1.0; 3], &mut [0.0; 2], 1)
);
panics!(
    layer_forward_out_too_short,
    "dense 2→2 Identity: `out` has length 1, expected 2 (batch 1 × width 2)",
    dense(&[1.0; 4], &[0.0; 2]).forward(&[1.0; 2], &mut [0.0; 1], 1)
);
panics!(
    layer_forward_backward_a_batch_of_0,
    "dense 2→2 Identity: a training pass needs at least one row",
    dense(&[1.0; 4], &[0.0; 2]).forward_backward(
        &[],
        &mut [],
        0,
        &mut |_, _| {},
        Adjoints { dout: &mut [], dx: &mut [], params: &mut [vec![0.0; 4], vec![0.0; 2]] }
    )
);
panics!(
    layer_forward_backward_gradients_of_other_lengths,
    "dense 2→2 Identity: gradient tensors of lengths [4], expected [4, 2]",
    dense(&[1.0; 4], &[0.0; 2]).forward_backward(
        &[1.0; 2],
        &mut [0.0; 2],
        1,
        &mut |_, _| {},
        Adjoints { dout: &mut [0.0; 2], dx: &mut [], params: &mut [vec![0.0; 4]] }
    )
);

#[test]
fn a_layer_forward_of_no_rows_computes_nothing() {
    let mut out: [f64; 0] = [];
    dense(&[1.0; 4], &[0.0; 2]).forward(&[], &mut out, 0);
    Maxout::<f64>::new(2, 2, 2, &mut Rng::new(0)).forward(&[], &mut out, 0);
}
