//! Helpers for generated code only; not part of the public API.
//!
//! The calling protocol gives every parameter a tangent and a gradient slot: the float type
//! for an active parameter, `()` for a constant one. At a call site the caller knows whether
//! its argument is active, but not whether the callee's parameter is; these conversions let
//! type inference settle it at no cost.

use crate::float::Float;

/// The tangent a caller passes for an argument: itself for an active parameter, a slice for
/// a slice parameter, copied into an array for an array parameter. A differentiated
/// argument has no conversion to a constant parameter's `()`: its derivative would be
/// silently dropped, so that is a compile error, with the message below, on the argument.
#[diagnostic::on_unimplemented(
    message = "this argument is differentiated, but the function it is passed to takes it as a constant (`#[no_grad]`)",
    label = "its derivative would be dropped here",
    note = "wrap the argument in `stop_gradient(..)` if a constant is meant, or remove `#[no_grad]` from the callee's parameter"
)]
pub trait FromTangent<T> {
    fn from_tangent(d: T) -> Self;
}

/// The tangent or shadow of an array the caller holds but does not differentiate (nothing
/// active was written into it): zeros, which a constant parameter may drop.
pub struct Inactive<T>(pub T);

/// Which arguments of a call the caller wants adjoints of, as the last argument of a
/// callee's `pullback_wanted`: bit `i` for argument `i`. The caller clears the bit of an array
/// it does not differentiate (and lends a discard buffer as its shadow), so the callee's
/// adjoint need not compute what would be thrown away; a callee may ignore it, the buffer is
/// there. Arguments past the 64th are always wanted.
#[derive(Clone, Copy)]
pub struct Wanted<const MASK: u64>;

/// Whether argument `i` is wanted under `mask` (see [`Wanted`]): a constant once the callee is
/// instantiated, so the writes it guards vanish where it is false.
#[inline(always)]
pub const fn wanted(mask: u64, i: usize) -> bool {
    i >= 64 || (mask >> i) & 1 == 1
}

/// What generated code needs of a float type itself, beyond arithmetic: a history pool and
/// the identity conversions of its tangent and cotangent (impls for every `F` would overlap
/// the struct ones, so each float type has its own; `Float` requires them).
pub trait Scalar: crate::stack::Pooled + FromTangent<Self> + IntoCotangent<Self> {
    /// Whether it is zero in every component (a dual: its value and every tangent), where
    /// `==` compares values only.
    fn all_zero(&self) -> bool;
}

/// Whether a call's result adjoint is worth its pullback (see the macro's `skippable`).
#[inline(always)]
pub fn nonzero<F: Scalar>(seed: &F) -> bool {
    !seed.all_zero()
}

macro_rules! scalars {
    ($($f:ty),*) => {$(
        impl Scalar for $f {
            #[inline(always)]
            fn all_zero(&self) -> bool {
                *self == 0.0
            }
        }
        impl FromTangent<$f> for $f {
            #[inline(always)]
            fn from_tangent(d: $f) -> $f {
                d
            }
        }
        impl IntoCotangent<$f> for $f {
            #[inline(always)]
            fn into_cotangent(self) -> $f {
                self
            }
        }
    )*};
}
scalars!(f64, f32);
impl<'a, F: Float> FromTangent<&'a [F]> for &'a [F] {
    #[inline(always)]
    fn from_tangent(d: &'a [F]) -> &'a [F] {
        d
    }
}
impl<'a, const N: usize, F: Float> FromTangent<&'a [F]> for [F; N] {
    #[inline(always)]
    fn from_tangent(d: &'a [F]) -> [F; N] {
        let mut out = [F::ZERO; N];
        out.copy_from_slice(d);
        out
    }
}
/// The tangent of a `&mut` parameter passed on bare (see [`PassOn`]) to a parameter that
/// reads it: converted, so that the one error the user sees is `PassOn`'s.
impl<'a, F: Float> FromTangent<&'a mut [F]> for &'a [F] {
    #[inline(always)]
    fn from_tangent(d: &'a mut [F]) -> Self {
        d
    }
}

