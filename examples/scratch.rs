use chainrule::prelude::*;

#[differentiable]
fn f(x: f64, y: f64, z: f64) -> f64 {
    let q = x + y;
    q * z
}

#[differentiable]
fn neuron(w0: f64, x0: f64, w1: f64, x1: f64, w2: f64) -> f64 {
    sigmoid(w0 * x0 + w1 * x1 + w2)
}

#[differentiable]
fn g(x: f64, n: i32) -> f64 {
    let mut y = x.powi(n);
    y += x * x;
    y *= 2.0;
    f(y, x, 1.5) + (n as f64) * std::f64::consts::PI
}

differentiable_fns! {
    fn h(x, y) < let a = x * y; a.sin() + x >
    pub fn k(x) < h(x, x) >
}

fn main() {
    println!("{:?}", f_grad(-2.0, 5.0, -4.0));
    println!("{:?}", neuron_grad(2.0, -1.0, -3.0, -2.0, -3.0));
    println!("{:?} {:?}", g_grad(1.5, 3), g_jvp(1.5, 1.0, 3));
    println!("{:?} {:?}", k_grad(0.7), k_jvp(0.7, 1.0));
}
