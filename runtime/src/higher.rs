//! Helpers of the higher-order companions (`f_hvp`, `f_hessian`, `f_jacobian`), which run a
//! generic function's first-order code on dual numbers: inputs lifted to duals with their
//! directions, results split into values and tangents. For generated code only.

use crate::dense::Matrix;
use crate::dual::Dual;
use crate::float::Float;

/// An input and its direction, as the dual numbers carrying them (one lane).
pub trait Lift<D> {
    type Dual;
    fn lift(self, direction: D) -> Self::Dual;
}

impl<F: Float> Lift<F> for F {
    type Dual = Dual<F, 1>;
    #[inline]
    fn lift(self, d: F) -> Dual<F, 1> {
        Dual::new(self, [d])
    }
}

impl<'a, F: Float> Lift<&'a [F]> for &'a [F] {
    type Dual = Vec<Dual<F, 1>>;
    fn lift(self, d: &'a [F]) -> Vec<Dual<F, 1>> {
        assert_eq!(self.len(), d.len(), "a direction has the length of its input");
        self.iter().zip(d).map(|(&x, &t)| Dual::new(x, [t])).collect()
    }
}

impl<'a, F: Float> Lift<&'a [F]> for &'a Vec<F> {
    type Dual = Vec<Dual<F, 1>>;
    fn lift(self, d: &'a [F]) -> Vec<Dual<F, 1>> {
        self.as_slice().lift(d)
    }
}

impl<'a, F: Float, const N: usize> Lift<&'a [F]> for &'a [F; N] {
    type Dual = [Dual<F, 1>; N];
    fn lift(self, d: &'a [F]) -> [Dual<F, 1>; N] {
        assert_eq!(N, d.len(), "a direction has the length of its input");
        std::array::from_fn(|i| Dual::new(self[i], [d[i]]))
    }
}

impl<F: Float, const N: usize> Lift<[F; N]> for [F; N] {
    type Dual = [Dual<F, 1>; N];
    fn lift(self, d: [F; N]) -> [Dual<F, 1>; N] {
        std::array::from_fn(|i| Dual::new(self[i], [d[i]]))
    }
}

/// A constant input (a `#[no_grad]` float or slice) as duals without tangents; any other
/// constant as itself.
pub trait Constant {
    type Dual;
    fn constant(self) -> Self::Dual;
}

impl<F: Float> Constant for F {
    type Dual = Dual<F, 1>;
    fn constant(self) -> Dual<F, 1> {
        Dual::constant(self)
    }
}

impl<F: Float> Constant for &[F] {
    type Dual = Vec<Dual<F, 1>>;
    fn constant(self) -> Vec<Dual<F, 1>> {
        self.iter().map(|&x| Dual::constant(x)).collect()
    }
}

impl<F: Float, const N: usize> Constant for [F; N] {
    type Dual = [Dual<F, 1>; N];
    fn constant(self) -> [Dual<F, 1>; N] {
        self.map(Dual::constant)
    }
}

/// A result of dual numbers split into its values and its tangents (one lane).
pub trait Split {
    type Real;
    fn split(self) -> (Self::Real, Self::Real);
}

impl<F: Float> Split for Dual<F, 1> {
    type Real = F;
    #[inline]
    fn split(self) -> (F, F) {
        (self.re, self.eps[0])
    }
}

impl<S: Split + Copy> Split for Vec<S> {
    type Real = Vec<S::Real>;
    // Two copy loops into vectors reserved to their length, which the compiler vectorises
    // once inlined; `unzip` pushes element by element, checking the capacity each time.
    #[inline]
    fn split(self) -> (Vec<S::Real>, Vec<S::Real>) {
        let mut re: Vec<S::Real> = Vec::with_capacity(self.len());
        let mut eps: Vec<S::Real> = Vec::with_capacity(self.len());
        re.extend(self.iter().map(|s| s.split().0));
        eps.extend(self.iter().map(|s| s.split().1));
        (re, eps)
    }
}

