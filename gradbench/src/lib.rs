//! chainrule as a GradBench tool. GradBench's evals send JSON messages on stdin, one per
//! line (`start`, `define`, `evaluate`, `analysis`); the tool answers each on stdout and
//! reports how long each run of the function took (`protocol`). Each eval is a module of
//! `evals`, written the way GradBench's C++ reference writes it, differentiated by
//! `#[differentiable]`.

pub mod evals;
pub mod json;
pub mod protocol;
pub mod task;