impl<'a, F: Float> FromTangent<&'a mut [F]> for &'a mut [F] {
    #[inline(always)]
    fn from_tangent(d: &'a mut [F]) -> &'a mut [F] {
        d
    }
}
impl<'a, F: Float> FromTangent<Inactive<&'a [F]>> for &'a [F] {
    #[inline(always)]
    fn from_tangent(d: Inactive<&'a [F]>) -> &'a [F] {
        d.0
    }
}
impl<'a, const N: usize, F: Float> FromTangent<Inactive<&'a [F]>> for [F; N] {
    #[inline(always)]
    fn from_tangent(d: Inactive<&'a [F]>) -> [F; N] {
        <[F; N]>::from_tangent(d.0)
    }
}
impl<'a, F: Float> FromTangent<Inactive<&'a mut [F]>> for &'a mut [F] {
    #[inline(always)]
    fn from_tangent(d: Inactive<&'a mut [F]>) -> &'a mut [F] {
        d.0
    }
}
impl<'a, F: Float> FromShadow<&'a mut [F]> for &'a mut [F] {
    #[inline(always)]
    fn from_shadow(d: &'a mut [F]) -> &'a mut [F] {
        d
    }
}
impl<'a, F: Float> FromShadow<&'a mut [F]> for () {
    #[inline(always)]
    fn from_shadow(_: &'a mut [F]) {}
}
impl<'a, F: Float> FromShadow<Inactive<&'a mut [F]>> for &'a mut [F] {
    #[inline(always)]
    fn from_shadow(d: Inactive<&'a mut [F]>) -> &'a mut [F] {
        d.0
    }
}
// An array field of a struct lent whole (`g(&p.w)`): the same field of the tangent
// and of the shadow, as the slice the callee takes.
impl<'a, F: Float> FromTangent<&'a Vec<F>> for &'a [F] {
    #[inline(always)]
    fn from_tangent(d: &'a Vec<F>) -> &'a [F] {
        d
    }
}
impl<'a, const N: usize, F: Float> FromTangent<&'a [F; N]> for &'a [F] {
    #[inline(always)]
    fn from_tangent(d: &'a [F; N]) -> &'a [F] {
        d
    }
}
impl<'a, F: Float> FromShadow<&'a mut Vec<F>> for &'a mut [F] {
    #[inline(always)]
    fn from_shadow(d: &'a mut Vec<F>) -> &'a mut [F] {
        d
    }
}
impl<'a, const N: usize, F: Float> FromShadow<&'a mut [F; N]> for &'a mut [F] {
    #[inline(always)]
    fn from_shadow(d: &'a mut [F; N]) -> &'a mut [F] {
        d
    }
}
impl<F: Float> Accumulate<()> for [F] {
    #[inline(always)]
    fn accumulate(&mut self, _: ()) {}
}
impl<const N: usize, F: Float> Accumulate<[F; N]> for [F] {
    #[inline(always)]
    fn accumulate(&mut self, g: [F; N]) {
        for (a, b) in self.iter_mut().zip(g) {
            *a += b;
        }
    }
}

// A constant parameter takes any inactive tangent or shadow: there is nothing to drop.
// (Not offered in the error for a differentiated argument, where it is no help.)
#[diagnostic::do_not_recommend]
impl<T> FromTangent<Inactive<T>> for () {
    #[inline(always)]
    fn from_tangent(_: Inactive<T>) {}
}
impl<'a, T> FromShadow<Inactive<&'a mut [T]>> for () {
    #[inline(always)]
    fn from_shadow(_: Inactive<&'a mut [T]>) {}
}

/// A struct parameter passed on whole: its tangent struct, or its shadow struct.
impl<'a, T: crate::differentiable::Differentiable> FromTangent<&'a T> for &'a T {
    #[inline(always)]
    fn from_tangent(d: &'a T) -> &'a T {
        d
    }
}
impl<'a, T: crate::differentiable::Differentiable> FromShadow<&'a mut T> for &'a mut T {
    #[inline(always)]
    fn from_shadow(d: &'a mut T) -> &'a mut T {
        d
    }
}

#[inline(always)]
pub fn tangent<T: FromTangent<D>, D>(d: D) -> T {
    T::from_tangent(d)
}

/// A `&mut` parameter passed on bare to a call (`g(out)`, `g(&mut *out)`), which means "to be
/// written": only a callee's `&mut [F]` parameter takes it (see the macro's `code::argument`).
#[diagnostic::on_unimplemented(
    message = "a `&mut` parameter passed bare is passed on to be written, but this parameter of the callee only reads it",
    label = "passed on to be written here",
    note = "lend it for reading as `&name[..]`"
)]
pub trait PassOn<'a, F> {
    fn pass_on(out: &'a mut [F]) -> Self;
}