impl<S: Split, const N: usize> Split for [S; N] {
    type Real = [S::Real; N];
    fn split(self) -> (Self::Real, Self::Real) {
        let mut parts = self.map(Split::split).into_iter();
        let pairs: [(S::Real, S::Real); N] = std::array::from_fn(|_| parts.next().expect("N parts"));
        let (mut re, mut eps) = (Vec::with_capacity(N), Vec::with_capacity(N));
        for (r, e) in pairs {
            re.push(r);
            eps.push(e);
        }
        match (re.try_into(), eps.try_into()) {
            (Ok(re), Ok(eps)) => (re, eps),
            _ => unreachable!("N parts each"),
        }
    }
}

macro_rules! split_tuples {
    ($(($($s:ident $i:tt),+)),*) => {$(
        impl<$($s: Split),+> Split for ($($s,)+) {
            type Real = ($($s::Real,)+);
            fn split(self) -> (Self::Real, Self::Real) {
                let parts = ($(self.$i.split(),)+);
                (($(parts.$i.0,)+), ($(parts.$i.1,)+))
            }
        }
    )*};
}
split_tuples!((A 0), (A 0, B 1), (A 0, B 1, C 2), (A 0, B 1, C 2, D 3), (A 0, B 1, C 2, D 3, E 4), (A 0, B 1, C 2, D 3, E 4, G 5));

/// A gradient (a float, an array, a `Vec` or a tuple of them) as its floats in order.
pub trait Flatten<F> {
    fn flatten_into(self, out: &mut Vec<F>);
}

// Anything made of floats (a float, an array, a `Vec`, a struct that derives
// `Differentiable`), in its own order.
impl<D: crate::differentiable::Differentiable> Flatten<D::Float> for D {
    fn flatten_into(self, out: &mut Vec<D::Float>) {
        self.for_each_float(&mut |x| out.push(x));
    }
}

macro_rules! flatten_tuples {
    ($(($($s:ident $i:tt),+)),*) => {$(
        impl<F: Float, $($s: Flatten<F>),+> Flatten<F> for ($($s,)+) {
            fn flatten_into(self, out: &mut Vec<F>) {
                $(self.$i.flatten_into(out);)+
            }
        }
    )*};
}
flatten_tuples!((A 0, B 1), (A 0, B 1, C 2), (A 0, B 1, C 2, D 3), (A 0, B 1, C 2, D 3, E 4), (A 0, B 1, C 2, D 3, E 4, G 5));

/// `g` flattened.
pub fn flat<F: Float, G: Flatten<F>>(g: G) -> Vec<F> {
    let mut out = Vec::new();
    g.flatten_into(&mut out);
    out
}

/// Direction `i` of all the active inputs flattened, as the part of it on a scalar input at
/// `offset`: one there, else zero.
#[inline]
pub fn unit_scalar<F: Float>(i: usize, offset: usize) -> F {
    if i == offset { F::ONE } else { F::ZERO }
}

/// ... and as the part of it on `len` floats at `offset`.
pub fn unit_slice<F: Float>(i: usize, offset: usize, len: usize) -> Vec<F> {
    (0..len).map(|j| unit_scalar(i, offset + j)).collect()
}

/// ... and on an array by value.
pub fn unit_array<F: Float, const N: usize>(i: usize, offset: usize) -> [F; N] {
    std::array::from_fn(|j| unit_scalar(i, offset + j))
}

/// The inputs of one pass of vector forward mode: the active floats flattened, the one at
/// `offset` (this input's first) in lane `offset - start` when that is below `K`.
#[inline]
pub fn lanes_scalar<F: Float, const K: usize>(x: F, offset: usize, start: usize) -> Dual<F, K> {
    let mut d = Dual::constant(x);
    if let Some(k) = offset.checked_sub(start).filter(|&k| k < K) {
        d.eps[k] = F::ONE;
    }
    d
}

/// ... for the floats of a slice.
pub fn lanes_slice<F: Float, const K: usize>(xs: &[F], offset: usize, start: usize) -> Vec<Dual<F, K>> {
    xs.iter().enumerate().map(|(j, &x)| lanes_scalar(x, offset + j, start)).collect()
}

/// ... for the floats of an array by value.
pub fn lanes_array<F: Float, const K: usize, const N: usize>(
    xs: [F; N],
    offset: usize,
    start: usize,
) -> [Dual<F, K>; N] {
    std::array::from_fn(|j| lanes_scalar(xs[j], offset + j, start))
}

