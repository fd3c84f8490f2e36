//! Structs generic over their float type (`struct Mlp<F: Float>`): the derive makes them
//! differentiable at every float type, a generic function or a method of
//! `impl<F: Float> Mlp<F>` takes them, at `f32` and `f64` with the same companions, and their
//! higher-order companions (`f_hvp`, `f_hessian`) run them on dual numbers. Checked against
//! finite differences, forward against reverse mode, the Hessian against differences of the
//! gradient, and the method against the free function of the same body.

#![allow(clippy::needless_range_loop)]

mod common;

use chainrule::differentiable::Retype;
use chainrule::prelude::*;
use proptest::collection::vec;
use proptest::prelude::*;

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Layer<F: Float> {
    w: Vec<F>,
    b: Vec<F>,
}

/// Every kind of field: a nested struct, a `Vec`, an array, a scalar, a constant size.
#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Model<F: Float> {
    hidden: Layer<F>,
    out: [F; 3],
    scale: F,
    #[no_grad]
    inputs: usize,
}

/// A 2-3-1 network with a tanh hidden layer, squared error against `y`, scaled.
#[differentiable]
fn loss<F: Float>(m: &Model<F>, x: &[F], #[no_grad] y: F) -> F {
    let mut o = F::ZERO;
    for j in 0..3 {
        let mut z = m.hidden.b[j];
        for i in 0..m.inputs {
            z += m.hidden.w[j * m.inputs + i] * x[i];
        }
        o += m.out[j] * z.tanh();
    }
    let e = o * m.scale - y;
    F::from_f64(0.5) * e * e
}

impl<F: Float> Model<F> {
    /// `loss` as a method.
    #[differentiable]
    fn cost(&self, x: &[F], #[no_grad] y: F) -> F {
        let mut o = F::ZERO;
        for j in 0..3 {
            let mut z = self.hidden.b[j];
            for i in 0..self.inputs {
                z += self.hidden.w[j * self.inputs + i] * x[i];
            }
            o += self.out[j] * z.tanh();
        }
        let e = o * self.scale - y;
        F::from_f64(0.5) * e * e
    }
}

/// A model from 13 floats (6 weights, 3 biases, 3 outputs, the scale).
fn model(z: &[f64]) -> Model<f64> {
    let hidden = Layer { w: z[..6].to_vec(), b: z[6..9].to_vec() };
    Model { hidden, out: [z[9], z[10], z[11]], scale: z[12], inputs: 2 }
}

/// `m` with its `k`-th float moved by `h`.
fn nudged(m: &Model<f64>, k: usize, h: f64) -> Model<f64> {
    let mut j = 0;
    m.retype(&mut |x| {
        j += 1;
        if j - 1 == k { x + h } else { x }
    })
}

/// The gradient of `loss` over the model's floats and then `x`'s.
fn gradient(m: &Model<f64>, x: &[f64], y: f64) -> Vec<f64> {
    let (_, (gm, gx)) = loss_grad(m, x, y);
    let mut g = gm.to_vec();
    g.extend(gx);
    g
}

