//! The checker that runs inside the generated crate (main.rs writes this file there as
//! `src/harness.rs`). It is also a module of the test itself, so that `cargo fmt` and clippy see
//! it and `the_checker_catches_a_wrong_gradient` can prove that it fails when it should.
//!
//! Every program is reduced to a [`Case`]: functions over its active inputs flattened in
//! declaration order (a scalar is one input, a slice or an array one input per element). For a
//! random seed `s` of the result's shape the checker compares, at random points,
//! - `G`, the reverse gradient of `⟨s, f⟩` from `f_vjp` (shadows start non-zero, so a shadow that
//!   is overwritten instead of added into shows up), with central finite differences of `⟨s, f⟩`;
//! - `s · f_grad` with `G` for scalar results, and `⟨s, f_jvp(v)⟩` with `⟨G, v⟩`;
//! - the values every companion returns with `f` itself, bit for bit.
//!
//! Finite differences are only meaningful where `f` is smooth, and a random program has kinks
//! (`abs`, `max`, branches on active values) that the checker does not know about. So each
//! partial is estimated with two steps, 1e-6 and 1e-5: where no kink lies within the larger
//! step both agree to ~1e-8, and where one does they differ by a part of the jump in slope (or
//! value) that depends on the step. A point where any partial disagrees is not used for the
//! finite-difference comparison; the modes are still compared there, since they follow the same
//! branch. The number of such points is reported and bounded by the test.

use std::fmt::Write as _;

/// The smaller central-difference step, relative to `max(1, |x|)`: truncation (h² f‴/6) and
/// rounding (ε |f| / h) are both ~1e-10 for the bounded values the generator produces.
const STEP: f64 = 1e-6;
/// The larger step, which only decides whether the point is smooth.
const WIDE_STEP: f64 = 1e-5;
/// How closely the two estimates must agree for a point to count as smooth (at smooth points
/// they differ by at most ~4e-8, over 38,000 partials of 1,000 programs).
const AGREE_TOL: f64 = 1e-6;
/// Reverse gradient against finite differences: `|fd - g| <= FD_TOL * (1 + max(|fd|, |g|))`.
/// At most ~4e-9 seen over the same partials: a wrong rule is caught down to a small error.
const FD_TOL: f64 = 1e-6;
/// Forward against reverse and `f_grad` against `f_vjp`, relative to the size of the terms
/// summed: the modes add the same partials in a different order (at most ~5e-16 seen).
const MODE_TOL: f64 = 1e-10;
/// Points whose finite differences are compared, per program.
pub const POINTS: usize = 4;
/// Points tried per program before giving up on finding `POINTS` smooth ones.
const ATTEMPTS: usize = 16;

/// One generated program seen through its companions, over the flattened active inputs `p`.
pub struct Case {
    pub name: &'static str,
    /// A label per flattened input (`a`, `xs[2]`, ...), for failure messages.
    pub inputs: &'static [&'static str],
    /// Per flattened input: its gradient is added into a shadow (reference parameters) rather
    /// than returned (by-value parameters).
    pub shadowed: &'static [bool],
    /// Number of flattened outputs.
    pub outputs: usize,
    pub eval: fn(&[f64]) -> Vec<f64>,
    /// Scalar results only.
    pub grad: Option<Grad>,
    pub vjp: Vjp,
    pub jvp: Jvp,
}

/// `f_grad(p)`: the value and the gradient.
pub type Grad = fn(&[f64]) -> (f64, Vec<f64>);

/// `f_vjp(p, seed)` with every shadow starting at `init`: the values, the gradients (shadows as
/// left by the call, by-value gradients as returned), and what is left in the shadows of `&mut`
/// outputs (which the call must consume).
pub type Vjp = fn(p: &[f64], seed: &[f64], init: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>);

/// `f_jvp(p, v)`: the values and their tangents.
pub type Jvp = fn(p: &[f64], v: &[f64]) -> (Vec<f64>, Vec<f64>);

/// What checking one program found.
#[derive(Default)]
pub struct Report {
    pub points: usize,
    /// Points where finite differences were compared.
    pub smooth: usize,
    pub failures: Vec<String>,
}

/// SplitMix64: a tiny deterministic generator, so that a seed names the same programs and
/// points on every platform and with no dependency.
pub struct Rng(u64);

