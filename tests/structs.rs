//! Struct parameters (issue 11): a model's parameters in structs that derive
//! `Differentiable`, read by field in the body, with gradients of the same type. Each
//! function is checked against finite differences on every float of the struct, and forward
//! mode against reverse mode along random tangents.

// Index loops are the loops the macro differentiates.
#![allow(clippy::needless_range_loop)]

use chainrule::prelude::*;
use proptest::prelude::*;

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Layer {
    w: Vec<f64>,
    b: f64,
    #[no_grad]
    inputs: usize,
}

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Model {
    hidden: Layer,
    out: [f64; 2],
}

/// Data the loss reads but does not differentiate.
struct Sample {
    x: Vec<f64>,
    y: f64,
}

#[differentiable]
fn predict(m: &Model, x: &[f64]) -> f64 {
    let mut s = m.hidden.b;
    for (w, x) in m.hidden.w.iter().zip(x) {
        s += w * x;
    }
    m.out[0] * s.tanh() + m.out[1]
}

#[differentiable]
fn loss(m: &Model, #[no_grad] d: &Sample) -> f64 {
    let mut s = m.hidden.b;
    for i in 0..m.hidden.inputs {
        s += m.hidden.w[i] * d.x[i];
    }
    let e = m.out[0] * s.tanh() + m.out[1] - d.y;
    e * e
}

/// Two struct parameters, and a field read inside a branch.
#[differentiable]
fn blend(a: &Layer, b: &Layer, t: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..a.w.len() {
        if a.w[i] > b.w[i] {
            s += t * a.w[i];
        } else {
            s += (1.0 - t) * b.w[i] * b.b;
        }
    }
    s + a.b * t
}

#[derive(Differentiable, Clone, Debug)]
struct Small {
    w: [f32; 3],
    b: f32,
}

#[differentiable]
fn small(p: &Small, x: f32) -> f32 {
    (p.w[0] * x + p.w[1] * x * x + p.w[2]).sin() * p.b
}

// ---- Methods. ---------------------------------------------------------------------------------

impl Layer {
    #[differentiable]
    fn activation(t: f64) -> f64 {
        t / (1.0 + t.abs())
    }

    #[differentiable]
    fn forward(&self, x: &[f64]) -> f64 {
        let mut s = self.b;
        for i in 0..self.inputs {
            s += self.w[i] * x[i];
        }
        Self::activation(s)
    }
}

impl Model {
    #[differentiable]
    fn head(&self, h: f64) -> f64 {
        self.out[0] * h + self.out[1]
    }

    /// Fields lent whole to calls: a struct field to its type's method (by its path: the
    /// field's type is not written here) and to a free function, twice, beside the whole
    /// struct; an array field to a function of a slice.
    #[differentiable]
    fn through_fields(&self, x: &[f64]) -> f64 {
        let h = Layer::forward(&self.hidden, x);
        self.head(h)
            + blend(&self.hidden, &self.hidden, h) * dot2(&self.out, &self.out)
            + uses_whole(self, &self.hidden)
    }

    /// `through_fields` with the field's method called with method syntax,
    /// `self.hidden.forward(x)`: the same code.
    #[differentiable]
    fn through_fields_by_method(&self, x: &[f64]) -> f64 {
        let h = self.hidden.forward(x);
        self.head(h)
            + blend(&self.hidden, &self.hidden, h) * dot2(&self.out, &self.out)
            + uses_whole(self, &self.hidden)
    }

    /// `self` by value, calling a `&self` method and another by-value one: the companions
    /// borrow it all the same (`m.squashed_grad(h)`).
    #[differentiable]
    fn squashed(self, h: f64) -> f64 {
        (self.head(h) * self.out[0]).tanh() + self.scaled(h)
    }

    #[differentiable]
    fn scaled(self, h: f64) -> f64 {
        self.hidden.b * h * self.out[1]
    }
}

