//! Issue 4's checks of every activation, loss and layer kernel of the runtime: gradients
//! against central finite differences over a grid on [−10, 10] (the kinks at 0 skipped there,
//! their documented one-sided values checked on their own), and values and derivatives finite
//! at ±1e4, where a naive sigmoid, softplus or softmax overflows into NaN. The f32 versions are
//! held to the f64 ones, which the finite differences pin down, and to coarser f32 differences.

use chainrule::differentiable;
use chainrule::kernels::f64 as k64;
use chainrule::loss::{f32 as l32, f64 as l64};
use chainrule::primitives::{f32 as p32, f64 as p64};
use chainrule::rng::Rng;

/// tanh is the float method; a differentiable wrapper gives it `_grad`/`_vjp`/`_jvp`.
mod wrap64 {
    use super::differentiable;

    #[differentiable]
    pub fn tanh(x: f64) -> f64 {
        x.tanh()
    }
}

mod wrap32 {
    use super::differentiable;

    #[differentiable]
    pub fn tanh(x: f32) -> f32 {
        x.tanh()
    }
}

const SLOPE: f64 = 0.01;
const PRELU_ALPHA: f64 = 0.25;
/// Not 1, so that a rule which forgot α would show.
const ELU_ALPHA: f64 = 1.5;

/// One activation and its generated companions, as function pointers, with its expected
/// (value, derivative) at −1e4 and +1e4.
struct Act<F> {
    name: &'static str,
    f: fn(F) -> F,
    grad: fn(F) -> (F, F),
    vjp: fn(F, F) -> (F, F),
    jvp: fn(F, F) -> (F, F),
    /// Not differentiable at 0: finite differences skip it.
    kink: bool,
    limits: [(f64, f64); 2],
}

/// The activations of `chainrule::primitives::$F` (and tanh through `$wrap`), with fixed
/// slopes for the parametrised ones.
macro_rules! activations {
    ($F:ident, $wrap:ident) => {{
        use chainrule::primitives::$F::*;
        let acts: Vec<Act<$F>> = vec![
            Act {
                name: "sigmoid",
                f: sigmoid,
                grad: sigmoid_grad,
                vjp: sigmoid_vjp,
                jvp: sigmoid_jvp,
                kink: false,
                limits: [(0.0, 0.0), (1.0, 0.0)],
            },
            Act {
                name: "tanh",
                f: $wrap::tanh,
                grad: $wrap::tanh_grad,
                vjp: $wrap::tanh_vjp,
                jvp: $wrap::tanh_jvp,
                kink: false,
                limits: [(-1.0, 0.0), (1.0, 0.0)],
            },
            Act {
                name: "relu",
                f: relu,
                grad: relu_grad,
                vjp: relu_vjp,
                jvp: relu_jvp,
                kink: true,
                limits: [(0.0, 0.0), (1e4, 1.0)],
            },
            Act {
                name: "leaky_relu",
                f: |x| leaky_relu(x, SLOPE as $F),
                grad: |x| leaky_relu_grad(x, SLOPE as $F),
                vjp: |x, seed| leaky_relu_vjp(x, SLOPE as $F, seed),
                jvp: |x, dx| leaky_relu_jvp(x, dx, SLOPE as $F),
                kink: true,
                limits: [(-1e4 * SLOPE, SLOPE), (1e4, 1.0)],
            },
            Act {
                name: "prelu",
                f: |x| prelu(x, PRELU_ALPHA as $F),
                grad: |x| {
                    let (y, (dx, _)) = prelu_grad(x, PRELU_ALPHA as $F);
                    (y, dx)
                },
                vjp: |x, seed| {
                    let (y, (dx, _)) = prelu_vjp(x, PRELU_ALPHA as $F, seed);
                    (y, dx)
                },
                jvp: |x, dx| prelu_jvp(x, dx, PRELU_ALPHA as $F, 0.0),
                kink: true,
                limits: [(-1e4 * PRELU_ALPHA, PRELU_ALPHA), (1e4, 1.0)],
            },
            Act {
                name: "elu",
                f: |x| elu(x, ELU_ALPHA as $F),
                grad: |x| elu_grad(x, ELU_ALPHA as $F),
                vjp: |x, seed| elu_vjp(x, ELU_ALPHA as $F, seed),
                jvp: |x, dx| elu_jvp(x, dx, ELU_ALPHA as $F),
                kink: true,
                limits: [(-ELU_ALPHA, 0.0), (1e4, 1.0)],
            },
            Act {
                name: "softplus",
                f: softplus,
                grad: softplus_grad,
                vjp: softplus_vjp,
                jvp: softplus_jvp,
                kink: false,
                limits: [(0.0, 0.0), (1e4, 1.0)],
            },
        ];
        acts
    }};
}

/// −10, −9.95, …, 10: 401 points, 0 exactly among them.
fn grid() -> impl Iterator<Item = f64> {
    (-200..=200).map(|k| k as f64 / 20.0)
}

/// `|a − b| ≤ tol · (1 + max(|a|, |b|))`: relative for large values, absolute near 0.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

