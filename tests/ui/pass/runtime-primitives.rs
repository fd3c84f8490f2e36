// The runtime primitives (sigmoid relu leaky_relu prelu elu softplus) come with their own
// companions and compose inside differentiable code; constant arguments (`slope`, the elu
// `alpha`) take no tangent, prelu's `alpha` does.
use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, a: f64) -> f64 {
    sigmoid(x) + relu(x) + leaky_relu(x, 0.1) + prelu(x, a) + elu(x, 1.0) + softplus(x)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12
}

fn main() {
    let (s, ds) = sigmoid_grad(0.0);
    assert_eq!((s, ds), (0.5, 0.25));
    assert_eq!(relu_grad(-1.0), (0.0, 0.0));
    assert_eq!(relu_grad(0.0), (0.0, 0.0));
    assert_eq!(relu_jvp(3.0, 2.0), (3.0, 2.0));
    assert_eq!(leaky_relu_grad(-2.0, 0.5), (-1.0, 0.5));
    assert_eq!(prelu_grad(-2.0, 0.25), (-0.5, (0.25, -2.0)));
    assert_eq!(prelu_jvp(-2.0, 0.0, 0.25, 1.0), (-0.5, -2.0));
    assert_eq!(elu_grad(0.0, 1.0), (0.0, 1.0));
    let (sp, dsp) = softplus_grad(0.0);
    assert!(close(sp, 2f64.ln()) && close(dsp, 0.5));

    // At x = 1 every activation has slope 1 except sigmoid (σ(1)(1 − σ(1))) and softplus
    // (σ(1)); the gradient with respect to prelu's alpha is 0 for x > 0.
    let sig = 1.0 / (1.0 + (-1.0f64).exp());
    let (value, (dx, da)) = f_grad(1.0, 0.25);
    assert!(close(value, sig + 4.0 + (1.0 + 1f64.exp()).ln()));
    assert!(close(dx, sig * (1.0 - sig) + 4.0 + sig));
    assert_eq!(da, 0.0);
    let (_, (_, da)) = f_grad(-2.0, 0.25);
    assert_eq!(da, -2.0);
}