#[differentiable]
fn dot2(a: &[f64], b: &[f64]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// A field's method called with method syntax twice, on the input and on a local array
/// written from the first result (a deferred call, from its copy), in a loop.
#[differentiable]
fn field_method_twice(m: &Model, x: &[f64]) -> f64 {
    let mut z = [0.0; 3];
    let mut total = 0.0;
    for k in 0..2 {
        let h = m.hidden.forward(x);
        for i in 0..3 {
            z[i] = h * x[i] + k as f64;
        }
        total += m.hidden.forward(&z) * m.out[k];
    }
    total
}

/// The struct and one of its fields lent to the same call (their shadows overlap).
#[differentiable]
fn uses_whole(m: &Model, l: &Layer) -> f64 {
    m.hidden.b * l.b + m.out[1] * l.w[0]
}

/// Free functions calling methods of struct parameters, and passing structs on whole.
#[differentiable]
fn stacked(l: &Layer, m: &Model, x: &[f64]) -> f64 {
    let h = l.forward(x);
    m.head(h) * Layer::activation(h) + blend(l, l, h)
}

/// A struct taken by value (the body reads its fields, so it is one), passed on whole to a
/// function taking it by value too; the companions borrow it.
#[differentiable]
fn owned(m: Model, x: &[f64]) -> f64 {
    let h = m.hidden.w[0] * x[0] + m.hidden.b;
    owned_head(m, h) * h
}

#[differentiable]
fn owned_head(m: Model, h: f64) -> f64 {
    (m.out[0] * h).sin() + m.out[1]
}

fn model(floats: &[f64]) -> Model {
    Model { hidden: Layer { w: floats[..3].to_vec(), b: floats[3], inputs: 3 }, out: [floats[4], floats[5]] }
}

/// Central differences of `f` along each float of `m`, in `Differentiable::to_vec`'s order.
fn finite_differences<S: Differentiable<Float = f64> + Clone>(m: &S, f: impl Fn(&S) -> f64) -> Vec<f64> {
    let n = m.float_count();
    (0..n)
        .map(|k| {
            let h = 1e-6;
            let mut unit = m.zeros_like();
            let mut i = 0;
            let one = m.clone();
            unit.zip_floats(&one, &mut |u, _| {
                if i == k {
                    *u = 1.0;
                }
                i += 1;
            });
            let (mut up, mut down) = (m.clone(), m.clone());
            up.add_scaled(h, &unit);
            down.add_scaled(-h, &unit);
            (f(&up) - f(&down)) / (2.0 * h)
        })
        .collect()
}

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol * (1.0 + x.abs().max(y.abs())))
}

#[test]
fn a_struct_gradient_is_a_struct_of_the_same_shape() {
    let m = Model { hidden: Layer { w: vec![0.5, -0.3], b: 0.1, inputs: 2 }, out: [2.0, 0.5] };
    let x = [1.0, 2.0];
    // s = 0.5 − 0.6 + 0.1 = 0: tanh s = 0, tanh′ s = 1.
    let (value, (g, dx)) = predict_grad(&m, &x);
    assert_eq!(value, 0.5);
    assert_eq!(g, Model { hidden: Layer { w: vec![2.0, 4.0], b: 2.0, inputs: 2 }, out: [0.0, 1.0] });
    assert_eq!(dx, vec![1.0, -0.6]);
    let mut t = m.zeros_like();
    t.hidden.b = 1.0;
    assert_eq!(predict_jvp(&m, &t, &x, &[0.0; 2]), (0.5, 2.0));
    // f_vjp adds into the shadow.
    let mut shadow = g.clone();
    let mut dx = [0.0; 2];
    predict_vjp(&m, &mut shadow, &x, &mut dx, 1.0);
    assert_eq!(shadow.hidden.w, vec![4.0, 8.0]);
}