/// Central difference in f64 with step 1e-6 relative to `max(1, |x|)`: truncation ~1e-12,
/// rounding ~1e-10·|f|, far below the 1e-6 the checks allow.
fn central(mut f: impl FnMut(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6 * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// Central difference in f32 arithmetic with step 1e-2: rounding ~6e-6·|f|, truncation
/// ~2e-5·|f'''|; hence the 1e-3 allowed.
fn central32(f: impl Fn(f32) -> f32, x: f32) -> f32 {
    let h = 1e-2 * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// The gradient of `f` at `x`, one central difference per component.
fn central_gradient(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let mut y = x.to_vec();
            central(
                |xi| {
                    y[i] = xi;
                    f(&y)
                },
                x[i],
            )
        })
        .collect()
}

fn assert_all_close(name: &str, actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(actual.len(), expected.len(), "{name}: lengths");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(close(*a, *e, tol), "{name}[{i}]: {a}, expected {e}");
    }
}

fn uniform(rng: &mut Rng, n: usize, lo: f64, hi: f64) -> Vec<f64> {
    (0..n).map(|_| rng.range(lo, hi)).collect()
}

fn to32(x: &[f64]) -> Vec<f32> {
    x.iter().map(|&v| v as f32).collect()
}

fn to64(x: &[f32]) -> Vec<f64> {
    x.iter().map(|&v| v as f64).collect()
}

// ---- Activations. ---------------------------------------------------------------------------

#[test]
fn f64_activations_match_central_differences_on_the_grid() {
    for a in activations!(f64, wrap64) {
        let mut checked = 0;
        for x in grid() {
            if a.kink && x == 0.0 {
                continue;
            }
            let (y, g) = (a.grad)(x);
            assert_eq!(y, (a.f)(x), "{}({x}): value of _grad differs from the function", a.name);
            let fd = central(a.f, x);
            assert!(close(g, fd, 1e-6), "{}'({x}) = {g}, central difference {fd}", a.name);
            checked += 1;
        }
        assert!(checked >= 400, "{}: only {checked} points", a.name);
    }
}

#[test]
fn f32_activations_match_the_f64_ones_and_f32_differences_on_the_grid() {
    for (a, b) in activations!(f32, wrap32).iter().zip(activations!(f64, wrap64)) {
        assert_eq!(a.name, b.name);
        for x in grid() {
            let x32 = x as f32;
            if a.kink && x == 0.0 {
                continue;
            }
            let (y, g) = (a.grad)(x32);
            let (y64, g64) = (b.grad)(x32 as f64);
            assert!(close(y as f64, y64, 1e-6), "{}({x}): f32 {y}, f64 {y64}", a.name);
            assert!(close(g as f64, g64, 1e-5), "{}'({x}): f32 {g}, f64 {g64}", a.name);
            let fd = central32(a.f, x32);
            assert!(close(g as f64, fd as f64, 1e-3), "{}'({x}) = {g}, f32 central difference {fd}", a.name);
        }
    }
}

#[test]
fn vjp_and_jvp_scale_the_gradient() {
    let seed = 0.7;
    for a in activations!(f64, wrap64) {
        for x in grid() {
            let (y, g) = (a.grad)(x);
            let (yv, v) = (a.vjp)(x, seed);
            let (yj, j) = (a.jvp)(x, seed);
            assert_eq!((yv, yj), (y, y), "{}({x}): values", a.name);
            assert!(
                close(v, seed * g, 1e-14) && close(j, seed * g, 1e-14),
                "{}({x}): vjp {v}, jvp {j}, 0.7·grad {}",
                a.name,
                seed * g
            );
        }
    }
    for a in activations!(f32, wrap32) {
        for x in grid() {
            let x = x as f32;
            let (y, g) = (a.grad)(x);
            let (yv, v) = (a.vjp)(x, seed as f32);
            let (yj, j) = (a.jvp)(x, seed as f32);
            assert_eq!((yv, yj), (y, y), "{}({x}): values", a.name);
            let sg = seed * g as f64;
            assert!(
                close(v as f64, sg, 1e-6) && close(j as f64, sg, 1e-6),
                "{}({x}): vjp {v}, jvp {j}, 0.7·grad {sg}",
                a.name
            );
        }
    }
}