/// ... for the floats of a struct generic over its float type.
pub fn lanes_struct<F: Float, const K: usize, S: crate::differentiable::Retype<F, Dual<F, K>>>(
    x: &S,
    offset: usize,
    start: usize,
) -> S::As {
    let mut j = offset;
    x.retype(&mut |x| {
        j += 1;
        lanes_scalar(x, j - 1, start)
    })
}

/// A struct's floats (a gradient) copied to the front of `row`, in order.
pub fn copy_floats<D: crate::differentiable::Differentiable>(gradient: &D, row: &mut [D::Float]) {
    let mut j = 0;
    gradient.for_each_float(&mut |x| {
        row[j] = x;
        j += 1;
    });
}

/// A constant input of a pass of `K` lanes: duals without tangents.
pub fn constant_lanes<F: Float, const K: usize>(x: F) -> Dual<F, K> {
    Dual::constant(x)
}

/// ... a constant slice.
pub fn constant_slice_lanes<F: Float, const K: usize>(xs: &[F]) -> Vec<Dual<F, K>> {
    xs.iter().map(|&x| Dual::constant(x)).collect()
}

/// ... a constant array by value.
pub fn constant_array_lanes<F: Float, const K: usize, const N: usize>(xs: [F; N]) -> [Dual<F, K>; N] {
    xs.map(Dual::constant)
}

/// A result of duals (a dual, an array, rows or a tuple of them): its duals in order, and its
/// values.
pub trait Outputs<D> {
    /// The result with each dual's value.
    type Values;
    fn each(&self, f: &mut impl FnMut(&D));
    fn values(&self) -> Self::Values;
}

impl<F: Float, const K: usize> Outputs<Dual<F, K>> for Dual<F, K> {
    type Values = F;
    #[inline]
    fn each(&self, f: &mut impl FnMut(&Dual<F, K>)) {
        f(self)
    }
    #[inline]
    fn values(&self) -> F {
        self.re
    }
}

impl<D, T: Outputs<D>, const N: usize> Outputs<D> for [T; N] {
    type Values = [T::Values; N];
    fn each(&self, f: &mut impl FnMut(&D)) {
        for t in self {
            t.each(f);
        }
    }
    fn values(&self) -> Self::Values {
        std::array::from_fn(|i| self[i].values())
    }
}

impl<D, T: Outputs<D>> Outputs<D> for Vec<T> {
    type Values = Vec<T::Values>;
    fn each(&self, f: &mut impl FnMut(&D)) {
        for t in self {
            t.each(f);
        }
    }
    fn values(&self) -> Self::Values {
        self.iter().map(Outputs::values).collect()
    }
}

impl<D, T: Outputs<D>> Outputs<D> for &T {
    type Values = T::Values;
    fn each(&self, f: &mut impl FnMut(&D)) {
        (**self).each(f)
    }
    fn values(&self) -> Self::Values {
        (**self).values()
    }
}

macro_rules! outputs_tuples {
    ($(($($s:ident $i:tt),+)),*) => {$(
        impl<Du, $($s: Outputs<Du>),+> Outputs<Du> for ($($s,)+) {
            type Values = ($($s::Values,)+);
            fn each(&self, f: &mut impl FnMut(&Du)) {
                $(self.$i.each(f);)+
            }
            fn values(&self) -> Self::Values {
                ($(self.$i.values(),)+)
            }
        }
    )*};
}
outputs_tuples!((A 0, B 1), (A 0, B 1, C 2), (A 0, B 1, C 2, D 3), (A 0, B 1, C 2, D 3, E 4), (A 0, B 1, C 2, D 3, E 4, G 5));