#[test]
fn a_method_taking_self_by_value_is_differentiated_through_a_borrow() {
    let m = model(&[0.2, -0.1, 0.3, 0.4, 0.5, -0.25]);
    let h = 0.8;
    let (value, (g, dh)) = m.squashed_grad(h);
    assert_eq!(value, m.clone().squashed(h));
    // By hand: u = (a h + c) a with a = out[0], c = out[1]; value = tanh u + b h c.
    let (a, c, b) = (0.5f64, -0.25f64, 0.4f64);
    let u = (a * h + c) * a;
    let t = 1.0 - u.tanh() * u.tanh();
    let close = |x: f64, y: f64| (x - y).abs() < 1e-12;
    assert!(close(g.out[0], t * (2.0 * a * h + c)), "{:?}", g.out);
    assert!(close(g.out[1], t * a + b * h) && close(g.hidden.b, h * c), "{g:?}");
    assert!(close(dh, t * a * a + b * c), "{dh}");
    assert!(g.hidden.w.iter().all(|w| *w == 0.0));
    let fd = finite_differences(&m, |m| m.clone().squashed(h));
    assert!(fd.iter().zip(g.to_vec()).all(|(f, g)| (f - g).abs() < 1e-6), "{fd:?} vs {g:?}");
    let mut tangent = m.zeros_like();
    tangent.out[1] = 1.0;
    let (v, dv) = m.squashed_jvp(&tangent, h, 0.5);
    assert!(v == value && close(dv, g.out[1] + 0.5 * dh), "{dv}");
}

#[test]
fn a_struct_by_value_is_borrowed_by_its_companions() {
    let m = model(&[0.2, -0.1, 0.3, 0.4, 0.5, -0.25]);
    let x = [1.5, 0.0, 0.0];
    let (value, (g, dx)) = owned_grad(&m, &x);
    assert_eq!(value, owned(m.clone(), &x));
    // By hand: h = w₀ x₀ + b, value = (sin(a h) + c) h.
    let (w0, b, a, c) = (0.2f64, 0.4f64, 0.5f64, -0.25f64);
    let h = w0 * 1.5 + b;
    let dh = (a * h).cos() * a * h + (a * h).sin() + c;
    let close = |x: f64, y: f64| (x - y).abs() < 1e-12;
    assert!(close(g.hidden.w[0], dh * 1.5) && close(g.hidden.b, dh) && close(dx[0], dh * w0), "{g:?} {dx:?}");
    assert!(close(g.out[0], (a * h).cos() * h * h) && close(g.out[1], h), "{:?}", g.out);
    let fd = finite_differences(&m, |m| owned(m.clone(), &x));
    assert!(fd.iter().zip(g.to_vec()).all(|(f, g)| (f - g).abs() < 1e-6), "{fd:?} vs {g:?}");
    let mut shadow = m.zeros_like();
    let mut dx2 = [0.0; 3];
    owned_vjp(&m, &mut shadow, &x, &mut dx2, 2.0);
    assert!(close(shadow.out[1], 2.0 * h) && close(dx2[0], 2.0 * dx[0]));
}

#[test]
fn fields_lent_whole_get_their_gradients() {
    let m = model(&[0.2, -0.1, 0.3, 0.4, 0.5, -0.25]);
    let x = [1.5, -0.5, 0.25];
    let (value, (g, dx)) = m.through_fields_grad(&x);
    assert_eq!(value, m.through_fields(&x));
    let fd = finite_differences(&m, |m| m.through_fields(&x));
    assert!(fd.iter().zip(g.to_vec()).all(|(f, g)| (f - g).abs() < 1e-6), "{fd:?} vs {:?}", g.to_vec());
    assert!(g.hidden.w.iter().all(|w| *w != 0.0) && g.out[0] != 0.0, "{g:?}");
    let h = 1e-6;
    for i in 0..3 {
        let (mut up, mut down) = (x, x);
        up[i] += h;
        down[i] -= h;
        let fd = (m.through_fields(&up) - m.through_fields(&down)) / (2.0 * h);
        assert!((fd - dx[i]).abs() < 1e-6, "dx[{i}] = {}, finite differences {fd}", dx[i]);
    }
    let mut t = m.zeros_like();
    t.hidden.w[1] = 1.0;
    t.out[1] = -0.5;
    let (v, dv) = m.through_fields_jvp(&t, &x, &[0.0; 3]);
    assert!(v == value && (dv - (g.hidden.w[1] - 0.5 * g.out[1])).abs() < 1e-12, "{dv}");
}

#[test]
fn a_field_method_called_with_method_syntax_is_its_path_call() {
    let m = model(&[0.2, -0.1, 0.3, 0.4, 0.5, -0.25]);
    let x = [1.5, -0.5, 0.25];
    let (v1, (g1, dx1)) = m.through_fields_grad(&x);
    let (v2, (g2, dx2)) = m.through_fields_by_method_grad(&x);
    assert_eq!((v1.to_bits(), g1.to_vec(), dx1), (v2.to_bits(), g2.to_vec(), dx2));
    let t = model(&[0.1, 0.2, -0.3, 0.4, 0.0, 1.0]);
    assert_eq!(m.through_fields_jvp(&t, &x, &[0.5; 3]), m.through_fields_by_method_jvp(&t, &x, &[0.5; 3]));
}