proptest! {
    #![proptest_config(common::config())]

    /// The struct's gradient against central differences of the loss, float by float; the
    /// forward mode's tangent along `d` against the gradient's inner product with `d`.
    #[test]
    fn gradient_against_finite_differences(z in vec(-1.0f64..1.0, 13), x in vec(-1.0f64..1.0, 2),
        d in vec(-1.0f64..1.0, 13), y in -1.0f64..1.0) {
        let m = model(&z);
        let (value, (g, gx)) = loss_grad(&m, &x, y);
        prop_assert_eq!(value, loss(&m, &x, y));
        prop_assert_eq!(g.inputs, 2);
        let g = g.to_vec();
        for k in 0..13 {
            let h = 1e-6;
            let fd = (loss(&nudged(&m, k, h), &x, y) - loss(&nudged(&m, k, -h), &x, y)) / (2.0 * h);
            prop_assert!((g[k] - fd).abs() <= 1e-6 * (1.0 + fd.abs()), "float {}: {} vs {}", k, g[k], fd);
        }
        let dm = model(&d);
        let (_, slope) = loss_jvp(&m, &dm, &x, &[0.0, 0.0], y);
        let dot: f64 = g.iter().zip(&d).map(|(a, b)| a * b).sum();
        prop_assert!((slope - dot).abs() <= 1e-12 * (1.0 + dot.abs()), "{} vs {}", slope, dot);
        let mut shadow = m.zeros_like();
        let mut sx = vec![0.0; 2];
        let (v2, ()) = loss_vjp(&m, &mut shadow, &x, &mut sx, y, 1.0);
        prop_assert_eq!(v2, value);
        prop_assert_eq!(shadow.to_vec(), g);
        prop_assert_eq!(sx, gx);
    }

    /// The same generic code at `f32`, from the same floats, near the `f64` gradient.
    #[test]
    fn f32_follows_f64(z in vec(-1.0f64..1.0, 13), x in vec(-1.0f64..1.0, 2), y in -1.0f64..1.0) {
        let m = model(&z);
        let m32: Model<f32> = m.retype(&mut |v| v as f32);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let (_, (g, _)) = loss_grad(&m, &x, y);
        let (_, (g32, _)) = loss_grad(&m32, &x32, y as f32);
        for (a, b) in g.to_vec().into_iter().zip(g32.to_vec()) {
            prop_assert!((a - f64::from(b)).abs() <= 1e-4 * (1.0 + a.abs()), "{} vs {}", a, b);
        }
    }

    /// Each Hessian column is the derivative of the gradient (central differences of
    /// `f_grad`), the Hessian is symmetric to 1e-10, and `f_hvp` is the Hessian times `v`.
    #[test]
    fn hessian_of_a_struct(z in vec(-1.0f64..1.0, 13), x in vec(-1.0f64..1.0, 2),
        v in vec(-1.0f64..1.0, 15), y in -1.0f64..1.0) {
        let m = model(&z);
        let (value, (gm, gx), h) = loss_hessian(&m, &x, y);
        let (v0, (gm0, gx0)) = loss_grad(&m, &x, y);
        prop_assert_eq!(value, v0);
        prop_assert_eq!((&gm, &gx), (&gm0, &gx0));
        prop_assert_eq!((h.rows(), h.cols()), (15, 15));
        let step = 1e-6;
        for j in 0..15 {
            let (gp, gn) = if j < 13 {
                (gradient(&nudged(&m, j, step), &x, y), gradient(&nudged(&m, j, -step), &x, y))
            } else {
                let (mut xp, mut xn) = (x.clone(), x.clone());
                xp[j - 13] += step;
                xn[j - 13] -= step;
                (gradient(&m, &xp, y), gradient(&m, &xn, y))
            };
            for i in 0..15 {
                let fd = (gp[i] - gn[i]) / (2.0 * step);
                prop_assert!((h[(i, j)] - fd).abs() <= 1e-5 * (1.0 + fd.abs()), "H[{}][{}] = {} vs {}", i, j, h[(i, j)], fd);
                prop_assert!((h[(i, j)] - h[(j, i)]).abs() <= 1e-10 * (1.0 + h[(i, j)].abs()), "not symmetric at {} {}", i, j);
            }
        }
        let (value, (gm1, _), (hm, hx)) = loss_hvp(&m, &x, y, &model(&v[..13]), &v[13..]);
        prop_assert_eq!(value, v0);
        prop_assert_eq!(gm1, gm0);
        let mut hv = hm.to_vec();
        hv.extend(hx);
        for i in 0..15 {
            let row: f64 = (0..15).map(|j| h[(i, j)] * v[j]).sum();
            prop_assert!((hv[i] - row).abs() <= 1e-10 * (1.0 + row.abs()), "Hv[{}] = {} vs {}", i, hv[i], row);
        }
    }

    /// The method's companions, higher-order ones too, give the free function's numbers.
    #[test]
    fn methods_of_generic_impls(z in vec(-1.0f64..1.0, 13), x in vec(-1.0f64..1.0, 2),
        v in vec(-1.0f64..1.0, 15), y in -1.0f64..1.0) {
        let m = model(&z);
        prop_assert_eq!(m.cost_grad(&x, y), loss_grad(&m, &x, y));
        let dm = model(&v[..13]);
        prop_assert_eq!(m.cost_jvp(&dm, &x, &v[13..], y), loss_jvp(&m, &dm, &x, &v[13..], y));
        prop_assert_eq!(m.cost_hvp(&x, y, &dm, &v[13..]), loss_hvp(&m, &x, y, &dm, &v[13..]));
        let (a, b) = (m.cost_hessian(&x, y), loss_hessian(&m, &x, y));
        prop_assert_eq!((a.0, a.1), (b.0, b.1));
        prop_assert_eq!(a.2.as_slice(), b.2.as_slice());
        let m32: Model<f32> = m.retype(&mut |v| v as f32);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        prop_assert_eq!(m32.cost_grad(&x32, y as f32), loss_grad(&m32, &x32, y as f32));
    }
}

