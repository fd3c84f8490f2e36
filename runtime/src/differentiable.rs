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
}

macro_rules! floats {
    ($($f:ty),*) => {$(
        impl Differentiable for $f {
            type Float = $f;
            fn zeros_like(&self) -> Self {
                0.0
            }
            fn for_each_float(&self, f: &mut dyn FnMut($f)) {
                f(*self)
            }
            fn zip_floats(&mut self, other: &Self, f: &mut dyn FnMut(&mut $f, $f)) {
                f(self, *other)
            }
        }
    )*};
}
floats!(f32, f64);

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