impl<'a, F> PassOn<'a, F> for &'a mut [F] {
    #[inline(always)]
    fn pass_on(out: &'a mut [F]) -> Self {
        out
    }
}

#[inline(always)]
pub fn pass_on<'a, F, T: PassOn<'a, F>>(out: &'a mut [F]) -> T {
    T::pass_on(out)
}

/// The shadow a caller passes for an array argument: the adjoint buffer for a slice
/// parameter (the callee adds into it), nothing for a by-value array parameter (whose
/// gradient comes back in its slot) or a constant one. Reverse mode needs no check of its
/// own that a differentiated argument is not passed to a constant parameter: the forward
/// protocol, generated beside it from the same activity, refuses it (see [`FromTangent`]).
pub trait FromShadow<T> {
    fn from_shadow(d: T) -> Self;
}

/// `len` floats of `buf`, grown if needed: the shadow lent to a callee for an array of
/// floats the caller does not differentiate (what the callee adds into it is dropped). One
/// buffer per call site, so a call in a loop allocates once, not once per call. Zeroed when
/// the callee writes the array (`zeroed`): its shadow then holds the adjoint of what the
/// callee writes, which is zero; a callee that only reads the array only adds into it.
/// The copy a deferred call takes of a `Vec` it is lent to write: none when the callee
/// never reads what the array held (`skip`, the callee's `OVERWRITES`), since then only the
/// length matters to the call's pullback (see `refill`).
#[inline(always)]
pub fn copy_unless<F: Copy>(skip: bool, array: &[F]) -> Vec<F> {
    if skip { Vec::new() } else { array.to_vec() }
}

/// The buffer a deferred call's pullback re-runs the call in: the copy taken before it, or,
/// when none was (see `copy_unless`), `scratch` at the array's length, whose contents the
/// call overwrites.
#[inline(always)]
pub fn refill<F: Copy + Default>(copy: Vec<F>, scratch: &mut Vec<F>, len: usize) -> Refilled<'_, F> {
    if copy.len() == len {
        Refilled::Copy(copy)
    } else {
        scratch.resize(len, F::default());
        Refilled::Scratch(scratch)
    }
}

/// See `refill`.
pub enum Refilled<'a, F> {
    Copy(Vec<F>),
    Scratch(&'a mut Vec<F>),
}

impl<F> core::ops::Deref for Refilled<'_, F> {
    type Target = [F];
    #[inline(always)]
    fn deref(&self) -> &[F] {
        match self {
            Refilled::Copy(v) => v,
            Refilled::Scratch(v) => v,
        }
    }
}

impl<F> core::ops::DerefMut for Refilled<'_, F> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [F] {
        match self {
            Refilled::Copy(v) => v,
            Refilled::Scratch(v) => v,
        }
    }
}

#[inline(always)]
pub fn discard<F: Copy + Default>(buf: &mut Vec<F>, len: usize, zeroed: bool) -> &mut [F] {
    if buf.len() < len {
        buf.resize(len, F::default());
    }
    let out = &mut buf[..len];
    if zeroed {
        out.fill(F::default());
    }
    out
}

#[inline(always)]
pub fn shadow<T: FromShadow<D>, D>(d: D) -> T {
    T::from_shadow(d)
}

/// Adds a callee's gradient slot for an array argument into the caller's adjoint.
pub trait Accumulate<G> {
    fn accumulate(&mut self, g: G);
}