/// The Hessian of a quadratic in a struct's floats is its constant matrix: `½ (a·w)² + b²`.
#[derive(Differentiable, Clone, Debug)]
struct Pair<F: Float> {
    w: [F; 2],
    b: F,
}

#[differentiable]
fn quadratic<F: Float>(p: &Pair<F>, #[no_grad] a: [F; 2]) -> F {
    let s = a[0] * p.w[0] + a[1] * p.w[1];
    F::from_f64(0.5) * s * s + p.b * p.b
}

#[test]
fn quadratic_hessian_is_exact() {
    let p = Pair { w: [0.3, -2.0], b: 1.5 };
    let (value, g, h) = quadratic_hessian(&p, [2.0, 3.0]);
    let s = 2.0 * 0.3 - 3.0 * 2.0;
    assert_eq!(value, 0.5 * s * s + 2.25);
    assert_eq!((g.w, g.b), ([2.0 * s, 3.0 * s], 3.0));
    let expected = [[4.0, 6.0, 0.0], [6.0, 9.0, 0.0], [0.0, 0.0, 2.0]];
    for i in 0..3 {
        assert_eq!(h.row(i), expected[i]);
    }
}

/// A concrete function of the generic struct at `f64`, calling the generic one.
#[differentiable]
fn at_f64(m: &Model<f64>, x: &[f64]) -> f64 {
    loss(m, x, 0.25) * 2.0 + m.scale
}

/// A generic caller passing the struct and one of its fields on.
#[differentiable]
fn twice<F: Float>(m: &Model<F>, x: &[F]) -> F {
    m.cost(x, F::ZERO) + loss(m, x, F::ONE) * m.out[0]
}

#[test]
fn calls_pass_generic_structs_on() {
    let m = model(&[0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.05, -0.05, 0.1, 0.7, -0.8, 0.9, 1.1]);
    let x = [0.4, -0.9];
    let (value, (g, gx)) = at_f64_grad(&m, &x);
    let (l, (gl, glx)) = loss_grad(&m, &x, 0.25);
    assert_eq!(value, l * 2.0 + 1.1);
    let mut expected = gl.clone();
    expected.add_scaled(1.0, &gl);
    expected.scale += 1.0;
    assert_eq!(g, expected);
    assert_eq!(gx, glx.iter().map(|v| v * 2.0).collect::<Vec<_>>());
    // The generic caller against central differences.
    let (_, (g, _)) = twice_grad(&m, &x);
    let g = g.to_vec();
    for k in 0..13 {
        let h = 1e-6;
        let fd = (twice(&nudged(&m, k, h), &x) - twice(&nudged(&m, k, -h), &x)) / (2.0 * h);
        assert!((g[k] - fd).abs() <= 1e-6 * (1.0 + fd.abs()), "float {k}: {} vs {fd}", g[k]);
    }
    // Its Hessian-vector product (through the method and the generic call, on duals)
    // against central differences of its gradient along the direction.
    let (v, dx) = (model(&[0.3, 0.1, -0.2, 0.5, 0.2, -0.4, 0.1, 0.2, -0.3, 0.6, 0.1, -0.2, 0.4]), [0.5, -0.25]);
    let (_, _, (hm, hx)) = twice_hvp(&m, &x, &v, &dx);
    let h = 1e-6;
    let at = |s: f64| {
        let mut moved = m.clone();
        moved.add_scaled(s, &v);
        let (_, (gm, gx)) = twice_grad(&moved, &[x[0] + s * dx[0], x[1] + s * dx[1]]);
        let mut g = gm.to_vec();
        g.extend(gx);
        g
    };
    let (plus, minus) = (at(h), at(-h));
    let mut hv = hm.to_vec();
    hv.extend(hx);
    for i in 0..15 {
        let fd = (plus[i] - minus[i]) / (2.0 * h);
        assert!((hv[i] - fd).abs() <= 1e-5 * (1.0 + fd.abs()), "Hv[{i}] = {} vs {fd}", hv[i]);
    }
}