#[test]
fn gradient_descent_on_a_struct_model_fits_a_sample() {
    let mut m = model(&[0.2, -0.1, 0.3, 0.0, 1.0, 0.0]);
    let d = Sample { x: vec![1.0, -1.0, 0.5], y: 0.7 };
    let start = loss(&m, &d);
    for _ in 0..100 {
        let (_, g) = loss_grad(&m, &d);
        m.add_scaled(-0.1, &g);
    }
    assert!(start > 0.01 && loss(&m, &d) < 1e-8, "{start} -> {}", loss(&m, &d));
}

#[test]
fn f32_structs_are_differentiated_too() {
    let p = Small { w: [0.5, -0.25, 0.1], b: 2.0 };
    let (value, (g, dx)) = small_grad(&p, 0.5);
    let s = 0.5f32 * 0.5 - 0.25 * 0.25 + 0.1;
    assert!((value - s.sin() * 2.0).abs() < 1e-6);
    let c = s.cos() * 2.0;
    assert!((g.w[0] - c * 0.5).abs() < 1e-6 && (g.w[2] - c).abs() < 1e-6 && (g.b - s.sin()).abs() < 1e-6);
    assert!((dx - c * (0.5 - 0.25)).abs() < 1e-6);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn struct_gradients_match_finite_differences_and_forward_mode(
        floats in proptest::collection::vec(-1.5f64..1.5, 6),
        x in proptest::collection::vec(-1.5f64..1.5, 3),
        y in -1.0f64..1.0,
        tangent in proptest::collection::vec(-1.0f64..1.0, 6),
    ) {
        let m = model(&floats);
        let (value, (g, _)) = predict_grad(&m, &x);
        prop_assert_eq!(value, predict(&m, &x));
        let fd = finite_differences(&m, |m| predict(m, &x));
        prop_assert!(close(&g.to_vec(), &fd, 1e-6), "{:?} vs {:?}", g.to_vec(), fd);

        let d = Sample { x: x.clone(), y };
        let (_, g) = loss_grad(&m, &d);
        let fd = finite_differences(&m, |m| loss(m, &d));
        prop_assert!(close(&g.to_vec(), &fd, 1e-6));
        // Forward along `t` is the gradient dotted with `t`.
        let t = model(&tangent);
        let (_, along) = loss_jvp(&m, &t, &d);
        let dot: f64 = g.to_vec().iter().zip(t.to_vec()).map(|(a, b)| a * b).sum();
        prop_assert!((along - dot).abs() < 1e-9 * (1.0 + dot.abs()));

        let a = model(&floats).hidden;
        let b = model(&tangent).hidden;
        let (_, (ga, gb, _)) = blend_grad(&a, &b, y);
        let fa = finite_differences(&a, |a| blend(a, &b, y));
        let fb = finite_differences(&b, |b| blend(&a, b, y));
        prop_assume!(a.w.iter().zip(&b.w).all(|(p, q)| (p - q).abs() > 1e-4));
        prop_assert!(close(&ga.to_vec(), &fa, 1e-6) && close(&gb.to_vec(), &fb, 1e-6));

        // A field's method called twice with method syntax, in a loop.
        let (value, (g, dx)) = field_method_twice_grad(&m, &x);
        prop_assert_eq!(value, field_method_twice(&m, &x));
        let fd = finite_differences(&m, |m| field_method_twice(m, &x));
        prop_assert!(close(&g.to_vec(), &fd, 1e-5), "{:?} vs {:?}", g.to_vec(), fd);
        let (_, along) = field_method_twice_jvp(&m, &t, &x, &[0.25, -0.5, 1.0]);
        let dot: f64 = g.to_vec().iter().zip(t.to_vec()).map(|(a, b)| a * b).sum::<f64>()
            + 0.25 * dx[0] - 0.5 * dx[1] + dx[2];
        prop_assert!((along - dot).abs() < 1e-9 * (1.0 + dot.abs()), "{} vs {}", along, dot);

        // Methods, and structs passed on whole.
        let h = a.forward(&x);
        prop_assume!(h.abs() > 1e-4 && (h - a.w[0]).abs() > 1e-4);
        let (value, (gl, gm, _)) = stacked_grad(&a, &m, &x);
        prop_assert_eq!(value, stacked(&a, &m, &x));
        let fl = finite_differences(&a, |a| stacked(a, &m, &x));
        let fm = finite_differences(&m, |m| stacked(&a, m, &x));
        prop_assert!(close(&gl.to_vec(), &fl, 1e-5), "{:?} vs {:?}", gl.to_vec(), fl);
        prop_assert!(close(&gm.to_vec(), &fm, 1e-5), "{:?} vs {:?}", gm.to_vec(), fm);
        let (_, along) = stacked_jvp(&a, &b, &m, &t, &x, &[0.0; 3]);
        let dot: f64 = gl.to_vec().iter().zip(b.to_vec()).chain(gm.to_vec().iter().zip(t.to_vec())).map(|(p, q)| p * q).sum();
        prop_assert!((along - dot).abs() < 1e-9 * (1.0 + dot.abs()));
    }
}

