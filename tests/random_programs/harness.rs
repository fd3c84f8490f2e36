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
//!
//! `stop_gradient(e)` makes the derivatives treat `e`'s value as a constant, which finite
//! differences of `f` do not. A program that calls it therefore comes with a plain copy (no
//! macro) that calls [`sg`] instead, and its finite differences are taken of that copy with
//! every detached value held at what it was at the point: [`sg`] records the values in a run at
//! the point and replays them, in the same order, in the runs at `p ± h`.
//!
//! One more point per program has exact zeros among its inputs (`x.powi(0)` at `x = 0` once
//! had a NaN derivative). Kinks lie exactly there (`relu(0)`), where a central difference
//! averages the two slopes, so this point compares only the modes and the values.

use std::cell::RefCell;
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
    pub eval: Eval,
    /// For programs that call `stop_gradient`: their plain copy, which calls [`sg`] instead.
    pub detached: Option<Eval>,
    /// Scalar results only.
    pub grad: Option<Grad>,
    /// Scalar results whose calls pass floats only (what `f_graph` draws).
    pub graph: Option<GraphFn>,
    pub vjp: Vjp,
    pub jvp: Jvp,
}

/// `f(p)`, flattened.
pub type Eval = fn(&[f64]) -> Vec<f64>;

/// `f_grad(p)`: the value and the gradient.
pub type Grad = fn(&[f64]) -> (f64, Vec<f64>);
/// `f_graph`'s result value (`None` for a constant result) and each input node's gradient,
/// in the order of `inputs` (programs with a scalar result and scalar calls only).
pub type GraphFn = fn(&[f64]) -> (Option<f64>, Vec<f64>);

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
#[derive(Clone)]
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

