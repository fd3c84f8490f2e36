// The rest of the iterator loops: `enumerate`, `zip` over two slices, rows by
// `chunks_exact`, `iter_mut` over an `&mut` output, `for x in` a local array, and the reductions
// `.product()`, `.fold(..)`, `.copied()`.
use chainrule::prelude::*;

#[differentiable]
fn rows_times(m: &[f64], v: &[f64], out: &mut [f64]) {
    for (r, row) in m.chunks_exact(v.len()).enumerate() {
        let mut s = 0.0;
        for (a, b) in row.iter().zip(v) {
            s += a * b;
        }
        out[r] = s;
    }
    for o in out.iter_mut() {
        *o = *o * 2.0;
    }
}

#[differentiable]
fn reductions(x: &[f64]) -> f64 {
    let p = x.iter().map(|&v| 1.0 + v).product::<f64>();
    let e = x.iter().fold(0.0, |acc, v| acc + v.exp());
    let a = x.iter().copied().map(|v| v * v).sum::<f64>();
    let parts = [p, e, a];
    let mut t = 0.0;
    for v in parts {
        t += v;
    }
    t
}

fn main() {
    let mut out = [0.0; 2];
    let mut dout = [1.0, 0.0];
    let (mut dm, mut dv) = ([0.0; 4], [0.0; 2]);
    rows_times_vjp(&[1.0, 2.0, 3.0, 4.0], &mut dm, &[5.0, 6.0], &mut dv, &mut out, &mut dout);
    assert_eq!(out, [34.0, 78.0]);
    assert_eq!((dm, dv), ([10.0, 12.0, 0.0, 0.0], [2.0, 4.0]));
    let (value, g) = reductions_grad(&[0.0, 1.0]);
    assert!((value - (2.0 + 1.0 + 1f64.exp() + 1.0)).abs() < 1e-12);
    assert!((g[0] - (2.0 + 1.0)).abs() < 1e-12 && (g[1] - (1.0 + 1f64.exp() + 2.0)).abs() < 1e-12, "{g:?}");
}