/// A struct with constant float data among its fields: a scale and a mask, `#[no_grad]`,
/// in it and in a nested struct.
#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Scaled {
    w: Vec<f64>,
    #[no_grad]
    scale: f64,
    #[no_grad]
    mask: Vec<f64>,
    inner: Gain,
}

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Gain {
    g: f64,
    #[no_grad]
    k: f64,
}

#[differentiable]
fn masked(p: &Scaled, x: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..p.w.len() {
        s += p.w[i] * p.mask[i] * x;
    }
    (s * p.scale + p.inner.g * p.inner.k).sin()
}

/// Constant fields get no tangent and no gradient, whatever the tangent and shadow structs
/// hold there: `zeros_like` copies them (they once were the tangent of the constant, so
/// `f_jvp` along `w` added `∂f/∂scale · scale`), and the shadow's are left as they are.
#[test]
fn constant_fields_have_no_tangent_and_no_gradient() {
    let p = Scaled { w: vec![0.3, -0.2], scale: 1.5, mask: vec![2.0, 0.5], inner: Gain { g: 0.7, k: 3.0 } };
    let x = 0.4;
    let (value, (g, gx)) = masked_grad(&p, x);
    assert_eq!(value, masked(&p, x));
    // The constants keep their values in the gradient (`zeros_like`), nothing added.
    assert_eq!((g.scale, &g.mask, g.inner.k), (1.5, &vec![2.0, 0.5], 3.0));
    let s: f64 = 0.3 * 2.0 * x - 0.2 * 0.5 * x;
    let c = (s * 1.5 + 0.7 * 3.0).cos();
    assert!(close(&g.w, &[c * 1.5 * 2.0 * x, c * 1.5 * 0.5 * x], 1e-15));
    assert!((g.inner.g - c * 3.0).abs() < 1e-15);
    assert!((gx - c * 1.5 * (0.3 * 2.0 - 0.2 * 0.5)).abs() < 1e-15);
    // Forward mode along each float, from a tangent that `zeros_like` made (so the
    // constants hold their values there), against the gradient.
    let floats = g.to_vec();
    for k in 0..floats.len() {
        let mut t = p.zeros_like();
        let mut i = 0;
        t.zip_floats(&p, &mut |u, _| {
            *u = if i == k { 1.0 } else { 0.0 };
            i += 1;
        });
        let (_, slope) = masked_jvp(&p, &t, x, 0.0);
        assert!((slope - floats[k]).abs() < 1e-15, "float {k}: {slope} vs {}", floats[k]);
    }
    // Reverse mode adds into the shadow's floats only.
    let mut shadow = p.clone();
    let mut dx = 0.0;
    let (_, gx2) = masked_vjp(&p, &mut shadow, x, 1.0);
    dx += gx2;
    assert_eq!((shadow.scale, &shadow.mask, shadow.inner.k), (1.5, &vec![2.0, 0.5], 3.0));
    assert!(close(&shadow.w, &[0.3 + g.w[0], -0.2 + g.w[1]], 1e-15));
    assert_eq!(dx, gx);
    // Finite differences over the floats agree.
    assert!(close(&finite_differences(&p, |q| masked(q, x)), &floats, 1e-6));
}