/// The values `stop_gradient` detached in one run of a plain copy, and where a replay is.
#[derive(Default)]
struct Tape {
    mode: Mode,
    values: Vec<f64>,
    next: usize,
    /// A replay asked for more values than the recording holds.
    overrun: bool,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum Mode {
    #[default]
    Off,
    Record,
    Replay,
}

thread_local! {
    static TAPE: RefCell<Tape> = RefCell::new(Tape::default());
}

/// `stop_gradient` in a plain copy: records `x`, or returns the value recorded at this call in
/// the run at the point.
pub fn sg(x: f64) -> f64 {
    TAPE.with(|tape| {
        let mut t = tape.borrow_mut();
        match t.mode {
            Mode::Off => x,
            Mode::Record => {
                t.values.push(x);
                x
            }
            Mode::Replay => match t.values.get(t.next).copied() {
                Some(v) => {
                    t.next += 1;
                    v
                }
                None => {
                    t.overrun = true;
                    x
                }
            },
        }
    })
}

fn set_mode(mode: Mode) {
    TAPE.with(|tape| {
        let mut t = tape.borrow_mut();
        if mode == Mode::Record {
            t.values.clear();
        }
        t.mode = mode;
        t.next = 0;
        t.overrun = false;
    });
}

/// Whether the replay since `set_mode(Replay)` used exactly the values recorded.
fn replayed_all() -> bool {
    TAPE.with(|tape| {
        let t = tape.borrow();
        !t.overrun && t.next == t.values.len()
    })
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

/// The finite difference of `⟨s, f⟩` along one input, and whether `f` is smooth enough there
/// for it to be compared.
struct Partial {
    fd: f64,
    smooth: bool,
}

/// The partial of `⟨s, f⟩` along input `k` at `p`: central differences with steps `STEP` and
/// `WIDE_STEP` relative to `max(1, |p[k]|)`, which agree where no kink lies within the steps.
///
/// A plain copy holds its detached values at what they were at `p`, so where one is compared
/// with the value it was detached from (`bump(m, stop_gradient(m))`, `relu(m - sg(m))`) it has
/// a kink exactly at `p`, which f does not have. A central difference across a kink at its
/// centre is the mean of the two slopes at every step, so for these the one-sided differences
/// must also agree: their difference shrinks with the step where `f` is smooth, and is the
/// jump in slope at a kink. Not smooth either if the detached values cannot be replayed at
/// `p ± h` (the steps took another path through the copy).
fn partial(case: &Case, p: &[f64], s: &[f64], k: usize) -> Partial {
    let scale = p[k].abs().max(1.0);
    let offsets = [-WIDE_STEP, -STEP, 0.0, STEP, WIDE_STEP];
    let points: Vec<Vec<f64>> = offsets
        .iter()
        .map(|o| {
            let mut q = p.to_vec();
            q[k] += o * scale;
            q
        })
        .collect();
    // The steps actually taken, after rounding p ± h.
    let x: Vec<f64> = points.iter().map(|q| q[k]).collect();
    let unsmooth = Partial { fd: f64::NAN, smooth: false };
    let v: Vec<f64> = match case.detached {
        None => points.iter().map(|q| if q[k] == p[k] { f64::NAN } else { weighted(case, q, s) }).collect(),
        Some(detached) => {
            let weighted = |q: &[f64]| -> f64 { detached(q).iter().zip(s).map(|(y, s)| y * s).sum() };
            set_mode(Mode::Record);
            let mut v = vec![weighted(p)];
            for q in points.iter().filter(|q| q[k] != p[k]) {
                set_mode(Mode::Replay);
                v.push(weighted(q));
                if !replayed_all() {
                    set_mode(Mode::Off);
                    return unsmooth;
                }
            }
            set_mode(Mode::Off);
            vec![v[1], v[2], v[0], v[3], v[4]]
        }
    };
    let slope = |i: usize, j: usize| (v[j] - v[i]) / (x[j] - x[i]);
    let (fd, wide) = (slope(1, 3), slope(0, 4));
    let mut smooth = close(fd, wide, AGREE_TOL, fd.abs().max(wide.abs()));
    if case.detached.is_some() {
        let ratio = WIDE_STEP / STEP;
        let (narrow_gap, wide_gap) = (slope(2, 3) - slope(1, 2), slope(2, 4) - slope(0, 2));
        smooth &= (wide_gap - ratio * narrow_gap).abs() <= ratio * AGREE_TOL * (1.0 + fd.abs());
    }
    if fd.is_nan() { unsmooth } else { Partial { fd, smooth } }
}

/// Checks `case` at random points drawn from `seed`, until `POINTS` of them are smooth, and at
/// one point with exact zeros among its inputs.
pub fn check(case: &Case, seed: u64) -> Report {
    let mut rng = Rng::new(seed, 0x5EED);
    let mut report = Report::default();
    let n = case.inputs.len();
    while report.smooth < POINTS && report.points < ATTEMPTS && report.failures.is_empty() {
        let at = Point::random(&mut rng, n, case.outputs);
        let smooth = check_at(case, &at, true, &mut report);
        report.smooth += usize::from(smooth);
    }
    if report.failures.is_empty() {
        let mut at = Point::random(&mut rng, n, case.outputs);
        let always = rng.below(n);
        for k in 0..n {
            if k == always || rng.chance(0.5) {
                at.p[k] = 0.0;
            }
        }
        check_at(case, &at, false, &mut report);
    }
    report
}

/// Checks `case` at one point (with finite differences if `fd`), adding what is wrong to
/// `report`; true if the point is smooth.
fn check_at(case: &Case, at: &Point, fd: bool, report: &mut Report) -> bool {
    report.points += 1;
    let mut failures = Vec::new();
    // A panic in generated code (an index out of bounds, a stack underflow) is a failure
    // of this program at this point, not the end of the run.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_point(case, at, fd, &mut failures)));
    let smooth = outcome.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        failures.push(format!("panicked: {message}"));
        false
    });
    for what in failures {
        let mut m = format!("FAIL {}: {what}\n  at", case.name);
        for (label, x) in case.inputs.iter().zip(&at.p) {
            let _ = write!(m, " {label} = {x:?},");
        }
        m.pop();
        report.failures.push(m);
    }
    smooth
}

/// A point `p`, a seed `s` of the result's shape, initial shadows and a direction.
struct Point {
    p: Vec<f64>,
    s: Vec<f64>,
    init: Vec<f64>,
    v: Vec<f64>,
}

impl Point {
    fn random(rng: &mut Rng, n: usize, outputs: usize) -> Self {
        Point {
            p: rng.floats(n, -1.0, 1.0),
            s: rng.floats(outputs, -2.0, 2.0),
            init: rng.floats(n, -1.0, 1.0),
            v: rng.floats(n, -1.0, 1.0),
        }
    }
}

