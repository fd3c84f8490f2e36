//! Stacks whose buffers come from, and return to, a per-thread pool, so the history
//! a loop's adjoint needs costs no allocation once a thread has run the gradient before:
//! [`Stack`] for floats, [`AnyStack`] for anything else (pullbacks of calls, integers).

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Floats (and array indices, and the bytes saying which argument a `min` picked) with a
/// buffer pool.
pub trait Pooled: Copy + Default + 'static {
    fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R;
}

thread_local! {
    /// The pools of float types that are not one of the three below (duals, at any float
    /// type and lane count: a generic type cannot have a `static` per instantiation, so its
    /// pool is found by its `TypeId`).
    static TYPED: RefCell<HashMap<TypeId, Box<dyn Any>>> = RefCell::new(HashMap::new());
}

/// The pool of `T`'s buffers, for a `Pooled` impl of a generic type: one map lookup per
/// stack made or dropped, where a fresh buffer would cost its allocation and page faults.
pub(crate) fn with_typed_pool<T: 'static, R>(f: impl FnOnce(&mut Vec<Vec<T>>) -> R) -> R {
    TYPED.with(|map| {
        let mut map = map.borrow_mut();
        let pool = map.entry(TypeId::of::<T>()).or_insert_with(|| Box::new(Vec::<Vec<T>>::new()));
        f(pool.downcast_mut().expect("a pool holds buffers of its own type"))
    })
}

macro_rules! pooled {
    ($($f:ty => $pool:ident),*) => {
        $(
            thread_local! {
                static $pool: RefCell<Vec<Vec<$f>>> = const { RefCell::new(Vec::new()) };
            }
            impl Pooled for $f {
                fn with_pool<R>(f: impl FnOnce(&mut Vec<Vec<Self>>) -> R) -> R {
                    $pool.with(|p| f(&mut p.borrow_mut()))
                }
            }
        )*
        /// Frees every buffer this thread's pools keep (see `crate::memory::release`).
        pub(crate) fn release() {
            $(let _ = $pool.try_with(|p| p.borrow_mut().clear());)*
            let _ = BYTES.try_with(|p| p.borrow_mut().clear());
            let _ = TYPED.try_with(|p| p.borrow_mut().clear());
            let _ = KEPT.try_with(|k| k.set(0));
        }
    };
}
pooled!(f64 => POOL_F64, f32 => POOL_F32, usize => POOL_USIZE, u8 => POOL_U8);

/// The most the pools of one thread keep, in bytes, unless `crate::memory::set_limit` says
/// otherwise.
pub(crate) const DEFAULT_LIMIT: usize = 64 << 20;

thread_local! {
    /// What this thread's pools hold, in bytes (of capacity), and the most they may.
    pub(crate) static KEPT: Cell<usize> = const { Cell::new(0) };
    pub(crate) static LIMIT: Cell<usize> = const { Cell::new(DEFAULT_LIMIT) };
}

/// A buffer of `bytes` left its pool.
#[inline]
fn taken(bytes: usize) {
    let _ = KEPT.try_with(|k| k.set(k.get().saturating_sub(bytes)));
}

/// Whether a buffer of `bytes` goes back to its pool: only while the pool stays within its
/// limit; a larger one is freed (a 1e7-step loop's history is not worth keeping for later).
#[inline]
fn keep(bytes: usize) -> bool {
    let limit = LIMIT.try_with(Cell::get).unwrap_or(0);
    KEPT.try_with(|k| {
        let kept = k.get() + bytes;
        (kept <= limit).then(|| k.set(kept)).is_some()
    })
    .unwrap_or(false)
}

/// A stack of floats over a buffer that is always fully initialised: the stack is
/// `buf[..len]`. A `for` loop reserves room for its trip count before it starts and then
/// pushes with [`Stack::push_reserved`], which cannot grow the buffer and so makes no call
/// the loop body returns from: a call there makes the compiler keep the loop's floats in
/// memory across every iteration, which costs more than the stack itself.
pub struct Stack<T: Pooled> {
    buf: Vec<T>,
    len: usize,
}

