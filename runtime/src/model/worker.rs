//! The training pass's second thread, started once and kept for the model's life. Starting
//! a thread for every pass (`std::thread::scope`, a spawn and a join) costs about 60 µs on
//! the 2-vCPU machine this was measured on: 7% of a 784-128-10 step at batch 256 on two
//! threads (`benches/threads.rs`).
//!
//! [`Worker::scope`] runs one job on the thread and another on the caller's, as
//! `std::thread::scope` with one spawned thread does: the job may borrow the caller's data,
//! because `scope` neither returns nor unwinds before the thread has finished the job and
//! dropped it.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, PoisonError};
use std::thread::{self, JoinHandle};

type Job = Box<dyn FnOnce() + Send + 'static>;

pub(super) struct Worker {
    jobs: Option<Sender<Job>>,
    /// Each job's outcome, in order; behind a mutex, so that a model stays `Sync`.
    done: Mutex<Receiver<thread::Result<()>>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread.
    pub(super) fn new() -> Self {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (report, done) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("chainrule-training".into())
            .spawn(move || {
                for job in inbox {
                    // The job is consumed, so dropped, before its outcome is reported.
                    let outcome = panic::catch_unwind(AssertUnwindSafe(job));
                    if report.send(outcome).is_err() {
                        break;
                    }
                }
            })
            .expect("chainrule: could not start the training pass's second thread");
        Worker { jobs: Some(jobs), done: Mutex::new(done), thread: Some(thread) }
    }

    /// Runs `job` on the worker and `here` on this thread, and returns `here`'s result once
    /// both have finished. A panic of either is resumed here, after both have finished
    /// (`here`'s first).
    pub(super) fn scope<'a, R>(&self, job: impl FnOnce() + Send + 'a, here: impl FnOnce() -> R) -> R {
        let done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
        let job: Box<dyn FnOnce() + Send + 'a> = Box::new(job);
        // SAFETY: only the lifetime of the trait object changes. The job may borrow data of
        // lifetime 'a; it runs on the worker only, and this function does not return or unwind
        // before the worker has reported that job finished (it reports after dropping it):
        // `Outcome::wait` below, or `Outcome`'s drop if `here` unwinds. If the send fails,
        // the job comes back in the error and is dropped here, never run.
        let job: Job = unsafe { std::mem::transmute::<Box<dyn FnOnce() + Send + 'a>, Job>(job) };
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
        assert!(matches!(sent, Some(Ok(()))), "chainrule: the training pass's second thread has stopped");
        let outcome = Outcome { done: &done, waited: false };
        let value = here();
        if let Err(payload) = outcome.wait() {
            panic::resume_unwind(payload);
        }
        value
    }
}

/// The outcome of the job just sent, waited for once.
struct Outcome<'r> {
    done: &'r Receiver<thread::Result<()>>,
    waited: bool,
}

impl Outcome<'_> {
    fn wait(mut self) -> thread::Result<()> {
        self.waited = true;
        self.done.recv().unwrap_or_else(|_| Err(Box::new("chainrule: the training pass's second thread died")))
    }
}

impl Drop for Outcome<'_> {
    /// On unwinding out of `Worker::scope`: the job may still be using what it borrowed.
    fn drop(&mut self) {
        if !self.waited {
            let _ = self.done.recv();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Worker;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::time::Duration;

    #[test]
    fn a_job_borrows_and_both_sides_run() {
        let worker = Worker::new();
        let mut theirs = vec![0; 3];
        let mine = worker.scope(|| theirs.iter_mut().for_each(|v| *v += 2), || 7);
        assert_eq!((mine, theirs), (7, vec![2, 2, 2]));
    }

    #[test]
    fn a_panicking_job_panics_here_and_the_worker_goes_on() {
        let worker = Worker::new();
        let outcome = catch_unwind(AssertUnwindSafe(|| worker.scope(|| panic!("the job"), || 1)));
        let payload = outcome.expect_err("the job panicked");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"the job"));
        let mut seen = 0;
        assert_eq!(worker.scope(|| seen = 5, || 2), 2);
        assert_eq!(seen, 5);
    }

    #[test]
    fn unwinding_here_waits_for_the_job() {
        let worker = Worker::new();
        let mut written = false;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            worker.scope(
                || {
                    std::thread::sleep(Duration::from_millis(50));
                    written = true;
                },
                || panic!("here"),
            )
        }));
        assert!(outcome.is_err());
        // The job finished before the panic left `scope`: its borrow ended there.
        assert!(written);
    }
}