/// Checks `case` at one point, pushing what is wrong onto `failures`; true if `fd` and the point
/// is smooth (and so its finite differences were compared).
fn check_point(case: &Case, at: &Point, fd: bool, failures: &mut Vec<String>) -> bool {
    let Point { p, s, init, v } = at;
    let n = p.len();
    let y = (case.eval)(p);
    if y.len() != case.outputs || y.iter().any(|y| !y.is_finite()) {
        failures.push(format!("f = {y:?}: the generator must keep values finite"));
        return false;
    }
    if let Some(detached) = case.detached {
        set_mode(Mode::Off);
        let plain = detached(p);
        if !same_bits(&plain, &y) {
            failures.push(format!("the plain copy's value {plain:?} is not f's {y:?}"));
        }
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

    if let (Some(graph), Some(grad)) = (case.graph, case.grad) {
        check_graph(case, graph(p), grad(p), failures);
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

    if !fd {
        return false;
    }
    // Each partial where f is smooth along it; the point counts as smooth if all are.
    let partials: Vec<Partial> = (0..n).map(|k| partial(case, p, s, k)).collect();
    let fd: Vec<f64> = partials.iter().map(|q| q.fd).collect();
    for k in 0..n {
        if partials[k].smooth && !close(fd[k], g[k], FD_TOL, fd[k].abs().max(g[k].abs())) {
            failures.push(format!(
                "∂⟨s, f⟩/∂{}: reverse {:?} but finite difference {:?}\n  seed s = {s:?}\n  reverse gradient  \
                 {g:?}\n  finite difference {fd:?}",
                case.inputs[k], g[k], fd[k]
            ));
        }
    }
    partials.iter().all(|q| q.smooth)
}

/// The graph's value is f's and its own backward sweep gives f_grad's gradient.
fn check_graph(
    case: &Case,
    (value, drawn): (Option<f64>, Vec<f64>),
    (y, gradient): (f64, Vec<f64>),
    failures: &mut Vec<String>,
) {
    if value.is_some_and(|v| v.to_bits() != y.to_bits()) {
        failures.push(format!("f_graph's value {value:?} is not f's {y:?}"));
    }
    for k in 0..gradient.len() {
        if !close(drawn[k], gradient[k], MODE_TOL, gradient[k].abs()) {
            failures.push(format!(
                "∂f/∂{}: f_graph's node {:?} is not f_grad's {:?}\n  graph {drawn:?}\n  grad {gradient:?}",
                case.inputs[k], drawn[k], gradient[k]
            ));
        }
    }
}

/// Checks every case, printing one `FAIL` block per failure and a closing `SUMMARY` line that
/// the test parses; true if all passed. `numbers` are the cases' numbers among all the programs
/// of the seed, so that a program's points do not depend on how they are batched.
///
/// A program with a plain copy may have no smooth point at all: where a detached value meets
/// the one it was detached from on every path, every point is a kink of the copy. It is then
/// `UNVERIFIED` (compared between modes everywhere, and with finite differences along the
/// inputs where the copy is smooth), which the test counts and bounds.
pub fn run(cases: &[Case], seed: u64, numbers: &[usize]) -> bool {
    let (mut points, mut smooth, mut unverified, mut failed) = (0, 0, 0, 0);
    for (case, &number) in cases.iter().zip(numbers) {
        let report = check(case, seed ^ (number as u64).wrapping_mul(0x9E37_79B9));
        points += report.points;
        smooth += report.smooth;
        if report.smooth < POINTS && report.failures.is_empty() {
            if case.detached.is_some() {
                println!("UNVERIFIED {}: only {} smooth points out of {}", case.name, report.smooth, report.points);
                unverified += 1;
            } else {
                println!("FAIL {}: only {} smooth points out of {}", case.name, report.smooth, report.points);
                failed += 1;
            }
        }
        for f in &report.failures {
            println!("{f}");
        }
        failed += usize::from(!report.failures.is_empty());
    }
    println!(
        "SUMMARY programs={} points={points} smooth={smooth} unverified={unverified} failed={failed}",
        cases.len()
    );
    failed == 0
}