impl<T: Pooled> Stack<T> {
    #[inline]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        // The buffer comes from the pool when the stack is first pushed to: a call that
        // returns early (a recursion's leaf) or runs no loop costs no pool traffic.
        Stack { buf: Vec::new(), len: 0 }
    }

    /// Makes room for `n` more values.
    #[inline]
    pub fn reserve(&mut self, n: usize) {
        if n > self.buf.len() - self.len {
            self.grow(n);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: usize) {
        if self.buf.is_empty()
            && let Some(buf) = T::with_pool(|p| p.pop())
        {
            taken(buf.capacity() * std::mem::size_of::<T>());
            self.buf = buf;
            if n <= self.buf.len() {
                return;
            }
        }
        let wanted = (self.len + n).max(2 * self.buf.len()).max(16);
        self.buf.resize(wanted, T::default());
    }

    /// Room for `n` more values, as a slice a loop writes with its own counter; then
    /// [`Stack::commit`] says how many it wrote. The counter stays in a register, where the
    /// stack's own length, in memory that the loop's other stores might alias, would not.
    #[inline(always)]
    pub fn room(&mut self, n: usize) -> &mut [T] {
        self.reserve(n);
        &mut self.buf[self.len..self.len + n]
    }

    #[inline(always)]
    pub fn commit(&mut self, written: usize) {
        self.len += written;
    }

    /// The last `n` values, in push order, taken off the stack at once: an adjoint loop
    /// reads them with its own counter.
    #[inline(always)]
    pub fn pop_slice(&mut self, n: usize) -> &[T] {
        let start = match self.len.checked_sub(n) {
            Some(start) => start,
            None => super::__private::underflow(),
        };
        self.len = start;
        &self.buf[start..start + n]
    }

    /// [`Stack::pop_slice`], lent mutably: what was pushed is the stack's no longer, so a
    /// callee may edit it (a re-run recursive call's index lists, which it restores).
    #[inline(always)]
    pub fn pop_slice_mut(&mut self, n: usize) -> &mut [T] {
        let start = match self.len.checked_sub(n) {
            Some(start) => start,
            None => super::__private::underflow(),
        };
        self.len = start;
        &mut self.buf[start..start + n]
    }

    /// Pushes a copy of `xs` (an array a loop's iteration reads after its last write, see
    /// the macro's `reread`), growing the buffer if needed; [`Stack::pop_slice`] takes it
    /// back.
    #[inline(always)]
    pub fn push_slice(&mut self, xs: &[T]) {
        self.reserve(xs.len());
        copy(&mut self.buf[self.len..self.len + xs.len()], xs);
        self.len += xs.len();
    }

    /// Takes back what [`Stack::push_slice`] pushed last, into `dst`.
    #[inline(always)]
    pub fn pop_into(&mut self, dst: &mut [T]) {
        copy(dst, self.pop_slice(dst.len()));
    }

    /// Pushes, growing the buffer if needed (a `while` loop, whose trip count is unknown).
    #[inline(always)]
    pub fn push(&mut self, x: T) {
        self.reserve(1);
        self.push_reserved(x);
    }

    /// Pushes into room made by [`Stack::reserve`].
    #[inline(always)]
    pub fn push_reserved(&mut self, x: T) {
        match self.buf.get_mut(self.len) {
            Some(slot) => *slot = x,
            None => unreserved(),
        }
        self.len += 1;
    }
}

/// `dst.copy_from_slice(src)`, without a call into `memcpy` for the short arrays a loop's
/// iteration copies (a point's coordinates): whole chunks of four, then what is left.
#[inline(always)]
fn copy<T: Copy>(dst: &mut [T], src: &[T]) {
    assert_eq!(dst.len(), src.len(), "chainrule: a copy of an array of another length");
    let mut d = dst.chunks_exact_mut(4);
    let mut s = src.chunks_exact(4);
    for (d, s) in (&mut d).zip(&mut s) {
        let s: &[T; 4] = s.try_into().expect("chunks of four");
        d.copy_from_slice(s);
    }
    for (d, s) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *d = *s;
    }
}

#[cold]
#[inline(never)]
fn unreserved() -> ! {
    panic!("chainrule: adjoint stack pushed past the room reserved for its loop")
}

impl<T: Pooled> super::__private::Pop<T> for Stack<T> {
    #[inline(always)]
    fn pop_value(&mut self) -> T {
        // One check: an empty stack wraps `len` past the buffer's end.
        self.len = self.len.wrapping_sub(1);
        match self.buf.get(self.len) {
            Some(&x) => x,
            None => super::__private::underflow(),
        }
    }
}

impl<T: Pooled> Drop for Stack<T> {
    #[inline]
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        if !buf.is_empty() && keep(buf.capacity() * std::mem::size_of::<T>()) {
            T::with_pool(|p| p.push(buf));
        }
    }
}

