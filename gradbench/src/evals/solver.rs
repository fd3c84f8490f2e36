//! The gradient-descent solver of `particle` and `saddle` (`cpp/gradbench/gd.hpp`): steps
//! of `eta` along the gradient, doubling `eta` after ten accepted steps, halving it after
//! a rejected one, until the gradient or the step is shorter than 1e-5. It runs on
//! derivatives chainrule computes, in plain Rust.

fn magnitude(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn distance(u: &[f64], v: &[f64]) -> f64 {
    u.iter().zip(v).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt()
}

/// A minimum of `f` from `x`, given `f` and its gradient.
pub fn argmin(f: impl Fn(&[f64]) -> f64, gradient: impl Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Vec<f64> {
    let mut x = x.to_vec();
    let mut fx = f(&x);
    let mut gx = gradient(&x);
    let (mut i, mut eta) = (0, 1e-5);
    loop {
        if magnitude(&gx) <= 1e-5 {
            return x;
        } else if i == 10 {
            eta *= 2.0;
            i = 0;
        } else {
            let x_prime: Vec<f64> = x.iter().zip(&gx).map(|(x, g)| x - eta * g).collect();
            if distance(&x, &x_prime) <= 1e-5 {
                return x;
            }
            let fx_prime = f(&x_prime);
            if fx_prime < fx {
                (x, fx) = (x_prime, fx_prime);
                gx = gradient(&x);
                i += 1;
            } else {
                eta /= 2.0;
                i = 0;
            }
        }
    }
}

/// A maximum of `f` from `x`: a minimum of −f.
pub fn argmax(f: impl Fn(&[f64]) -> f64, gradient: impl Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Vec<f64> {
    argmin(|x| -f(x), |x| gradient(x).iter().map(|g| -g).collect(), x)
}
