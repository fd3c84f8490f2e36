//! Values made of floats that `#[differentiable]` functions take whole: a model's
//! parameters in a struct (`#[derive(Differentiable)]`), its arrays and vectors. The
//! gradient of such a value is a value of the same type, which this trait builds (zeros
//! shaped like it), adds into, scales, and walks float by float, so that an optimizer can
//! step any model.

use crate::float::Float;

/// A value whose floats can be differentiated: `f32`, `f64`, arrays and `Vec`s of such values,
/// and structs that derive it. Its gradient has the same type.
///
/// ```
/// use chainrule_runtime::differentiable::Differentiable;
///
/// let mut w = vec![[1.0f64, 2.0], [3.0, 4.0]];
/// let mut g = w.zeros_like();
/// g.add_scaled(2.0, &w);
/// assert_eq!(g, vec![[2.0, 4.0], [6.0, 8.0]]);
/// w.add_scaled(-0.5, &g);
/// assert_eq!(w.to_vec(), vec![0.0; 4]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not differentiable",
    label = "a parameter of a #[differentiable] function must be made of floats",
    note = "put `#[derive(Differentiable)]` on the struct (and `#[no_grad]` on its constant fields), or mark the parameter `#[no_grad]`"
)]
pub trait Differentiable {
    /// The floats it is made of.
    type Float: Float;

    /// The same shape with every float zero (constant fields, `#[no_grad]`, are copied).
    fn zeros_like(&self) -> Self;

    /// Calls `f` with each float, in declaration order.
    fn for_each_float(&self, f: &mut dyn FnMut(Self::Float));

    /// Calls `f` with each float and the same float of `other`, which has the same shape.
    fn zip_floats(&mut self, other: &Self, f: &mut dyn FnMut(&mut Self::Float, Self::Float));

    /// `self += k · other`, float by float: a gradient step is `p.add_scaled(-lr, &g)`.
    fn add_scaled(&mut self, k: Self::Float, other: &Self) {
        self.zip_floats(other, &mut |a, b| *a += k * b);
    }

    /// How many floats it holds.
    fn float_count(&self) -> usize {
        let mut n = 0;
        self.for_each_float(&mut |_| n += 1);
        n
    }

    /// Its floats, in declaration order.
    fn to_vec(&self) -> Vec<Self::Float> {
        let mut out = Vec::new();
        self.for_each_float(&mut |x| out.push(x));
        out
    }

    /// Whether its field `name` is a constant (`#[no_grad]`), which generated code gives no
    /// tangent and no gradient whatever the tangent and shadow structs hold there (they are
    /// copies of the value, by `zeros_like`). The derive writes it; `false` by default.
    #[doc(hidden)]
    #[inline(always)]
    fn is_constant_field(&self, name: &str) -> bool {
        let _ = name;
        false
    }
}

// Every float, so that a struct generic over its float type (`struct Mlp<F>`) is
// differentiable at every float type, dual numbers too (its `f_hvp` runs on them).
impl<F: Float> Differentiable for F {
    type Float = F;
    fn zeros_like(&self) -> Self {
        F::ZERO
    }
    fn for_each_float(&self, f: &mut dyn FnMut(F)) {
        f(*self)
    }
    fn zip_floats(&mut self, other: &Self, f: &mut dyn FnMut(&mut F, F)) {
        f(self, *other)
    }
}

impl<T: Differentiable, const N: usize> Differentiable for [T; N] {
    type Float = T::Float;
    fn zeros_like(&self) -> Self {
        std::array::from_fn(|i| self[i].zeros_like())
    }
    fn for_each_float(&self, f: &mut dyn FnMut(T::Float)) {
        self.iter().for_each(|x| x.for_each_float(f))
    }
    fn zip_floats(&mut self, other: &Self, f: &mut dyn FnMut(&mut T::Float, T::Float)) {
        self.iter_mut().zip(other).for_each(|(a, b)| a.zip_floats(b, f))
    }
}

impl<T: Differentiable> Differentiable for Vec<T> {
    type Float = T::Float;
    fn zeros_like(&self) -> Self {
        self.iter().map(T::zeros_like).collect()
    }
    fn for_each_float(&self, f: &mut dyn FnMut(T::Float)) {
        self.iter().for_each(|x| x.for_each_float(f))
    }
    /// # Panics
    /// If the two differ in length.
    fn zip_floats(&mut self, other: &Self, f: &mut dyn FnMut(&mut T::Float, T::Float)) {
        assert_eq!(self.len(), other.len(), "zip_floats of vectors of different lengths");
        self.iter_mut().zip(other).for_each(|(a, b)| a.zip_floats(b, f))
    }
}