/// The hidden layer's activations: 3 results of 15 input floats, a Jacobian by rows.
#[differentiable]
fn hidden<F: Float>(m: &Model<F>, x: &[F]) -> [F; 3] {
    let mut h = [F::ZERO; 3];
    for j in 0..3 {
        let mut z = m.hidden.b[j];
        for i in 0..m.inputs {
            z += m.hidden.w[j * m.inputs + i] * x[i];
        }
        h[j] = z.tanh() * m.scale;
    }
    h
}

/// The three rows of the Jacobian of a map of the model and two inputs, each by a vjp with
/// a unit seed: the model's floats' gradient, then the inputs'.
fn rows_by_vjp(m: &Model<f64>, vjp: impl Fn(&mut Model<f64>, &mut [f64], [f64; 3])) -> Vec<Vec<f64>> {
    (0..3)
        .map(|r| {
            let mut seed = [0.0; 3];
            seed[r] = 1.0;
            let (mut dm, mut dx) = (m.zeros_like(), vec![0.0; 2]);
            vjp(&mut dm, &mut dx, seed);
            let mut row = dm.to_vec();
            row.extend(dx);
            row
        })
        .collect()
}

/// Four results of a struct's three floats and a scalar, a Jacobian by forward lanes.
#[differentiable]
fn spread<F: Float>(p: &Pair<F>, t: F) -> (F, F, F, F) {
    (p.w[0] * t, p.w[1] * p.b, (p.b * t).sin(), p.w[0] * p.w[1] * t)
}

proptest! {
    #![proptest_config(common::config())]

    /// Jacobians of struct parameters: rows against `f_vjp` with unit seeds, columns against
    /// `f_jvp` along unit directions, by both of `f_jacobian`'s paths.
    #[test]
    fn jacobians_of_structs(z in vec(-1.0f64..1.0, 13), x in vec(-1.0f64..1.0, 2), t in -2.0f64..2.0) {
        let m = model(&z);
        let (value, j) = hidden_jacobian(&m, &x);
        prop_assert_eq!(value, hidden(&m, &x));
        prop_assert_eq!((j.rows(), j.cols()), (3, 15));
        let rows = rows_by_vjp(&m, |dm, dx, seed| {
            hidden_vjp(&m, dm, &x, dx, seed);
        });
        for r in 0..3 {
            prop_assert_eq!(j.row(r), &rows[r][..]);
        }
        let p = Pair { w: [z[0], z[1]], b: z[2] };
        let (value, j) = spread_jacobian(&p, t);
        prop_assert_eq!(value, spread(&p, t));
        prop_assert_eq!((j.rows(), j.cols()), (4, 4));
        for c in 0..4 {
            let u = |k: usize| if k == c { 1.0 } else { 0.0 };
            let dp = Pair { w: [u(0), u(1)], b: u(2) };
            let (_, d) = spread_jvp(&p, &dp, t, u(3));
            let column = [d.0, d.1, d.2, d.3];
            for r in 0..4 {
                prop_assert!((j[(r, c)] - column[r]).abs() <= 1e-14, "J[{}][{}] = {} vs {}", r, c, j[(r, c)], column[r]);
            }
        }
    }
}

impl<F: Float> Model<F> {
    /// `hidden` as a method: its Jacobian by rows, the passes beside it in the block.
    #[differentiable]
    fn activations(&self, x: &[F]) -> [F; 3] {
        let mut h = [F::ZERO; 3];
        for j in 0..3 {
            let mut z = self.hidden.b[j];
            for i in 0..self.inputs {
                z += self.hidden.w[j * self.inputs + i] * x[i];
            }
            h[j] = z.tanh() * self.scale;
        }
        h
    }
}

impl<F: Float> Pair<F> {
    /// `spread` as a method: its Jacobian by forward lanes.
    #[differentiable]
    fn spread(&self, t: F) -> (F, F, F, F) {
        (self.w[0] * t, self.w[1] * self.b, (self.b * t).sin(), self.w[0] * self.w[1] * t)
    }
}