#[test]
fn activations_are_finite_and_saturate_correctly_at_1e4() {
    for a in activations!(f64, wrap64) {
        for (x, (value, derivative)) in [-1e4, 1e4].into_iter().zip(a.limits) {
            let (y, g) = (a.grad)(x);
            assert!(
                close(y, value, 1e-12) && close(g, derivative, 1e-12),
                "{}({x}) = ({y}, {g}), expected ({value}, {derivative})",
                a.name
            );
            for (v, d) in [(a.vjp)(x, 1.0), (a.jvp)(x, 1.0)] {
                assert!(v.is_finite() && d.is_finite() && d == g, "{}({x}): vjp/jvp ({v}, {d})", a.name);
            }
        }
        // Far past where e^x overflows: still no infinity or NaN.
        for x in [-1e300, -1e30, -800.0, 800.0, 1e30] {
            let (y, g) = (a.grad)(x);
            assert!(y.is_finite() && g.is_finite(), "{}({x}) = ({y}, {g})", a.name);
        }
    }
    for a in activations!(f32, wrap32) {
        for (x, (value, derivative)) in [-1e4f32, 1e4].into_iter().zip(a.limits) {
            let (y, g) = (a.grad)(x);
            assert!(
                close(y as f64, value, 1e-6) && close(g as f64, derivative, 1e-6),
                "{}({x}) = ({y}, {g}), expected ({value}, {derivative})",
                a.name
            );
            for (v, d) in [(a.vjp)(x, 1.0), (a.jvp)(x, 1.0)] {
                assert!(v.is_finite() && d.is_finite() && d == g, "{}({x}): vjp/jvp ({v}, {d})", a.name);
            }
        }
        for x in [-1e30f32, -100.0, 100.0, 1e30] {
            let (y, g) = (a.grad)(x);
            assert!(y.is_finite() && g.is_finite(), "{}({x}) = ({y}, {g})", a.name);
        }
    }
}

/// At a kink the derivative is the flat side's (the module docs): relu'(0) = 0,
/// leaky_relu'(0) = slope, prelu'(0) = α (and ∂/∂α = 0 there), elu'(0) = α.
#[test]
fn kinks_take_the_documented_one_sided_derivative() {
    assert_eq!(p64::relu_grad(0.0), (0.0, 0.0));
    assert_eq!(p64::leaky_relu_grad(0.0, 0.01), (0.0, 0.01));
    assert_eq!(p64::prelu_grad(0.0, 0.25), (0.0, (0.25, 0.0)));
    assert_eq!(p64::elu_grad(0.0, 1.5), (0.0, 1.5));
    assert_eq!(p32::relu_grad(0.0), (0.0, 0.0));
    assert_eq!(p32::leaky_relu_grad(0.0, 0.01), (0.0, 0.01));
    assert_eq!(p32::prelu_grad(0.0, 0.25), (0.0, (0.25, 0.0)));
    assert_eq!(p32::elu_grad(0.0, 1.5), (0.0, 1.5));
}

/// "Backprop into α to learn": PReLU's gradient with respect to its slope is x where x < 0
/// and 0 where x > 0, for slopes of either sign and above 1.
#[test]
fn prelu_alpha_gradient_matches_central_differences() {
    for alpha in [-0.5, 0.01, 0.25, 1.0, 3.0] {
        for x in grid().filter(|&x| x != 0.0) {
            let (y, (dx, dalpha)) = p64::prelu_grad(x, alpha);
            assert_eq!(y, p64::prelu(x, alpha));
            let fd_x = central(|x| p64::prelu(x, alpha), x);
            let fd_alpha = central(|a| p64::prelu(x, a), alpha);
            assert!(close(dx, fd_x, 1e-6), "∂prelu/∂x({x}, {alpha}) = {dx}, central difference {fd_x}");
            assert!(close(dalpha, fd_alpha, 1e-6), "∂prelu/∂α({x}, {alpha}) = {dalpha}, central difference {fd_alpha}");

            let (y32, (dx32, dalpha32)) = p32::prelu_grad(x as f32, alpha as f32);
            assert!(close(y32 as f64, y, 1e-6) && close(dx32 as f64, dx, 1e-6) && close(dalpha32 as f64, dalpha, 1e-6));
            let (_, (vx, valpha)) = p64::prelu_vjp(x, alpha, -2.0);
            assert_eq!((vx, valpha), (-2.0 * dx, -2.0 * dalpha), "prelu_vjp({x}, {alpha})");
            let (_, tangent) = p64::prelu_jvp(x, 0.3, alpha, -0.7);
            assert!(close(tangent, 0.3 * dx - 0.7 * dalpha, 1e-14), "prelu_jvp({x}, {alpha})");
        }
    }
    // At ±1e4 too: the α gradient is the (finite) input itself, or 0.
    assert_eq!(p64::prelu_grad(-1e4, 0.25), (-2500.0, (0.25, -1e4)));
    assert_eq!(p64::prelu_grad(1e4, 0.25), (1e4, (1.0, 0.0)));
    assert_eq!(p32::prelu_grad(-1e4, 0.25), (-2500.0, (0.25, -1e4)));
}

// ---- Losses. --------------------------------------------------------------------------------

/// The grid as vectors of six: its negative half paired with its positive half from the
/// outside in (−10, 10, −9.95, 9.95, …), so that each vector mixes signs, and every grid point
/// is a component of some vector (the last one, which holds 0, is topped up from the start).
fn grid_vectors() -> Vec<Vec<f64>> {
    let points: Vec<f64> = grid().collect();
    let (negative, rest) = points.split_at(200);
    let mixed: Vec<f64> = negative.iter().zip(rest.iter().rev()).flat_map(|(a, b)| [*a, *b]).chain([rest[0]]).collect();
    let mut vectors: Vec<Vec<f64>> = mixed.chunks(6).map(<[f64]>::to_vec).collect();
    let last = vectors.last_mut().expect("401 points");
    last.extend_from_slice(&mixed[..6 - last.len()]);
    vectors
}