/// A value generic over its float type `F` rebuilt at another float type `G`, float by
/// float: `#[derive(Differentiable)]` writes it for a struct with one type parameter (`struct
/// Mlp<F>`), whose higher-order companions (`f_hvp`, `f_hessian`) run it on dual numbers.
/// (Not a subtrait of [`Differentiable`]: a bound on it must not hide that impl.)
///
/// ```
/// use chainrule_runtime::differentiable::Retype;
///
/// let w = vec![[1.0f64, 2.0], [3.0, 4.0]];
/// let halves: Vec<[f32; 2]> = w.retype(&mut |x| (x / 2.0) as f32);
/// assert_eq!(halves, vec![[0.5, 1.0], [1.5, 2.0]]);
/// let sums: Vec<[f64; 2]> = w.retype_zip(&w, &mut |a, b| a + b);
/// assert_eq!(sums[1], [6.0, 8.0]);
/// let back = <Vec<[f64; 2]>>::unretype(&halves, &mut |&x| f64::from(x) * 2.0);
/// assert_eq!(back, w);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be rebuilt at another float type",
    label = "the higher-order companions run this parameter on dual numbers",
    note = "derive `Differentiable` on a struct generic over its float type, `struct S<F: Float>`, whose `#[no_grad]` fields do not mention `F`"
)]
pub trait Retype<F, G> {
    /// The same shape with floats of type `G` (`Mlp<G>` for `Mlp<F>`).
    type As;

    /// Each float mapped by `f`, in declaration order.
    fn retype(&self, f: &mut dyn FnMut(F) -> G) -> Self::As;

    /// Each float and the same float of `other` (of the same shape) mapped by `f`.
    fn retype_zip(&self, other: &Self, f: &mut dyn FnMut(F, F) -> G) -> Self::As;

    /// The way back: each float of `from` mapped by `f` (a dual number's value or tangent).
    fn unretype(from: &Self::As, f: &mut dyn FnMut(&G) -> F) -> Self
    where
        Self: Sized;
}

impl<F: Float, G> Retype<F, G> for F {
    type As = G;
    #[inline]
    fn retype(&self, f: &mut dyn FnMut(F) -> G) -> G {
        f(*self)
    }
    #[inline]
    fn retype_zip(&self, other: &Self, f: &mut dyn FnMut(F, F) -> G) -> G {
        f(*self, *other)
    }
    #[inline]
    fn unretype(from: &G, f: &mut dyn FnMut(&G) -> F) -> F {
        f(from)
    }
}

impl<T: Retype<F, G>, F, G, const N: usize> Retype<F, G> for [T; N] {
    type As = [T::As; N];
    fn retype(&self, f: &mut dyn FnMut(F) -> G) -> Self::As {
        std::array::from_fn(|i| self[i].retype(f))
    }
    fn retype_zip(&self, other: &Self, f: &mut dyn FnMut(F, F) -> G) -> Self::As {
        std::array::from_fn(|i| self[i].retype_zip(&other[i], f))
    }
    fn unretype(from: &Self::As, f: &mut dyn FnMut(&G) -> F) -> Self {
        std::array::from_fn(|i| T::unretype(&from[i], f))
    }
}

impl<T: Retype<F, G>, F, G> Retype<F, G> for Vec<T> {
    type As = Vec<T::As>;
    fn retype(&self, f: &mut dyn FnMut(F) -> G) -> Self::As {
        self.iter().map(|x| x.retype(f)).collect()
    }
    /// # Panics
    /// If the two differ in length.
    fn retype_zip(&self, other: &Self, f: &mut dyn FnMut(F, F) -> G) -> Self::As {
        assert_eq!(self.len(), other.len(), "retype_zip of vectors of different lengths");
        self.iter().zip(other).map(|(a, b)| a.retype_zip(b, f)).collect()
    }
    fn unretype(from: &Self::As, f: &mut dyn FnMut(&G) -> F) -> Self {
        from.iter().map(|x| T::unretype(x, f)).collect()
    }
}