/// The number of iterations a range loop will run (an upper bound when it can `break`).
#[inline(always)]
pub fn trip_count<I: Iterator>(iter: &I) -> usize {
    let (low, high) = iter.size_hint();
    high.unwrap_or(low)
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
        // The buffer comes from the pool when first pushed to (see `Stack::new`).
        AnyStack { words: Vec::new(), len: 0, _values: std::marker::PhantomData }
    }

    /// Makes room for `n` more values.
    #[inline]
    pub fn reserve(&mut self, n: usize) {
        let needed = ((self.len + n) * std::mem::size_of::<T>()).div_ceil(16);
        if needed > self.words.len() {
            self.grow(needed);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, needed: usize) {
        if self.words.is_empty()
            && let Some(words) = BYTES.with(|p| p.borrow_mut().pop())
        {
            taken(words.capacity() * 16);
            self.words = words;
            if needed <= self.words.len() {
                return;
            }
        }
        let grown = needed.max(2 * self.words.len()).max(4);
        self.words.resize(grown, 0);
    }

    /// Pushes, growing the buffer if needed.
    #[inline]
    pub fn push(&mut self, value: T) {
        self.reserve(1);
        self.push_reserved(value);
    }

    /// Pushes into room made by [`AnyStack::reserve`]: no call that could grow the buffer
    /// in the loop body (see [`Stack`]).
    #[inline(always)]
    pub fn push_reserved(&mut self, value: T) {
        if (self.len + 1) * std::mem::size_of::<T>() > self.words.len() * 16 {
            unreserved();
        }
        // A volatile write, so that the value is stored here once it is whole: a plain one
        // lets LLVM have the callee write its results straight into the slot (call-slot
        // optimisation), and the caller, which reads the same results, then loads them back
        // from it in wider loads than the callee's stores, which store forwarding cannot
        // serve: a stall of ~5 ns per call (`sincos` returning `(s, c)` in a loop: its
        // gradient 1.48× the same loop inlined, 1.08× with this; `benches/constructs.rs`).
        // SAFETY: the buffer holds at least (len + 1) * size bytes (checked above); the offset
        // len * size is a multiple of size, hence of T's alignment, from a 16-aligned base (FITS).
        unsafe { std::ptr::write_volatile(self.slot(self.len), value) };
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
        if self.len == 0 {
            super::__private::underflow();
        }
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
        if !words.is_empty() && keep(words.capacity() * 16) {
            let _ = BYTES.try_with(|p| p.borrow_mut().push(words));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{AnyStack, Stack, trip_count};
    use crate::__private::pop;
    use std::rc::Rc;

    #[test]
    fn a_float_stack_returns_what_a_loop_pushed_into_its_reserved_room() {
        let mut stack = Stack::<f64>::new();
        stack.push(-1.0);
        let iter = (0..40).rev().step_by(3);
        stack.reserve(trip_count(&iter));
        for i in iter {
            stack.push_reserved(i as f64);
        }
        for i in (0..40).rev().step_by(3).collect::<Vec<_>>().into_iter().rev() {
            assert_eq!(pop(&mut stack), i as f64);
        }
        assert_eq!(pop(&mut stack), -1.0);
    }

    #[test]
    fn a_loop_history_written_as_a_slice_is_read_back_as_one() {
        let mut stack = Stack::<f64>::new();
        stack.push(-1.0);
        for round in 0..3 {
            let history = stack.room(5);
            let mut at = 0;
            for i in 0..5 {
                at += 1;
                history[at - 1] = (10 * round + i) as f64;
            }
            stack.commit(at);
        }
        for round in (0..3).rev() {
            let history = stack.pop_slice(5);
            assert_eq!(history, [0.0, 1.0, 2.0, 3.0, 4.0].map(|i| i + 10.0 * round as f64));
        }
        assert_eq!(pop(&mut stack), -1.0);
    }

    #[test]
    #[should_panic(expected = "underflow")]
    fn taking_more_history_than_was_pushed_panics() {
        let mut stack = Stack::<f64>::new();
        stack.push(1.0);
        stack.pop_slice(2);
    }

    #[test]
    #[should_panic(expected = "past the room reserved")]
    fn pushing_past_the_reserved_room_panics() {
        let mut stack = Stack::<f32>::new();
        for i in 0..1000 {
            stack.push_reserved(i as f32);
        }
    }

    #[test]
    #[should_panic(expected = "underflow")]
    fn popping_an_empty_float_stack_panics() {
        let mut stack = Stack::<f64>::new();
        stack.push(1.0);
        pop(&mut stack);
        pop(&mut stack);
    }

    #[test]
    fn inclusive_and_stepped_ranges_count_their_iterations() {
        assert_eq!(trip_count(&(3..=7)), 5);
        assert_eq!(trip_count(&(0..10).step_by(4)), 3);
        let (start, end) = (5, 2);
        assert_eq!(trip_count(&(start..end)), 0);
    }

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
    fn values_pushed_into_reserved_room_come_back() {
        let mut stack = AnyStack::new();
        stack.reserve(50);
        for i in 0..50u32 {
            stack.push_reserved((i, vec![i; 3]));
        }
        for i in (0..50u32).rev() {
            assert_eq!(pop(&mut stack), (i, vec![i; 3]));
        }
    }

    #[test]
    #[should_panic(expected = "past the room reserved")]
    fn pushing_any_value_past_the_reserved_room_panics() {
        let mut stack = AnyStack::new();
        for i in 0..1000u64 {
            stack.push_reserved(i);
        }
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