#[inline(always)]
pub fn accumulate<A: Accumulate<G> + ?Sized, G>(adjoint: &mut A, g: G) {
    adjoint.accumulate(g)
}

/// A gradient slot a callee returns, as the caller's float: the value for an active
/// parameter, zero for a constant one (which a differentiated argument never reaches: see
/// [`FromShadow`]).
pub trait IntoCotangent<F> {
    fn into_cotangent(self) -> F;
}
impl<F: Float> IntoCotangent<F> for () {
    #[inline(always)]
    fn into_cotangent(self) -> F {
        F::ZERO
    }
}

#[inline(always)]
pub fn cotangent<F, G: IntoCotangent<F>>(g: G) -> F {
    g.into_cotangent()
}

/// The result of a call, an array or a tuple of floats, as the array of its `N` floats: the
/// caller keeps it in a local array (`let c = cross(a, b); c[0]`, `let (s, co) = sincos(t);`),
/// and passes that array's adjoint back as the seed of the callee's pullback.
pub trait Flat<F, const N: usize>: Sized {
    fn flat(self) -> [F; N];
    fn unflat(floats: [F; N]) -> Self;
}

impl<F, const N: usize> Flat<F, N> for [F; N] {
    #[inline(always)]
    fn flat(self) -> [F; N] {
        self
    }
    #[inline(always)]
    fn unflat(floats: [F; N]) -> Self {
        floats
    }
}

/// Rows `[[F; N]; M]`, as their `K = N * M` floats (the caller's `RESULT_LEN`).
impl<F: Copy + Default, const N: usize, const M: usize, const K: usize> Flat<F, K> for [[F; N]; M] {
    #[inline(always)]
    fn flat(self) -> [F; K] {
        let mut out = [F::default(); K];
        out.copy_from_slice(self.as_flattened());
        out
    }
    #[inline(always)]
    fn unflat(floats: [F; K]) -> Self {
        rows_of(&floats)
    }
}

/// `F`, once per element of a tuple.
macro_rules! float_of {
    ($x:ident) => {
        F
    };
}

macro_rules! flat_tuples {
    ($($n:literal: $($x:ident)+;)*) => {$(
        impl<F> Flat<F, $n> for ($(float_of!($x),)+) {
            #[inline(always)]
            fn flat(self) -> [F; $n] {
                let ($($x,)+) = self;
                [$($x),+]
            }
            #[inline(always)]
            fn unflat(floats: [F; $n]) -> Self {
                let [$($x),+] = floats;
                ($($x,)+)
            }
        }
    )*};
}
flat_tuples! {
    1: a;
    2: a b;
    3: a b c;
    4: a b c d;
    5: a b c d e;
    6: a b c d e f;
    7: a b c d e f g;
    8: a b c d e f g h;
    9: a b c d e f g h i;
    10: a b c d e f g h i j;
    11: a b c d e f g h i j k;
    12: a b c d e f g h i j k l;
}

#[inline(always)]
pub fn flat<F, const N: usize, T: Flat<F, N>>(result: T) -> [F; N] {
    result.flat()
}

/// The seed of a pullback whose result the caller keeps in an array: that array's adjoint,
/// which the call's result replaced, so it is zero before the call.
#[inline(always)]
pub fn take_seed<F: Copy + Default, const N: usize, T: Flat<F, N>>(adjoint: &mut [F; N]) -> T {
    T::unflat(::core::mem::replace(adjoint, [F::default(); N]))
}

/// A struct field the body reads as a scalar, whose type the macro cannot see: a float's
/// tangent is the tangent struct's same field; an integer's or a `bool`'s is `()`, which no
/// float arithmetic accepts (such a field is a loop bound or a size; used as a float it needs
/// `stop_gradient(p.n as f64)`).
pub trait FieldTangent {
    type Tangent;
    fn field_tangent(&self) -> Self::Tangent;
    /// The tangent of a constant field: zero.
    fn zero_tangent(&self) -> Self::Tangent;
}

/// Adds a field's gradient into the shadow struct's same field.
#[diagnostic::on_unimplemented(
    message = "the field of type `{Self}` cannot receive a derivative",
    label = "this field reaches the result through float arithmetic",
    note = "a size or a count used as a float is a constant: write `stop_gradient(p.n as f64)`"
)]
pub trait AddToField<F> {
    fn add_to_field(&mut self, g: F);
}

