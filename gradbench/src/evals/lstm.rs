//! `lstm`: the loss of a character-level LSTM of `l` layers over a sequence of `c`
//! characters of `b` bits, and its gradient over the main and extra parameters. Written as
//! `cpp/gradbench/evals/lstm.hpp` (after ADBench) writes it, with its pointer views
//! (`LayerParams`, `LayerState`, one input row per character) as sub-slices of the flat
//! arrays: a layer's parameters are `8b` floats (weights forget, ingate, outgate, change,
//! then the biases), its state `2b` (hidden, then cell).

// Index loops (a copy included) are the loops chainrule differentiates.
#![allow(clippy::manual_memcpy)]

use crate::json::{Json, Result};
use crate::task::{Boxed, boxed, into_buffer};
use chainrule::prelude::*;

#[differentiable]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// log(Σ exp(vᵢ) + 2).
#[differentiable]
pub fn logsumexp(v: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..v.len() {
        sum += v[i].exp();
    }
    sum += 2.0;
    sum.ln()
}

/// One layer: updates its `state` (hidden, then cell) from `input`.
#[differentiable]
pub fn lstm_model(params: &[f64], state: &mut [f64], input: &[f64]) {
    let b = input.len();
    for i in 0..b {
        let forget = sigmoid(input[i] * params[i] + params[4 * b + i]);
        let ingate = sigmoid(state[i] * params[b + i] + params[5 * b + i]);
        let outgate = sigmoid(input[i] * params[2 * b + i] + params[6 * b + i]);
        let change = (state[i] * params[3 * b + i] + params[7 * b + i]).tanh();
        state[b + i] = state[b + i] * forget + ingate * change;
        state[i] = outgate * state[b + i].tanh();
    }
}

#[differentiable]
pub fn lstm_predict(main_params: &[f64], extra_params: &[f64], state: &mut [f64], input: &[f64], output: &mut [f64]) {
    let b = input.len();
    let l = state.len() / (2 * b);
    // The reference points each layer's input at the previous layer's hidden state, inside
    // `state` itself; Rust's borrows do not allow lending `state` for writing and a part of
    // it for reading at once, so the layer's output is copied into a buffer instead.
    let mut layer_output = vec![0.0; b];
    for i in 0..b {
        layer_output[i] = input[i] * extra_params[i];
    }
    for i in 0..l {
        lstm_model(&main_params[8 * b * i..8 * b * (i + 1)], &mut state[2 * b * i..2 * b * (i + 1)], &layer_output);
        for j in 0..b {
            layer_output[j] = state[2 * b * i + j];
        }
    }
    for i in 0..b {
        output[i] = layer_output[i] * extra_params[b + i] + extra_params[2 * b + i];
    }
}

#[differentiable]
pub fn objective(
    main_params: &[f64],
    extra_params: &[f64],
    #[no_grad] state: &[f64],
    #[no_grad] sequence: &[f64],
    #[no_grad] b: usize,
) -> f64 {
    let c = sequence.len() / b;
    let mut total = 0.0;
    let mut count = 0;
    let mut state_copy = vec![0.0; state.len()];
    for i in 0..state.len() {
        state_copy[i] = state[i];
    }
    let mut ypred = vec![0.0; b];
    let mut ynorm = vec![0.0; b];
    for t in 0..c - 1 {
        lstm_predict(main_params, extra_params, &mut state_copy, &sequence[t * b..(t + 1) * b], &mut ypred);
        let lse = logsumexp(&ypred);
        for i in 0..b {
            ynorm[i] = ypred[i] - lse;
        }
        for i in 0..b {
            total += sequence[(t + 1) * b + i] * ynorm[i];
        }
        count += b;
    }
    -total / count as f64
}

struct Input {
    main_params: Vec<f64>,
    extra_params: Vec<f64>,
    state: Vec<f64>,
    sequence: Vec<f64>,
    b: usize,
}

fn parse(input: &Json) -> Result<Input> {
    let main = input.get("main_params")?.rows()?;
    let b = main.first().map_or(0, Vec::len) / 4;
    let (l, c) = (main.len() / 2, input.get("sequence")?.arr()?.len());
    let p = Input {
        main_params: main.concat(),
        extra_params: input.get("extra_params")?.rows()?.concat(),
        state: input.get("state")?.rows()?.concat(),
        sequence: input.get("sequence")?.rows()?.concat(),
        b,
    };
    let sizes = [
        (p.main_params.len(), 8 * l * b),
        (p.extra_params.len(), 3 * b),
        (p.state.len(), 2 * l * b),
        (p.sequence.len(), c * b),
    ];
    if b == 0 || c < 2 || sizes.iter().any(|(a, e)| a != e) {
        return Err(format!("lstm: inconsistent shapes (l = {l}, b = {b}, c = {c})"));
    }
    Ok(p)
}

pub fn prepare(function: &str, input: &Json) -> Result<Boxed> {
    let p = parse(input)?;
    match function {
        "objective" => Ok(boxed(move || objective(&p.main_params, &p.extra_params, &p.state, &p.sequence, p.b))),
        "jacobian" => {
            let (mut dmain, mut dextra) = (vec![0.0; p.main_params.len()], vec![0.0; p.extra_params.len()]);
            Ok(into_buffer(vec![0.0; dmain.len() + dextra.len()], move |g| {
                dmain.fill(0.0);
                dextra.fill(0.0);
                objective_vjp(
                    &p.main_params,
                    &mut dmain,
                    &p.extra_params,
                    &mut dextra,
                    &p.state,
                    &p.sequence,
                    p.b,
                    1.0,
                );
                g[..dmain.len()].copy_from_slice(&dmain);
                g[dmain.len()..].copy_from_slice(&dextra);
            }))
        }
        _ => Err(super::unknown("lstm", function)),
    }
}