impl<F: Float> Pair<F> {
    /// `rates` as an associated function: the Jacobian of what it writes into `out`, its
    /// passes beside it in the block.
    #[differentiable]
    fn rates(x: &[F], k: F, out: &mut [F]) {
        for i in 0..out.len() {
            out[i] = (k * x[i % x.len()]).sin() + x[(i + 1) % x.len()] * k;
        }
    }
}

impl<F: Float> Pair<F> {
    /// A method writing `&mut` outputs: its Jacobian with respect to `self` and `x`.
    #[differentiable]
    fn rates_of(&self, x: &[F], out: &mut [F]) {
        for i in 0..out.len() {
            out[i] = self.w[0] * x[i % x.len()] + (self.b * x[(i + 1) % x.len()]).sin() * self.w[1];
        }
    }
}

#[differentiable]
fn rates_of<F: Float>(p: &Pair<F>, x: &[F], out: &mut [F]) {
    for i in 0..out.len() {
        out[i] = p.w[0] * x[i % x.len()] + (p.b * x[(i + 1) % x.len()]).sin() * p.w[1];
    }
}

#[differentiable]
fn rates<F: Float>(x: &[F], k: F, out: &mut [F]) {
    for i in 0..out.len() {
        out[i] = (k * x[i % x.len()]).sin() + x[(i + 1) % x.len()] * k;
    }
}

proptest! {
    #![proptest_config(common::config())]

    /// A method's Jacobian is the free function's, on both paths, and its rows are the
    /// method's own `f_vjp` with unit seeds.
    #[test]
    fn jacobians_of_methods(z in vec(-1.0f64..1.0, 13), x in vec(-1.0f64..1.0, 2), t in -2.0f64..2.0) {
        let m = model(&z);
        let ((value, j), (want, jw)) = (m.activations_jacobian(&x), hidden_jacobian(&m, &x));
        prop_assert_eq!((value, &j), (want, &jw));
        let rows = rows_by_vjp(&m, |dm, dx, seed| {
            m.activations_vjp(dm, &x, dx, seed);
        });
        for r in 0..3 {
            prop_assert_eq!(j.row(r), &rows[r][..]);
        }
        let p = Pair { w: [z[0], z[1]], b: z[2] };
        let ((value, j), (want, jw)) = (p.spread_jacobian(t), spread_jacobian(&p, t));
        prop_assert_eq!((value, j), (want, jw));
        // Outputs: by forward lanes (3 outputs of 3 + 1 inputs) and by rows (1 of 13 + 1).
        for (inputs, outputs) in [(&z[..3], 3), (&z[..], 1)] {
            let (mut o1, mut o2) = (vec![0.0; outputs], vec![0.0; outputs]);
            let (j1, j2) = (Pair::<f64>::rates_jacobian(inputs, t, &mut o1), rates_jacobian(inputs, t, &mut o2));
            prop_assert_eq!((&o1, &j1), (&o2, &j2));
            prop_assert_eq!((j1.rows(), j1.cols()), (outputs, inputs.len() + 1));
            let mut o3 = vec![0.0; outputs];
            rates(inputs, t, &mut o3);
            prop_assert_eq!(&o1, &o3);
            // A struct beside the outputs: the method's equals the free function's, whose
            // columns are its jvp along unit directions.
            let (j1, j2) = (p.rates_of_jacobian(inputs, &mut o1), rates_of_jacobian(&p, inputs, &mut o2));
            prop_assert_eq!((&o1, &j1), (&o2, &j2));
            let n = 3 + inputs.len();
            prop_assert_eq!((j2.rows(), j2.cols()), (outputs, n));
            for c in 0..n {
                let u = |k: usize| if k == c { 1.0 } else { 0.0 };
                let dp = Pair { w: [u(0), u(1)], b: u(2) };
                let dx: Vec<f64> = (0..inputs.len()).map(|k| u(3 + k)).collect();
                let (mut o, mut d) = (vec![0.0; outputs], vec![0.0; outputs]);
                rates_of_jvp(&p, &dp, inputs, &dx, &mut o, &mut d);
                for r in 0..outputs {
                    prop_assert!((j2[(r, c)] - d[r]).abs() <= 1e-14, "J[{}][{}] = {} vs {}", r, c, j2[(r, c)], d[r]);
                }
            }
        }
    }
}