/// Rows fields read by element, `p.layer.w[i][j]`, of `[[f64; N]; M]` and `Vec<[f64; N]>`.
#[derive(Differentiable, Clone, Debug)]
struct Grid {
    w: [[f64; 3]; 2],
    rows: Vec<[f64; 2]>,
}

#[derive(Differentiable, Clone, Debug)]
struct Outer {
    grid: Grid,
    #[no_grad]
    fixed: [[f64; 2]; 2],
}

#[differentiable]
fn bilinear(p: &Outer, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        for j in 0..3 {
            s += p.grid.w[i][j] * x[j] * x[i];
        }
    }
    for r in 0..p.grid.rows.len() {
        s += p.grid.rows[r][0] * p.grid.rows[r][1] * p.fixed[r % 2][1];
    }
    s * s
}

#[test]
fn rows_fields_are_read_by_element() {
    let grid = Grid { w: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], rows: vec![[1.0, 2.0], [-0.5, 0.25], [0.3, 0.7]] };
    let p = Outer { grid, fixed: [[9.0, 2.0], [9.0, -1.0]] };
    let x = [0.5, -1.5, 2.0];
    let (value, (g, gx)) = bilinear_grad(&p, &x);
    assert_eq!(value, bilinear(&p, &x));
    assert_eq!(g.fixed, p.fixed);
    assert!(close(&g.to_vec(), &finite_differences(&p, |q| bilinear(q, &x)), 1e-6));
    // ∂/∂w[i][j] = 2 s x[j] x[i] and ∂/∂rows[r][1] = 2 s rows[r][0] fixed[r % 2][1], for the
    // sum s that is squared: 2 s from w[0][0]'s, the others against it.
    let two_s = g.grid.w[0][0] / (x[0] * x[0]);
    assert!((two_s * two_s / 4.0 - value).abs() < 1e-12);
    assert!((g.grid.w[1][2] - two_s * x[2] * x[1]).abs() < 1e-12);
    let (rows_1_0, fixed_1_1) = (-0.5, -1.0);
    assert!((g.grid.rows[1][1] - two_s * rows_1_0 * fixed_1_1).abs() < 1e-12);
    let mut t = p.zeros_like();
    t.grid.rows[2][0] = 1.0;
    let (_, slope) = bilinear_jvp(&p, &t, &x, &[0.0; 3]);
    assert!((slope - g.grid.rows[2][0]).abs() < 1e-12);
    let mut dx = vec![0.0; 3];
    let mut shadow = p.zeros_like();
    bilinear_vjp(&p, &mut shadow, &x, &mut dx, 1.0);
    assert_eq!((shadow.to_vec(), dx), (g.to_vec(), gx));
}

/// Rows fields iterated row by row, `for r in p.grid.rows.iter() { .. r[0] .. }`.
#[differentiable]
fn row_products(p: &Outer, x: f64) -> f64 {
    let mut u = 0.0;
    for r in p.grid.rows.iter() {
        u += r[0] * r[1] * x;
    }
    for row in p.grid.w.iter() {
        u += row[2] * row[0];
    }
    u
}

#[test]
fn rows_fields_are_iterated_by_row() {
    let grid = Grid { w: [[0.5, 0.0, 2.0], [1.0, 0.0, 3.0]], rows: vec![[1.0, 2.0], [3.0, 4.0]] };
    let p = Outer { grid, fixed: [[0.0; 2]; 2] };
    let (value, (g, gx)) = row_products_grad(&p, 0.5);
    assert_eq!((value, gx), (0.5 * (2.0 + 12.0) + 1.0 + 3.0, 14.0));
    assert_eq!(g.grid.rows, vec![[1.0, 0.5], [2.0, 1.5]]);
    assert_eq!(g.grid.w, [[2.0, 0.0, 0.5], [3.0, 0.0, 1.0]]);
    assert!(close(&g.to_vec(), &finite_differences(&p, |q| row_products(q, 0.5)), 1e-6));
}