// Every float, so that fields of a struct generic over its float type are read too.
impl<F: crate::float::Float> FieldTangent for F {
    type Tangent = F;
    #[inline(always)]
    fn field_tangent(&self) -> F {
        *self
    }
    #[inline(always)]
    fn zero_tangent(&self) -> F {
        F::ZERO
    }
}

impl<F: crate::float::Float> AddToField<F> for F {
    #[inline(always)]
    fn add_to_field(&mut self, g: F) {
        *self += g;
    }
}

macro_rules! field_constants {
    ($($t:ty),*) => {$(
        impl FieldTangent for $t {
            type Tangent = ();
            #[inline(always)]
            fn field_tangent(&self) {}
            #[inline(always)]
            fn zero_tangent(&self) {}
        }
    )*};
}
field_constants!(usize, isize, u8, u16, u32, u64, u128, i8, i16, i32, i64, i128, bool, char);

/// A struct field the body reads as an array (indexed, measured, iterated or lent): a `Vec`
/// or an array of floats, as a slice.
#[diagnostic::on_unimplemented(
    message = "the field of type `{Self}` is used as an array of floats",
    label = "indexed, iterated or lent to a call here",
    note = "fields read as arrays must be `Vec<F>` or `[F; N]`, and as rows (`p.w[i][j]`) `[[F; N]; M]` or `Vec<[F; N]>`; a struct field is lent to a call whole (`g(&p.layer)`) only when the body reads it no other way"
)]
pub trait FieldSlice<F> {
    fn field_slice(&self) -> &[F];
    fn field_slice_mut(&mut self) -> &mut [F];
}

impl<F> FieldSlice<F> for Vec<F> {
    #[inline(always)]
    fn field_slice(&self) -> &[F] {
        self
    }
    #[inline(always)]
    fn field_slice_mut(&mut self) -> &mut [F] {
        self
    }
}

impl<F, const N: usize> FieldSlice<F> for [F; N] {
    #[inline(always)]
    fn field_slice(&self) -> &[F] {
        self
    }
    #[inline(always)]
    fn field_slice_mut(&mut self) -> &mut [F] {
        self
    }
}

/// A struct field the body reads as rows (`p.w[i][j]`): its floats as one flat slice, row
/// after row, and the length of a row. (Not a `FieldSlice`: rows read any other way, as if
/// flat, are that trait's error.)
#[diagnostic::on_unimplemented(
    message = "the field of type `{Self}` is read as rows of floats",
    label = "indexed twice here",
    note = "fields read as rows (`p.w[i][j]`) must be `[[F; N]; M]` or `Vec<[F; N]>`: rows of one length"
)]
pub trait FieldRows<F> {
    const ROW_LEN: usize;
    fn flat(&self) -> &[F];
    fn flat_mut(&mut self) -> &mut [F];
}

impl<F, const N: usize> FieldRows<F> for Vec<[F; N]> {
    const ROW_LEN: usize = N;
    #[inline(always)]
    fn flat(&self) -> &[F] {
        self.as_flattened()
    }
    #[inline(always)]
    fn flat_mut(&mut self) -> &mut [F] {
        self.as_flattened_mut()
    }
}

impl<F, const N: usize, const M: usize> FieldRows<F> for [[F; N]; M] {
    const ROW_LEN: usize = N;
    #[inline(always)]
    fn flat(&self) -> &[F] {
        self.as_flattened()
    }
    #[inline(always)]
    fn flat_mut(&mut self) -> &mut [F] {
        self.as_flattened_mut()
    }
}

#[inline(always)]
pub fn field_rows<F, T: FieldRows<F> + ?Sized>(field: &T) -> &[F] {
    field.flat()
}

#[inline(always)]
pub fn field_rows_mut<F, T: FieldRows<F> + ?Sized>(field: &mut T) -> &mut [F] {
    field.flat_mut()
}