/// A loss over one vector of active values, its generated gradient and vjp, and its f32
/// version (value and gradient), with its constant arguments fixed.
struct Loss<'a> {
    name: &'static str,
    value: Value<'a>,
    grad: Grad<'a>,
    /// `(x, shadow, seed)`: adds seed · gradient into the shadow.
    vjp: Vjp<'a>,
    grad32: Grad32<'a>,
}

type Value<'a> = Box<dyn Fn(&[f64]) -> f64 + 'a>;
type Grad<'a> = Box<dyn Fn(&[f64]) -> (f64, Vec<f64>) + 'a>;
type Vjp<'a> = Box<dyn Fn(&[f64], &mut [f64], f64) -> f64 + 'a>;
type Grad32<'a> = Box<dyn Fn(&[f32]) -> (f32, Vec<f32>) + 'a>;

/// Each loss at a vector of length `n`: targets in [−10, 10] for the squared errors,
/// probabilities for cross-entropy, a label per row of 3 classes for softmax cross-entropy.
fn losses<'a>(
    targets: &'a [f64],
    probabilities: &'a [f64],
    labels: &'a [usize],
    t32: &'a [f32],
    probabilities32: &'a [f32],
) -> Vec<Loss<'a>> {
    vec![
        Loss {
            name: "half_squared_error",
            value: Box::new(move |x| l64::half_squared_error(x, &targets[..x.len()])),
            grad: Box::new(move |x| l64::half_squared_error_grad(x, &targets[..x.len()])),
            vjp: Box::new(move |x, dx, seed| l64::half_squared_error_vjp(x, dx, &targets[..x.len()], seed).0),
            grad32: Box::new(move |x| l32::half_squared_error_grad(x, &t32[..x.len()])),
        },
        Loss {
            name: "mean_squared_error",
            value: Box::new(move |x| l64::mean_squared_error(x, &targets[..x.len()])),
            grad: Box::new(move |x| l64::mean_squared_error_grad(x, &targets[..x.len()])),
            vjp: Box::new(move |x, dx, seed| l64::mean_squared_error_vjp(x, dx, &targets[..x.len()], seed).0),
            grad32: Box::new(move |x| l32::mean_squared_error_grad(x, &t32[..x.len()])),
        },
        Loss {
            name: "binary_cross_entropy_with_logits",
            value: Box::new(move |x| l64::binary_cross_entropy_with_logits(x, &probabilities[..x.len()])),
            grad: Box::new(move |x| l64::binary_cross_entropy_with_logits_grad(x, &probabilities[..x.len()])),
            vjp: Box::new(move |x, dx, seed| {
                l64::binary_cross_entropy_with_logits_vjp(x, dx, &probabilities[..x.len()], seed).0
            }),
            grad32: Box::new(move |x| l32::binary_cross_entropy_with_logits_grad(x, &probabilities32[..x.len()])),
        },
        Loss {
            name: "softmax_cross_entropy",
            value: Box::new(move |x| l64::softmax_cross_entropy(x, &labels[..x.len() / 3], 3)),
            grad: Box::new(move |x| l64::softmax_cross_entropy_grad(x, &labels[..x.len() / 3], 3)),
            vjp: Box::new(move |x, dx, seed| l64::softmax_cross_entropy_vjp(x, dx, &labels[..x.len() / 3], 3, seed).0),
            grad32: Box::new(move |x| l32::softmax_cross_entropy_grad(x, &labels[..x.len() / 3], 3)),
        },
    ]
}

#[test]
fn losses_match_central_differences_on_the_grid() {
    let mut rng = Rng::new(4);
    let targets = uniform(&mut rng, 6, -10.0, 10.0);
    let probabilities = uniform(&mut rng, 6, 0.0, 1.0);
    let labels = [2, 0];
    let (t32, pr32) = (to32(&targets), to32(&probabilities));
    let vectors = grid_vectors();
    assert!(vectors.iter().all(|v| v.len() == 6) && vectors.len() == 67);
    for loss in losses(&targets, &probabilities, &labels, &t32, &pr32) {
        for x in &vectors {
            let (value, g) = (loss.grad)(x);
            assert_eq!(value, (loss.value)(x), "{}: value of _grad", loss.name);
            assert_all_close(&format!("{} at {x:?}", loss.name), &g, &central_gradient(&loss.value, x), 1e-6);

            // The vjp adds seed · gradient into what the shadow held.
            let mut shadow = vec![1.0; x.len()];
            let v = (loss.vjp)(x, &mut shadow, -0.5);
            assert_eq!(v, value);
            let expected: Vec<f64> = g.iter().map(|g| 1.0 - 0.5 * g).collect();
            assert_all_close(&format!("{}_vjp at {x:?}", loss.name), &shadow, &expected, 1e-14);

            let (value32, g32) = (loss.grad32)(&to32(x));
            assert!(close(value32 as f64, value, 1e-5), "{}: f32 value {value32}, f64 {value}", loss.name);
            assert_all_close(&format!("{} f32 at {x:?}", loss.name), &to64(&g32), &g, 1e-5);
        }
    }
}

