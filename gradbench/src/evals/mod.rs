//! One module per GradBench eval, each with a `prepare(function, input)` that parses the
//! input (untimed) and returns the function ready to run.

use crate::json::{Json, Result};
use crate::task::Boxed;

pub mod ba;
pub mod det;
pub mod gmm;
pub mod hello;
pub mod ht;
pub mod kmeans;
pub mod llsq;
pub mod lse;
pub mod lstm;
pub mod ode;
pub mod particle;
pub mod saddle;
pub mod solver;

/// The evals this tool answers `define` for.
pub const MODULES: &[&str] =
    &["hello", "lse", "llsq", "det", "ode", "kmeans", "gmm", "lstm", "ba", "ht", "particle", "saddle"];

/// `function` of eval `module` on `input`, parsed and ready to run.
pub fn prepare(module: &str, function: &str, input: &Json) -> Result<Boxed> {
    match module {
        "hello" => hello::prepare(function, input),
        "lse" => lse::prepare(function, input),
        "llsq" => llsq::prepare(function, input),
        "det" => det::prepare(function, input),
        "ode" => ode::prepare(function, input),
        "kmeans" => kmeans::prepare(function, input),
        "gmm" => gmm::prepare(function, input),
        "lstm" => lstm::prepare(function, input),
        "ba" => ba::prepare(function, input),
        "ht" => ht::prepare(function, input),
        "particle" => particle::prepare(function, input),
        "saddle" => saddle::prepare(function, input),
        _ => Err(format!("chainrule has no eval `{module}`")),
    }
}

pub(crate) fn unknown(module: &str, function: &str) -> String {
    format!("eval `{module}` has no function `{function}`")
}