/// Rows fields (`[[F; 2]; 2]`, `Vec<[F; 3]>`), an associated function of the block called
/// as `Self::..`, a field's method, a field lent to a generic function, a struct by value.
#[derive(Differentiable, Clone, Debug)]
struct Cell<F: Float> {
    w: Vec<F>,
    m: [[F; 2]; 2],
    taps: Vec<[F; 3]>,
}

#[derive(Differentiable, Clone, Debug)]
struct Stack<F: Float> {
    cell: Cell<F>,
    out: F,
}

impl<F: Float> Cell<F> {
    #[differentiable]
    fn forward(&self, x: F) -> F {
        let mut s = self.w[0] * x + self.m[1][0] * Self::twice(x);
        for k in 0..self.taps.len() {
            s += self.taps[k][2] * self.m[0][1] - self.taps[k][0] * x;
        }
        s.tanh()
    }

    #[differentiable]
    fn twice(x: F) -> F {
        x + x
    }
}

#[differentiable]
fn read_cell<F: Float>(c: &Cell<F>, x: F) -> F {
    c.w[1] * x * c.m[0][1] + c.taps[1][1] * c.m[1][1]
}

impl<F: Float> Stack<F> {
    #[differentiable]
    fn loss(&self, x: F) -> F {
        self.cell.forward(x) * self.out + read_cell(&self.cell, x)
    }
}

#[differentiable]
fn stacked<F: Float>(s: Stack<F>, x: F) -> F {
    s.loss(x) * s.out
}

#[test]
fn rows_fields_methods_and_calls_of_generic_structs() {
    let cell = Cell { w: vec![0.5, -0.3], m: [[0.2, 0.4], [0.6, 0.8]], taps: vec![[0.1, 0.2, 0.3], [-0.4, 0.5, 0.6]] };
    let s = Stack { cell, out: 1.5 };
    let x = 0.7;
    let (value, (g, gx)) = stacked_grad(&s, x);
    assert_eq!(value, stacked(s.clone(), x));
    let floats = g.to_vec();
    assert_eq!(floats.len(), 2 + 4 + 6 + 1);
    let h = 1e-6;
    for k in 0..floats.len() {
        let moved = |d: f64| {
            let mut j = 0;
            let t: Stack<f64> = s.retype(&mut |v| {
                j += 1;
                if j - 1 == k { v + d } else { v }
            });
            stacked(t, x)
        };
        let fd = (moved(h) - moved(-h)) / (2.0 * h);
        assert!((floats[k] - fd).abs() <= 1e-6 * (1.0 + fd.abs()), "float {k}: {} vs {fd}", floats[k]);
    }
    let fd = (stacked(s.clone(), x + h) - stacked(s.clone(), x - h)) / (2.0 * h);
    assert!((gx - fd).abs() <= 1e-6 * (1.0 + fd.abs()), "x: {gx} vs {fd}");
    // The Hessian through all of it is symmetric and its x column is the derivative of the
    // gradient along x.
    let (_, _, hess) = s.loss_hessian(x);
    let n = hess.rows();
    for i in 0..n {
        for j in 0..n {
            assert!((hess[(i, j)] - hess[(j, i)]).abs() <= 1e-10 * (1.0 + hess[(i, j)].abs()));
        }
    }
    let gradient = |x: f64| {
        let (_, (g, gx)) = s.loss_grad(x);
        let mut v = g.to_vec();
        v.push(gx);
        v
    };
    let (plus, minus) = (gradient(x + h), gradient(x - h));
    for i in 0..n {
        let fd = (plus[i] - minus[i]) / (2.0 * h);
        assert!((hess[(i, n - 1)] - fd).abs() <= 1e-5 * (1.0 + fd.abs()), "H[{i}][x] = {} vs {fd}", hess[(i, n - 1)]);
    }
    // At f32 the same code, near the f64 gradient.
    let s32: Stack<f32> = s.retype(&mut |v| v as f32);
    let (_, (g32, _)) = stacked_grad(&s32, x as f32);
    for (a, b) in floats.iter().zip(g32.to_vec()) {
        assert!((a - f64::from(b)).abs() <= 1e-4 * (1.0 + a.abs()));
    }
}