/// `softmax` and `log_softmax` write into `out`: their vjp takes the adjoint of `out` as a
/// shadow (a seed vector s, consumed) and adds Jᵀs into `dz`, the gradient of ⟨s, out(z)⟩.
#[test]
fn softmax_and_log_softmax_vjp_match_central_differences_of_the_seeded_output() {
    type Primal = fn(&[f64], &mut [f64]);
    type Pullback = fn(&[f64], &mut [f64], &mut [f64], &mut [f64]) -> ((), ());
    let functions: [(&str, Primal, Pullback); 2] =
        [("softmax", l64::softmax, l64::softmax_vjp), ("log_softmax", l64::log_softmax, l64::log_softmax_vjp)];
    let mut rng = Rng::new(9);
    for (name, f, vjp) in functions {
        for z in grid_vectors() {
            let n = z.len();
            let seed = uniform(&mut rng, n, -1.0, 1.0);
            let seeded = |z: &[f64]| {
                let mut out = vec![0.0; n];
                f(z, &mut out);
                out.iter().zip(&seed).map(|(o, s)| o * s).sum::<f64>()
            };
            let mut out = vec![0.0; n];
            f(&z, &mut out);
            let (mut dz, mut vjp_out, mut dout) = (vec![0.25; n], vec![0.0; n], seed.clone());
            vjp(&z, &mut dz, &mut vjp_out, &mut dout);
            assert_eq!(vjp_out, out, "{name}_vjp writes the same output");
            assert!(dout.iter().all(|&d| d == 0.0), "{name}_vjp consumes the output's adjoint: {dout:?}");
            let expected: Vec<f64> = central_gradient(seeded, &z).iter().map(|g| 0.25 + g).collect();
            assert_all_close(&format!("{name}_vjp at {z:?}"), &dz, &expected, 1e-6);
        }
    }
}

#[test]
fn f32_softmax_and_log_softmax_match_f64() {
    let mut rng = Rng::new(10);
    for z in grid_vectors() {
        let n = z.len();
        let seed = uniform(&mut rng, n, -1.0, 1.0);
        let (mut dz, mut out, mut dout) = (vec![0.0; n], vec![0.0; n], seed.clone());
        l64::softmax_vjp(&z, &mut dz, &mut out, &mut dout);
        let (mut dz32, mut out32, mut dout32) = (vec![0.0; n], vec![0.0; n], to32(&seed));
        l32::softmax_vjp(&to32(&z), &mut dz32, &mut out32, &mut dout32);
        assert_all_close("softmax f32", &to64(&out32), &out, 1e-6);
        assert_all_close("softmax_vjp f32", &to64(&dz32), &dz, 1e-5);

        let (mut dz, mut out, mut dout) = (vec![0.0; n], vec![0.0; n], seed.clone());
        l64::log_softmax_vjp(&z, &mut dz, &mut out, &mut dout);
        let (mut dz32, mut out32, mut dout32) = (vec![0.0; n], vec![0.0; n], to32(&seed));
        l32::log_softmax_vjp(&to32(&z), &mut dz32, &mut out32, &mut dout32);
        assert_all_close("log_softmax f32", &to64(&out32), &out, 1e-5);
        assert_all_close("log_softmax_vjp f32", &to64(&dz32), &dz, 1e-5);
    }
}