impl Rng {
    /// A generator for the `stream`th use of `seed` (a program, or the points of a program):
    /// streams are independent, so program 17 is the same whatever the count.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next();
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform(0.0, 1.0) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn floats(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
}

/// Flattening of the values and gradients the companions return (a float, an array, a `Vec`,
/// `()` for no by-value gradient, or a tuple of those) in order.
pub trait Flat {
    fn push_to(&self, out: &mut Vec<f64>);
}

impl Flat for f64 {
    fn push_to(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
}

impl Flat for () {
    fn push_to(&self, _: &mut Vec<f64>) {}
}

impl Flat for Vec<f64> {
    fn push_to(&self, out: &mut Vec<f64>) {
        out.extend_from_slice(self);
    }
}

impl<const N: usize> Flat for [f64; N] {
    fn push_to(&self, out: &mut Vec<f64>) {
        out.extend_from_slice(self);
    }
}

macro_rules! flat_tuple {
    ($($t:ident $i:tt)+) => {
        impl<$($t: Flat),+> Flat for ($($t,)+) {
            fn push_to(&self, out: &mut Vec<f64>) {
                $(self.$i.push_to(out);)+
            }
        }
    };
}
flat_tuple!(A 0 B 1);
flat_tuple!(A 0 B 1 C 2);
flat_tuple!(A 0 B 1 C 2 D 3);
flat_tuple!(A 0 B 1 C 2 D 3 E 4);
flat_tuple!(A 0 B 1 C 2 D 3 E 4 F 5);
flat_tuple!(A 0 B 1 C 2 D 3 E 4 F 5 G 6);
flat_tuple!(A 0 B 1 C 2 D 3 E 4 F 5 G 6 H 7);
flat_tuple!(A 0 B 1 C 2 D 3 E 4 F 5 G 6 H 7 I 8);

pub fn flat<T: Flat>(t: &T) -> Vec<f64> {
    let mut out = Vec::new();
    t.push_to(&mut out);
    out
}

/// The first `N` floats of `p` as an array.
pub fn arr<const N: usize>(p: &[f64]) -> [f64; N] {
    std::array::from_fn(|i| p[i])
}

fn close(a: f64, b: f64, tol: f64, scale: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + scale)
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// `⟨s, f(p)⟩`.
fn weighted(case: &Case, p: &[f64], s: &[f64]) -> f64 {
    (case.eval)(p).iter().zip(s).map(|(y, s)| y * s).sum()
}

/// Central difference of `⟨s, f⟩` along input `k`, with a step relative to `max(1, |p[k]|)`.
fn central(case: &Case, p: &[f64], s: &[f64], k: usize, step: f64) -> f64 {
    let h = step * p[k].abs().max(1.0);
    let (mut plus, mut minus) = (p.to_vec(), p.to_vec());
    plus[k] += h;
    minus[k] -= h;
    // The step actually taken, after rounding p ± h.
    (weighted(case, &plus, s) - weighted(case, &minus, s)) / (plus[k] - minus[k])
}

/// Checks `case` at random points drawn from `seed`, until `POINTS` of them are smooth.
pub fn check(case: &Case, seed: u64) -> Report {
    let mut rng = Rng::new(seed, 0x5EED);
    let mut report = Report::default();
    let n = case.inputs.len();
    while report.smooth < POINTS && report.points < ATTEMPTS && report.failures.is_empty() {
        report.points += 1;
        let at = Point {
            p: rng.floats(n, -1.0, 1.0),
            s: rng.floats(case.outputs, -2.0, 2.0),
            init: rng.floats(n, -1.0, 1.0),
            v: rng.floats(n, -1.0, 1.0),
        };
        let mut failures = Vec::new();
        // A panic in generated code (an index out of bounds, a stack underflow) is a failure
        // of this program at this point, not the end of the run.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_point(case, &at, &mut failures)));
        let smooth = outcome.unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            failures.push(format!("panicked: {message}"));
            false
        });
        report.smooth += usize::from(smooth);
        for what in failures {
            let mut m = format!("FAIL {}: {what}\n  at", case.name);
            for (label, x) in case.inputs.iter().zip(&at.p) {
                let _ = write!(m, " {label} = {x:?},");
            }
            m.pop();
            report.failures.push(m);
        }
    }
    report
}

/// A point `p`, a seed `s` of the result's shape, initial shadows and a direction.
struct Point {
    p: Vec<f64>,
    s: Vec<f64>,
    init: Vec<f64>,
    v: Vec<f64>,
}

