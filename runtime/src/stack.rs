//! Stacks whose buffers come from, and return to, a per-thread pool, so the history
//! a loop's adjoint needs costs no allocation once a thread has run the gradient before:
//! [`Stack`] for floats, [`AnyStack`] for anything else (pullbacks of calls, integers).

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

thread_local! {
    // 16-byte words, so that any value aligned to at most 16 can be stored at a multiple of
    // its size.
    static BYTES: RefCell<Vec<Vec<u128>>> = const { RefCell::new(Vec::new()) };
}

/// A stack of values of any type (the pullbacks of calls in a loop, integer history), whose
/// buffer comes from, and returns to, a per-thread pool of untyped memory: a loop that calls
/// a differentiable function costs no allocation once the thread has run it before.
pub struct AnyStack<T> {
    words: Vec<u128>,
    len: usize,
    _values: std::marker::PhantomData<T>,
}

impl<T> AnyStack<T> {
    const FITS: () = assert!(std::mem::align_of::<T>() <= 16, "AnyStack holds values aligned to at most 16");

    #[inline]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let () = Self::FITS;
        let words = BYTES.with(|p| p.borrow_mut().pop()).unwrap_or_default();
        AnyStack { words, len: 0, _values: std::marker::PhantomData }
    }

    #[inline]
    pub fn push(&mut self, value: T) {
        let size = std::mem::size_of::<T>();
        let needed = ((self.len + 1) * size).div_ceil(16);
        if needed > self.words.len() {
            let grown = needed.max(2 * self.words.len()).max(4);
            self.words.resize(grown, 0);
        }
        // SAFETY: the buffer holds at least (len + 1) * size bytes; the offset len * size is a
        // multiple of size, hence of T's alignment, from a 16-aligned base (FITS).
        unsafe { std::ptr::write(self.slot(self.len), value) };
        self.len += 1;
    }

    fn slot(&mut self, i: usize) -> *mut T {
        // SAFETY (for callers): i * size_of::<T>() stays inside `words` for every i < len + 1.
        unsafe { (self.words.as_mut_ptr() as *mut u8).add(i * std::mem::size_of::<T>()) as *mut T }
    }
}

impl<T> super::__private::Pop<T> for AnyStack<T> {
    #[inline]
    fn pop_value(&mut self) -> T {
        assert!(self.len > 0, "chainrule: adjoint stack underflow");
        self.len -= 1;
        // SAFETY: slot `len` was written by `push` and is read exactly once.
        unsafe { std::ptr::read(self.slot(self.len)) }
    }
}

impl<T> Drop for AnyStack<T> {
    fn drop(&mut self) {
        // Values never popped (a pullback dropped unused) are dropped, then the buffer pooled.
        while self.len > 0 {
            drop(super::__private::Pop::pop_value(self));
        }
        let words = std::mem::take(&mut self.words);
        if !words.is_empty() {
            let _ = BYTES.try_with(|p| p.borrow_mut().push(words));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AnyStack;
    use crate::__private::pop;
    use std::rc::Rc;

    #[test]
    fn values_come_back_in_reverse_and_unpopped_ones_are_dropped() {
        let shared = Rc::new(5u8);
        let mut stack = AnyStack::new();
        for i in 0..100u64 {
            stack.push((i, Rc::clone(&shared)));
        }
        assert_eq!(pop(&mut stack).0, 99);
        assert_eq!(pop(&mut stack).0, 98);
        assert_eq!(Rc::strong_count(&shared), 99);
        drop(stack);
        assert_eq!(Rc::strong_count(&shared), 1);
    }

    #[test]
    fn zero_sized_values() {
        let mut stack = AnyStack::new();
        stack.push(());
        stack.push(());
        pop(&mut stack);
        pop(&mut stack);
    }
}