/// Logits of ±1e4: e^1e4 overflows both types, so only the max-shifted forms stay finite.
/// The expected values are exact limits (every neglected term is below e^−1e4).
#[test]
fn losses_and_softmax_are_finite_at_logits_of_1e4() {
    let big = [1e4, -1e4, 1e4, -1e4];
    let labels = [0.0, 0.0, 1.0, 1.0];
    // ½(1e4 − 0)² + ½(1e4)² + ½(1e4 − 1)² + ½(1e4 + 1)²
    let (e, g) = l64::half_squared_error_grad(&big, &labels);
    assert_eq!((e, g), (2e8 + 1.0, vec![1e4, -1e4, 1e4 - 1.0, -1e4 - 1.0]));
    let (e, g) = l64::mean_squared_error_grad(&big, &labels);
    assert_eq!((e, g), (1e8 + 0.5, vec![5e3, -5e3, 4999.5, -5000.5]));
    // The wrong-side logits cost 1e4 each; the right-side ones nothing.
    let (e, g) = l64::binary_cross_entropy_with_logits_grad(&big, &labels);
    assert_eq!((e, g), (5e3, vec![0.25, 0.0, 0.0, -0.25]));
    let (e, g) = l32::binary_cross_entropy_with_logits_grad(&to32(&big), &to32(&labels));
    assert_eq!((e, g), (5e3, vec![0.25, 0.0, 0.0, -0.25]));

    // Row 0 puts its label on −1e4 (loss 2e4); row 1 on its maximum (loss 0); averaged.
    let logits = [1e4, -1e4, 0.0, -1e4, 1e4, 0.0];
    let (e, g) = l64::softmax_cross_entropy_grad(&logits, &[1, 1], 3);
    assert_eq!((e, g), (1e4, vec![0.5, -0.5, 0.0, 0.0, 0.0, 0.0]));
    let (e, g) = l32::softmax_cross_entropy_grad(&to32(&logits), &[1, 1], 3);
    assert_eq!((e, g), (1e4, vec![0.5, -0.5, 0.0, 0.0, 0.0, 0.0]));

    // Two tied maxima share the mass; the vjp is p ⊙ (s − ⟨p, s⟩).
    let z = [1e4, 1e4, -1e4];
    let s = [1.0, 3.0, 5.0];
    let (mut dz, mut out, mut ds) = ([0.0; 3], [0.0; 3], s);
    l64::softmax_vjp(&z, &mut dz, &mut out, &mut ds);
    assert_eq!((out, dz), ([0.5, 0.5, 0.0], [-0.5, 0.5, 0.0]));
    let (mut dz, mut out, mut ds) = ([0.0f32; 3], [0.0; 3], [1.0, 3.0, 5.0]);
    l32::softmax_vjp(&[1e4, 1e4, -1e4], &mut dz, &mut out, &mut ds);
    assert_eq!((out, dz), ([0.5, 0.5, 0.0], [-0.5, 0.5, 0.0]));

    // log_softmax = z − max − ln Σ e^(z − max); its vjp is s − softmax(z) Σ s.
    let z = [1e4, -1e4, 0.0];
    let (mut dz, mut out, mut ds) = ([0.0; 3], [0.0; 3], s);
    l64::log_softmax_vjp(&z, &mut dz, &mut out, &mut ds);
    assert_eq!((out, dz), ([0.0, -2e4, -1e4], [1.0 - 9.0, 3.0, 5.0]));
    let (mut dz, mut out, mut ds) = ([0.0f32; 3], [0.0; 3], [1.0, 3.0, 5.0]);
    l32::log_softmax_vjp(&[1e4, -1e4, 0.0], &mut dz, &mut out, &mut ds);
    assert_eq!((out, dz), ([0.0, -2e4, -1e4], [1.0 - 9.0, 3.0, 5.0]));
}

/// Cross-entropy from logits is smooth at 0 though its stable form has kinks there (max and
/// |z|): the tie rule max' = ½ and abs'(0) = 0 must add up to σ(0) − t.
#[test]
fn binary_cross_entropy_gradient_at_zero_logit_is_sigmoid_minus_target() {
    let (e, g) = l64::binary_cross_entropy_with_logits_grad(&[0.0, 0.0], &[0.0, 0.75]);
    assert!(close(e, std::f64::consts::LN_2, 1e-15), "{e}");
    assert_eq!(g, vec![0.25, -0.125]);
}

// ---- Layer kernels. -------------------------------------------------------------------------

const BATCH: usize = 3;
const INPUTS: usize = 4;
const OUTPUTS: usize = 5;

type Dense = fn(&[f64], &[f64], &[f64], &mut [f64], usize, f64);
type DenseVjp =
    fn(&[f64], &mut [f64], &[f64], &mut [f64], &[f64], &mut [f64], &mut [f64], &mut [f64], usize, f64) -> ((), ());
type DenseJvp = fn(&[f64], &[f64], &[f64], &[f64], &[f64], &[f64], &mut [f64], &mut [f64], usize, f64) -> ((), ());