/// Checks `case` at one point, pushing what is wrong onto `failures`; true if the point is
/// smooth (and so its finite differences were compared).
fn check_point(case: &Case, at: &Point, failures: &mut Vec<String>) -> bool {
    let Point { p, s, init, v } = at;
    let n = p.len();
    let y = (case.eval)(p);
    if y.len() != case.outputs || y.iter().any(|y| !y.is_finite()) {
        failures.push(format!("f = {y:?}: the generator must keep values finite"));
        return false;
    }
    let (vjp_y, vjp_g, left) = (case.vjp)(p, s, init);
    if !same_bits(&vjp_y, &y) {
        failures.push(format!("f_vjp's value {vjp_y:?} is not f's {y:?}"));
    }
    if left.iter().any(|&d| d != 0.0) {
        failures.push(format!("f_vjp left {left:?} in the shadow of an output (should be zeros)"));
    }
    // G: what f_vjp added into the shadows or returned, the gradient of ⟨s, f⟩.
    let g: Vec<f64> = (0..n).map(|k| if case.shadowed[k] { vjp_g[k] - init[k] } else { vjp_g[k] }).collect();

    if let Some(grad) = case.grad {
        let (value, gradient) = grad(p);
        if value.to_bits() != y[0].to_bits() {
            failures.push(format!("f_grad's value {value:?} is not f's {:?}", y[0]));
        }
        for k in 0..n {
            if !close(s[0] * gradient[k], g[k], MODE_TOL, g[k].abs()) {
                failures.push(format!(
                    "∂f/∂{}: f_grad {:?} times seed {:?} is not f_vjp's {:?}\n  f_grad gradient {gradient:?}",
                    case.inputs[k], gradient[k], s[0], g[k]
                ));
            }
        }
    }

    let (jvp_y, tangent) = (case.jvp)(p, v);
    if !same_bits(&jvp_y, &y) {
        failures.push(format!("f_jvp's value {jvp_y:?} is not f's {y:?}"));
    }
    let forward: f64 = s.iter().zip(&tangent).map(|(s, t)| s * t).sum();
    let reverse: f64 = g.iter().zip(v).map(|(g, v)| g * v).sum();
    let scale = s.iter().zip(&tangent).chain(g.iter().zip(v)).map(|(a, b)| (a * b).abs()).sum();
    if !close(forward, reverse, MODE_TOL, scale) {
        failures.push(format!(
            "forward ⟨s, jvp(v)⟩ = {forward:?} but reverse ⟨G, v⟩ = {reverse:?}\n  seed s = {s:?}\n  \
             direction v = {v:?}\n  tangent = {tangent:?}\n  reverse gradient G = {g:?}"
        ));
    }

    let fd: Vec<f64> = (0..n).map(|k| central(case, p, s, k, STEP)).collect();
    let smooth = (0..n).all(|k| {
        let wide = central(case, p, s, k, WIDE_STEP);
        close(fd[k], wide, AGREE_TOL, fd[k].abs().max(wide.abs()))
    });
    if smooth {
        for k in 0..n {
            if !close(fd[k], g[k], FD_TOL, fd[k].abs().max(g[k].abs())) {
                failures.push(format!(
                    "∂⟨s, f⟩/∂{}: reverse {:?} but finite difference {:?}\n  seed s = {s:?}\n  reverse gradient  \
                     {g:?}\n  finite difference {fd:?}",
                    case.inputs[k], g[k], fd[k]
                ));
            }
        }
    }
    smooth
}

/// Checks every case, printing one `FAIL` block per failure and a closing `SUMMARY` line that
/// the test parses; true if all passed.
pub fn run(cases: &[Case], seed: u64) -> bool {
    let (mut points, mut smooth, mut failed) = (0, 0, 0);
    for (i, case) in cases.iter().enumerate() {
        let report = check(case, seed ^ (i as u64).wrapping_mul(0x9E37_79B9));
        points += report.points;
        smooth += report.smooth;
        if report.smooth < POINTS && report.failures.is_empty() {
            println!("FAIL {}: only {} smooth points out of {}", case.name, report.smooth, report.points);
            failed += 1;
        }
        for f in &report.failures {
            println!("{f}");
        }
        failed += usize::from(!report.failures.is_empty());
    }
    println!("SUMMARY programs={} points={points} smooth={smooth} failed={failed}", cases.len());
    failed == 0
}
