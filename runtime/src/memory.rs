//! The memory reverse mode keeps between calls.
//!
//! A gradient whose loops keep history (values its adjoint reads back, the pullbacks of
//! calls in a loop) takes the buffers for it from a pool of its thread and gives them back
//! when it returns, so a training loop that calls it again allocates nothing. The pool of
//! each thread keeps at most [`limit`] bytes (64 MiB unless [`set_limit`] says otherwise):
//! a larger buffer, such as the history of a 10⁷-step loop, is freed when the gradient
//! returns. [`release`] frees what a thread's pool keeps now.
//!
//! ```
//! use chainrule_runtime::memory;
//!
//! memory::release();
//! assert_eq!(memory::kept(), 0);
//! let previous = memory::set_limit(1 << 20); // keep at most 1 MiB on this thread
//! assert_eq!(previous, memory::DEFAULT_LIMIT);
//! memory::set_limit(previous);
//! ```

/// The limit of every thread that has not set its own: 64 MiB.
pub const DEFAULT_LIMIT: usize = crate::stack::DEFAULT_LIMIT;

/// Frees every history buffer the calling thread's pool keeps. Gradients called afterwards
/// allocate their buffers again.
pub fn release() {
    crate::stack::release();
}

/// How many bytes of history buffers the calling thread's pool keeps now.
pub fn kept() -> usize {
    crate::stack::KEPT.with(std::cell::Cell::get)
}

/// The most the calling thread's pool keeps, in bytes.
pub fn limit() -> usize {
    crate::stack::LIMIT.with(std::cell::Cell::get)
}

/// Sets the most the calling thread's pool keeps, in bytes, and returns the previous limit.
/// `0` keeps nothing (every gradient allocates its history); a lower limit than what is kept
/// now frees the pool.
pub fn set_limit(bytes: usize) -> usize {
    let previous = crate::stack::LIMIT.with(|l| l.replace(bytes));
    if kept() > bytes {
        release();
    }
    previous
}