#[inline(always)]
pub fn field_row_len<F, T: FieldRows<F> + ?Sized>(_: &T) -> usize {
    T::ROW_LEN
}

#[inline(always)]
pub fn field_slice<F, T: FieldSlice<F> + ?Sized>(field: &T) -> &[F] {
    field.field_slice()
}

/// A field of a constant struct lent as a slice (`&data.xs`): of floats only, which the
/// callee's float parameter needs (a field of integers is `Float`'s error, on the field).
#[inline(always)]
pub fn float_field<F: crate::float::Float, T: FieldSlice<F> + ?Sized>(field: &T) -> &[F] {
    field.field_slice()
}

#[inline(always)]
pub fn field_slice_mut<F, T: FieldSlice<F> + ?Sized>(field: &mut T) -> &mut [F] {
    field.field_slice_mut()
}

#[inline(always)]
pub fn field_tangent<T: FieldTangent>(field: &T) -> T::Tangent {
    field.field_tangent()
}

/// Whether the field `name` of a struct is `#[no_grad]` (see
/// `Differentiable::is_constant_field`), a constant the generated code folds, asked as
/// `(&Probe(parent)).constant_field(name)`: of a struct that is not `Differentiable` the
/// answer is `false` by the fallback (autoref) impl, so that such a struct is one error, the
/// trait's own, not a second one here.
pub struct Probe<'a, T: ?Sized>(pub &'a T);

pub trait ConstantField {
    fn constant_field(&self, name: &str) -> bool;
}

impl<T: crate::differentiable::Differentiable + ?Sized> ConstantField for Probe<'_, T> {
    #[inline(always)]
    fn constant_field(&self, name: &str) -> bool {
        self.0.is_constant_field(name)
    }
}

pub trait NotAStruct {
    fn constant_field(&self, name: &str) -> bool;
}

impl<T: ?Sized> NotAStruct for &Probe<'_, T> {
    #[inline(always)]
    fn constant_field(&self, _: &str) -> bool {
        false
    }
}

/// A scalar field's tangent, zero for a constant field.
#[inline(always)]
pub fn tangent_of_field<T: FieldTangent>(field: &T, constant: bool) -> T::Tangent {
    if constant { field.zero_tangent() } else { field.field_tangent() }
}

/// An array field's tangent (its floats in the tangent struct), or zeros of its length for a
/// constant field, whose slot in the tangent struct holds a copy of its values.
#[inline(always)]
pub fn tangent_or_zeros<'a, F: Clone + Default>(
    field: &'a [F],
    constant: bool,
    zeros: &'a mut Option<Vec<F>>,
) -> &'a [F] {
    if constant { zeros.insert(::std::vec![F::default(); field.len()]) } else { field }
}

/// A copy of a constant field of a shadow struct, which the adjoint sweep writes into like
/// any array field and [`put_back`] restores: its gradient goes nowhere. (The loops keep
/// writing the field itself, so that a non-constant field's slice is exactly what it was.)
#[inline(always)]
pub fn keep_if<T: Clone>(field: &T, constant: bool) -> Option<T> {
    constant.then(|| field.clone())
}

#[inline(always)]
pub fn put_back<T>(field: &mut T, kept: Option<T>) {
    if let Some(kept) = kept {
        *field = kept;
    }
}

#[inline(always)]
pub fn add_to_field<T: AddToField<F>, F>(field: &mut T, g: F) {
    field.add_to_field(g)
}

/// The stacks of the adjoint sweep: what a loop body's primal computed, popped in the
/// adjoint loop in reverse order. `pop` on an empty stack is a bug in the generated code.
pub trait Pop<T> {
    fn pop_value(&mut self) -> T;
}

impl<T> Pop<T> for ::std::vec::Vec<T> {
    #[inline(always)]
    fn pop_value(&mut self) -> T {
        match self.pop() {
            Some(x) => x,
            None => underflow(),
        }
    }
}

#[cold]
#[inline(never)]
pub(crate) fn underflow() -> ! {
    panic!("chainrule: adjoint stack underflow")
}

#[inline(always)]
pub fn pop<T, S: Pop<T>>(stack: &mut S) -> T {
    stack.pop_value()
}