/// One pass's columns `start..start + K` of the Jacobian (rows: outputs, columns: the active
/// inputs flattened), from the result of the pass, and the result's values.
pub fn columns<F: Float, const K: usize, R: Outputs<Dual<F, K>>>(
    result: &R,
    start: usize,
    total: usize,
    jacobian: &mut Option<Matrix<F>>,
) -> R::Values {
    let jacobian = jacobian.get_or_insert_with(|| {
        let mut rows = 0;
        result.each(&mut |_| rows += 1);
        Matrix::zeros(rows, total)
    });
    let lanes = total.saturating_sub(start).min(K);
    let mut i = 0;
    result.each(&mut |o| {
        jacobian.row_mut(i)[start..start + lanes].copy_from_slice(&o.eps[..lanes]);
        i += 1;
    });
    result.values()
}

/// The values and the tangents of a result of one-lane duals, flattened into `N` floats each:
/// what the protocol of a companion (`g_grad::tangent`) returns.
pub fn lanes_of<F: Float, const N: usize, R: Outputs<Dual<F, 1>>>(result: &R) -> ([F; N], [F; N]) {
    let (mut re, mut eps) = ([F::ZERO; N], [F::ZERO; N]);
    let mut i = 0;
    result.each(&mut |d| {
        re[i] = d.re;
        eps[i] = d.eps[0];
        i += 1;
    });
    assert_eq!(i, N, "the result holds RESULT_LEN floats");
    (re, eps)
}

/// A result (a float or a tuple of them, nested) as its `N` floats.
pub fn array_of<F: Float, const N: usize, G: Flatten<F>>(g: G) -> [F; N] {
    let floats = flat(g);
    let mut out = [F::ZERO; N];
    out.copy_from_slice(&floats);
    out
}

/// A result type (a float, an array, rows or a tuple of floats) as the seed of a vjp: its
/// `LEN` floats, and the seed that is one at float `j` and zero elsewhere.
pub trait UnitSeed: Sized {
    const LEN: usize;
    fn unit(j: usize) -> Self;
}

impl<F: Float> UnitSeed for F {
    const LEN: usize = 1;
    fn unit(j: usize) -> F {
        if j == 0 { F::ONE } else { F::ZERO }
    }
}

impl<T: UnitSeed, const N: usize> UnitSeed for [T; N] {
    const LEN: usize = N * T::LEN;
    fn unit(j: usize) -> Self {
        std::array::from_fn(|i| T::unit(j.wrapping_sub(i * T::LEN)))
    }
}

macro_rules! unit_tuples {
    ($(($($s:ident),+)),*) => {$(
        impl<$($s: UnitSeed),+> UnitSeed for ($($s,)+) {
            const LEN: usize = 0 $(+ $s::LEN)+;
            #[allow(unused_assignments)]
            fn unit(j: usize) -> Self {
                let mut at = 0usize;
                ($({
                    let part = $s::unit(j.wrapping_sub(at));
                    at += $s::LEN;
                    part
                },)+)
            }
        }
    )*};
}
unit_tuples!((A, B), (A, B, C), (A, B, C, D), (A, B, C, D, E), (A, B, C, D, E, G));

/// `N` floats of `v` from `at`, as an array (a direction of an array parameter).
pub fn part<F: Float, const N: usize>(v: &[F], at: usize) -> [F; N] {
    std::array::from_fn(|i| v[at + i])
}

/// A struct input (generic over its float type) and its direction, as the struct of dual
/// numbers carrying them (one lane).
pub fn lift_struct<F: Float, S: crate::differentiable::Retype<F, Dual<F, 1>>>(x: &S, direction: &S) -> S::As {
    x.retype_zip(direction, &mut |x, t| Dual::new(x, [t]))
}

/// A struct's gradient on dual numbers split into its values and its tangents.
pub fn split_struct<F: Float, S: crate::differentiable::Retype<F, Dual<F, 1>>>(gradient: S::As) -> (S, S) {
    (S::unretype(&gradient, &mut |d| d.re), S::unretype(&gradient, &mut |d| d.eps[0]))
}

/// Direction `i` of all the active inputs flattened, as the part of it on a struct input
/// whose floats start at `offset`.
pub fn unit_struct<S: crate::differentiable::Differentiable>(x: &S, i: usize, offset: usize) -> S {
    let (mut unit, mut j) = (x.zeros_like(), offset);
    unit.zip_floats(x, &mut |u, _| {
        *u = unit_scalar(i, j);
        j += 1;
    });
    unit
}
