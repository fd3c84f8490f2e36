//! A float stack whose buffer comes from, and returns to, a per-thread pool, so the history
//! a loop's adjoint needs costs no allocation once a thread has run the gradient before.

use std::cell::RefCell;

/// Floats with a buffer pool.
pub trait Pooled: Copy + 'static {
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R;
}

macro_rules! pooled {
    ($($f:ty => $pool:ident),*) => {$(
        thread_local! {
            static $pool: RefCell<Vec<Vec<$f>>> = const { RefCell::new(Vec::new()) };
        }
        impl Pooled for $f {
            fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R {
                $pool.with(|p| f(&mut p.borrow_mut()))
            }
        }
    )*};
}
pooled!(f64 => POOL_F64, f32 => POOL_F32);

pub struct Stack<T: Pooled> {
    items: Vec<T>,
}

impl<T: Pooled> Stack<T> {
    #[inline]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Stack { items: T::with_pool(|p| p.pop()).unwrap_or_default() }
    }

    #[inline(always)]
    pub fn push(&mut self, x: T) {
        self.items.push(x);
    }
}

impl<T: Pooled> super::__private::Pop<T> for Stack<T> {
    #[inline(always)]
    fn pop_value(&mut self) -> T {
        self.items.pop().expect("chainrule: adjoint stack underflow")
    }
}

impl<T: Pooled> Drop for Stack<T> {
    fn drop(&mut self) {
        let mut items = std::mem::take(&mut self.items);
        items.clear();
        if items.capacity() > 0 {
            T::with_pool(|p| p.push(items));
        }
    }
}
