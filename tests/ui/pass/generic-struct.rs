// A struct generic over its float type: taken by a generic function and by a method of a
// generic `impl` block, at f32 and f64, with first- and higher-order companions.
#![deny(warnings)]
use chainrule::prelude::*;

#[derive(Differentiable, Clone, Debug, PartialEq)]
struct Line<F: Float> {
    w: Vec<F>,
    b: F,
    #[no_grad]
    n: usize,
}

#[differentiable]
fn residual<F: Float>(p: &Line<F>, x: &[F], #[no_grad] y: F) -> F {
    let mut s = p.b - y;
    for i in 0..p.n {
        s += p.w[i] * x[i];
    }
    s * s
}

impl<F: Float> Line<F> {
    #[differentiable]
    fn predict(&self, x: &[F]) -> F {
        let mut s = self.b;
        for i in 0..self.n {
            s += self.w[i] * x[i] * F::from_f64(0.5);
        }
        s.tanh()
    }

    /// An associated function of the block, with an array result, and its `f_jacobian`.
    #[differentiable]
    fn turn(a: [F; 2], t: F) -> [F; 2] {
        [a[0] * t.cos() - a[1] * t.sin(), a[0] * t.sin() + a[1] * t.cos()]
    }
}

fn main() {
    let p = Line { w: vec![1.0, 2.0], b: 0.5, n: 2 };
    let (value, (g, gx)) = residual_grad(&p, &[1.0, -1.0], 0.0);
    assert_eq!(value, 0.25);
    assert_eq!((g.w, g.b, gx), (vec![-1.0, 1.0], -1.0, vec![-1.0, -2.0]));
    let (_, _, h) = residual_hessian(&p, &[1.0, -1.0], 0.0);
    assert_eq!(h.row(2), [2.0, -2.0, 2.0, 2.0, 4.0]);
    let p32 = Line { w: vec![1.0f32, 2.0], b: 0.5, n: 2 };
    let (v, (g32, _)) = p32.predict_grad(&[0.0, 0.0]);
    assert_eq!(v, 0.5f32.tanh());
    assert_eq!(g32.b, 1.0 - v * v);
    let d = Line { w: vec![0.0, 0.0], b: 1.0, n: 2 };
    let (_, _, (hb, _)) = p.predict_hvp(&[0.0, 0.0], &d, &[0.0, 0.0]);
    let (turned, (da, dt)) = Line::<f64>::turn_vjp([1.0, 0.0], 0.0, [0.0, 1.0]);
    assert_eq!((turned, da, dt), ([1.0, 0.0], [0.0, 1.0], 1.0));
    let (_, j) = Line::<f64>::turn_jacobian([1.0, 0.0], 0.0);
    assert_eq!(j.row(1), [0.0, 1.0, 1.0]);
    let t = 0.5f64.tanh();
    assert!((hb.b + 2.0 * t * (1.0 - t * t)).abs() < 1e-15);
}