/// A branch's pullback, taken in the adjoint branch that matches the primal one.
#[inline(always)]
pub fn take<T>(slot: &mut Option<T>) -> T {
    slot.take().expect("chainrule: the adjoint took a branch the primal did not")
}

pub use crate::stack::{AnyStack, Stack, trip_count};

/// The runtime's [`stop_gradient`](crate::primitives::stop_gradient) (its protocol struct),
/// which the macro detaches by name: a function of that name that is not it does not
/// implement this, so it cannot be silently detached.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not chainrule's `stop_gradient`, but a call named `stop_gradient` is detached (differentiated as a constant)",
    label = "not `chainrule::primitives::stop_gradient`",
    note = "rename this function, or import chainrule's: `use chainrule::prelude::*;`"
)]
pub trait Detach {}

/// `x`, after checking that `D` is the runtime's `stop_gradient`.
#[inline(always)]
pub fn detach<D: Detach, F>(x: F) -> F {
    x
}

/// Never implemented: the stub protocol functions written for `f_grad`, `f_vjp` and `f_jvp`
/// of a function whose derivatives cannot be differentiated require it, so that
/// differentiable code calling one is refused with this message.
#[diagnostic::on_unimplemented(
    message = "differentiating through this derivative (nested differentiation) needs a function generic over its float type, of scalar and array parameters and a scalar result",
    label = "this calls a generated `_grad`, `_vjp` or `_jvp` function",
    note = "write the callee `fn g<F: Float>(x: F, p: [F; 2]) -> F` (constants by value may stay); of a function of slices `fn g<F: Float>(x: &[F]) -> F`, call `g_vjp(x, &mut gx, seed)` with a buffer for the gradient; or call the derivative outside the #[differentiable] function"
)]
pub trait Nested {}

/// Never implemented: the protocol stubs of `f_hessian` and `f_jacobian` require it.
#[diagnostic::on_unimplemented(
    message = "a Hessian or Jacobian (a matrix) cannot be differentiated through yet",
    label = "this calls a generated `_hessian` or `_jacobian` function",
    note = "differentiate through `g_hvp` instead (one Hessian-vector product per column), or call it outside the #[differentiable] function"
)]
pub trait NestedMatrix {}

/// Rows of their own lengths (`&[Vec<F>]`), as one flat copy and where each row starts in it
/// (one more start than rows: the last is the total). Differentiated code reads them as a
/// flat slice, `a[i][j]` at `starts[i] + j`.
pub fn flatten_rows<F: Copy, R: AsRef<[F]>>(rows: &[R]) -> (Vec<F>, Vec<usize>) {
    let mut starts = Vec::with_capacity(rows.len() + 1);
    let mut flat = Vec::with_capacity(rows.iter().map(|r| r.as_ref().len()).sum());
    for r in rows {
        starts.push(flat.len());
        flat.extend_from_slice(r.as_ref());
    }
    starts.push(flat.len());
    (flat, starts)
}

/// Adds the flat adjoint of rows (see [`flatten_rows`]) into their shadow, row by row.
pub fn add_rows<F: Float, R: AsMut<[F]>>(shadow: &mut [R], flat: &[F]) {
    let mut rest = flat;
    for row in shadow {
        let row = row.as_mut();
        let (head, tail) = rest.split_at(row.len());
        for (a, b) in row.iter_mut().zip(head) {
            *a += *b;
        }
        rest = tail;
    }
}

/// Zeros shaped like rows of their own lengths: the gradient `f_grad` fills.
pub fn zero_rows<F: Float, R: AsRef<[F]>>(rows: &[R]) -> Vec<Vec<F>> {
    rows.iter().map(|r| vec![F::ZERO; r.as_ref().len()]).collect()
}

/// A flat array of `N * M` floats as the rows `[[F; N]; M]` a function returns.
#[inline(always)]
pub fn rows_of<F: Copy + Default, const N: usize, const M: usize>(flat: &[F]) -> [[F; N]; M] {
    let mut rows = [[F::default(); N]; M];
    rows.as_flattened_mut().copy_from_slice(flat);
    rows
}