/// The dense kernels with the constant each activation takes (0 where it takes none).
fn dense_kernels() -> [(&'static str, Dense, DenseVjp, DenseJvp, f64); 7] {
    [
        ("dense_identity", k64::dense_identity, k64::dense_identity_vjp, k64::dense_identity_jvp, 0.0),
        ("dense_sigmoid", k64::dense_sigmoid, k64::dense_sigmoid_vjp, k64::dense_sigmoid_jvp, 0.0),
        ("dense_tanh", k64::dense_tanh, k64::dense_tanh_vjp, k64::dense_tanh_jvp, 0.0),
        ("dense_relu", k64::dense_relu, k64::dense_relu_vjp, k64::dense_relu_jvp, 0.0),
        ("dense_leaky_relu", k64::dense_leaky_relu, k64::dense_leaky_relu_vjp, k64::dense_leaky_relu_jvp, 0.1),
        ("dense_elu", k64::dense_elu, k64::dense_elu_vjp, k64::dense_elu_jvp, ELU_ALPHA),
        ("dense_softplus", k64::dense_softplus, k64::dense_softplus_vjp, k64::dense_softplus_jvp, 0.0),
    ]
}

/// Gradients of L = ⟨seed, out⟩ with respect to each parameter tensor, by central
/// differences: `out(params)` runs the kernel on the parameters in order.
fn seeded_gradients(params: &[Vec<f64>], seed: &[f64], out: impl Fn(&[Vec<f64>]) -> Vec<f64>) -> Vec<Vec<f64>> {
    (0..params.len())
        .map(|p| {
            central_gradient(
                |v| {
                    let mut ps = params.to_vec();
                    ps[p] = v.to_vec();
                    out(&ps).iter().zip(seed).map(|(o, s)| o * s).sum()
                },
                &params[p],
            )
        })
        .collect()
}

/// Pre-activations are kept away from the kinks of relu, leaky relu, elu and prelu by more
/// than any finite-difference step: the check is of the smooth pieces.
fn assert_no_kink(z: &[f64]) {
    assert!(z.iter().all(|z| z.abs() > 1e-3), "a pre-activation sits on a kink: {z:?}");
}

#[test]
fn dense_kernels_vjp_and_jvp_match_central_differences() {
    let mut rng = Rng::new(21);
    for trial in 0..5 {
        let w = uniform(&mut rng, INPUTS * OUTPUTS, -1.5, 1.5);
        let b = uniform(&mut rng, OUTPUTS, -1.0, 1.0);
        let x = uniform(&mut rng, BATCH * INPUTS, -2.0, 2.0);
        let seed = uniform(&mut rng, BATCH * OUTPUTS, -1.0, 1.0);
        let mut z = vec![0.0; BATCH * OUTPUTS];
        k64::dense_identity(&w, &b, &x, &mut z, BATCH, 0.0);
        assert_no_kink(&z);
        for (name, f, vjp, jvp, alpha) in dense_kernels() {
            let run = |ps: &[Vec<f64>]| {
                let mut out = vec![0.0; BATCH * OUTPUTS];
                f(&ps[0], &ps[1], &ps[2], &mut out, BATCH, alpha);
                out
            };
            let params = [w.clone(), b.clone(), x.clone()];
            let expected = seeded_gradients(&params, &seed, run);
            // Shadows start at 0.5: the vjp adds into them.
            let (mut dw, mut db, mut dx) = (vec![0.5; w.len()], vec![0.5; b.len()], vec![0.5; x.len()]);
            let (mut out, mut dout) = (vec![0.0; BATCH * OUTPUTS], seed.clone());
            vjp(&w, &mut dw, &b, &mut db, &x, &mut dx, &mut out, &mut dout, BATCH, alpha);
            assert_eq!(out, run(&params), "{name}: vjp's output");
            assert!(dout.iter().all(|&d| d == 0.0), "{name}: the output's adjoint is consumed");
            for ((label, got), want) in [("w", &dw), ("b", &db), ("x", &dx)].into_iter().zip(&expected) {
                let got: Vec<f64> = got.iter().map(|g| g - 0.5).collect();
                assert_all_close(&format!("{name} trial {trial}: ∂/∂{label}"), &got, want, 1e-6);
            }

            // An empty input shadow skips the input gradient and changes nothing else.
            let (mut dw2, mut db2, mut out2, mut dout2) =
                (vec![0.5; w.len()], vec![0.5; b.len()], vec![0.0; out.len()], seed.clone());
            vjp(&w, &mut dw2, &b, &mut db2, &x, &mut [], &mut out2, &mut dout2, BATCH, alpha);
            assert_eq!((dw2, db2, out2), (dw.clone(), db.clone(), out.clone()), "{name}: empty dx");

            // Forward mode along a random direction: the directional derivative of out.
            let (tw, tb, tx) = (
                uniform(&mut rng, w.len(), -1.0, 1.0),
                uniform(&mut rng, b.len(), -1.0, 1.0),
                uniform(&mut rng, x.len(), -1.0, 1.0),
            );
            let (mut out3, mut tangent) = (vec![0.0; out.len()], vec![0.0; out.len()]);
            jvp(&w, &tw, &b, &tb, &x, &tx, &mut out3, &mut tangent, BATCH, alpha);
            assert_eq!(out3, out, "{name}: jvp's output");
            for (k, &t) in tangent.iter().enumerate() {
                let along = |h: f64| {
                    let moved = |p: &[f64], t: &[f64]| p.iter().zip(t).map(|(p, t)| p + h * t).collect::<Vec<_>>();
                    run(&[moved(&w, &tw), moved(&b, &tb), moved(&x, &tx)])[k]
                };
                let fd = central(along, 0.0);
                assert!(close(t, fd, 1e-6), "{name} trial {trial}: jvp[{k}] = {t}, central difference {fd}");
            }
        }
    }
}

#[test]
fn dense_prelu_vjp_matches_central_differences_including_alpha() {
    let mut rng = Rng::new(22);
    for trial in 0..5 {
        let w = uniform(&mut rng, INPUTS * OUTPUTS, -1.5, 1.5);
        let b = uniform(&mut rng, OUTPUTS, -1.0, 1.0);
        let alpha = uniform(&mut rng, OUTPUTS, -0.5, 1.5);
        let x = uniform(&mut rng, BATCH * INPUTS, -2.0, 2.0);
        let seed = uniform(&mut rng, BATCH * OUTPUTS, -1.0, 1.0);
        let mut z = vec![0.0; BATCH * OUTPUTS];
        k64::dense_identity(&w, &b, &x, &mut z, BATCH, 0.0);
        assert_no_kink(&z);
        assert!(z.iter().any(|&z| z < 0.0), "trial {trial}: no negative pre-activation, so no α gradient to check");
        let run = |ps: &[Vec<f64>]| {
            let mut out = vec![0.0; BATCH * OUTPUTS];
            k64::dense_prelu(&ps[0], &ps[1], &ps[2], &ps[3], &mut out, BATCH);
            out
        };
        let params = [w.clone(), b.clone(), alpha.clone(), x.clone()];
        let expected = seeded_gradients(&params, &seed, run);
        let (mut dw, mut db, mut dalpha, mut dx) =
            (vec![0.0; w.len()], vec![0.0; b.len()], vec![0.0; alpha.len()], vec![0.0; x.len()]);
        let (mut out, mut dout) = (vec![0.0; BATCH * OUTPUTS], seed.clone());
        k64::dense_prelu_vjp(&w, &mut dw, &b, &mut db, &alpha, &mut dalpha, &x, &mut dx, &mut out, &mut dout, BATCH);
        assert_eq!(out, run(&params));
        assert!(dout.iter().all(|&d| d == 0.0), "the output's adjoint is consumed");
        for ((label, got), want) in [("w", &dw), ("b", &db), ("alpha", &dalpha), ("x", &dx)].into_iter().zip(&expected)
        {
            assert_all_close(&format!("dense_prelu trial {trial}: ∂/∂{label}"), got, want, 1e-6);
        }
        // By hand: ∂L/∂α_j = Σ over rows with z < 0 of seed · z.
        for j in 0..OUTPUTS {
            let by_hand: f64 = (0..BATCH).map(|r| z[r * OUTPUTS + j].min(0.0) * seed[r * OUTPUTS + j]).sum();
            assert!(close(dalpha[j], by_hand, 1e-12), "∂/∂α{j}: {} vs {by_hand}", dalpha[j]);
        }
    }
}

#[test]
fn maxout_vjp_matches_central_differences() {
    let mut rng = Rng::new(23);
    for pieces in [1, 2, 3] {
        let np = OUTPUTS * pieces;
        let w = uniform(&mut rng, INPUTS * np, -1.5, 1.5);
        let b = uniform(&mut rng, np, -1.0, 1.0);
        let x = uniform(&mut rng, BATCH * INPUTS, -2.0, 2.0);
        let seed = uniform(&mut rng, BATCH * OUTPUTS, -1.0, 1.0);
        // No two pieces tie within a finite-difference step.
        let mut h = vec![0.0; BATCH * np];
        k64::dense_identity(&w, &b, &x, &mut h, BATCH, 0.0);
        for unit in h.chunks(pieces) {
            let mut sorted = unit.to_vec();
            sorted.sort_by(f64::total_cmp);
            assert!(sorted.windows(2).all(|p| p[1] - p[0] > 1e-3), "pieces {pieces}: a near tie {unit:?}");
        }
        let run = |ps: &[Vec<f64>]| {
            let mut out = vec![0.0; BATCH * OUTPUTS];
            k64::maxout(&ps[0], &ps[1], &ps[2], &mut out, BATCH, pieces);
            out
        };
        let params = [w.clone(), b.clone(), x.clone()];
        let expected = seeded_gradients(&params, &seed, run);
        let (mut dw, mut db, mut dx) = (vec![0.0; w.len()], vec![0.0; b.len()], vec![0.0; x.len()]);
        let (mut out, mut dout) = (vec![0.0; BATCH * OUTPUTS], seed.clone());
        k64::maxout_vjp(&w, &mut dw, &b, &mut db, &x, &mut dx, &mut out, &mut dout, BATCH, pieces);
        let maxima: Vec<f64> = h.chunks(pieces).map(|u| u.iter().copied().fold(f64::MIN, f64::max)).collect();
        assert_all_close(&format!("maxout ×{pieces}: output"), &out, &maxima, 1e-15);
        assert!(dout.iter().all(|&d| d == 0.0), "the output's adjoint is consumed");
        for ((label, got), want) in [("w", &dw), ("b", &db), ("x", &dx)].into_iter().zip(&expected) {
            assert_all_close(&format!("maxout ×{pieces}: ∂/∂{label}"), got, want, 1e-6);
        }
    }
}

/// Maxout's tie rule (max' = ½ to each side) splits the adjoint between tied pieces.
#[test]
fn maxout_splits_the_gradient_between_tied_pieces() {
    // One input, one output, two identical pieces.
    let (w, b, x) = ([2.0, 2.0], [0.5, 0.5], [3.0]);
    let (mut dw, mut db, mut dx) = ([0.0; 2], [0.0; 2], [0.0]);
    let (mut out, mut dout) = ([0.0], [1.0]);
    k64::maxout_vjp(&w, &mut dw, &b, &mut db, &x, &mut dx, &mut out, &mut dout, 1, 2);
    assert_eq!((out, dw, db, dx), ([6.5], [1.5, 1.5], [0.5, 0.5], [2.0]));
}
