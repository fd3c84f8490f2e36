//! GradBench's protocol (its CONTRIBUTING.md, "Protocol"): one JSON message per line in,
//! one JSON answer per line out, with the message's `id`; EOF ends the session.

use crate::evals;
use crate::json::Json;
use std::io::{BufRead, Write};

pub fn serve(input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = answer(&line);
        output.write_all(answer.as_bytes())?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
    Ok(())
}

/// The answer to one message, as a line of JSON.
pub fn answer(line: &str) -> String {
    let message = match Json::parse(line) {
        Ok(m) => m,
        Err(e) => {
            return Json::obj([("id", Json::Null), ("success", Json::Bool(false)), ("error", Json::Str(e))]).to_line();
        }
    };
    let id = message.get("id").cloned().unwrap_or(Json::Null);
    let kind = message.get("kind").and_then(Json::str).unwrap_or("");
    let reply = match kind {
        "start" => Json::obj([("id", id), ("tool", Json::Str("chainrule".into()))]),
        "define" => match message.get("module").and_then(Json::str) {
            Ok(m) if evals::MODULES.contains(&m) => Json::obj([("id", id), ("success", Json::Bool(true))]),
            Ok(m) => failure(id, format!("chainrule has no eval `{m}`")),
            Err(e) => failure(id, e),
        },
        "evaluate" => match evaluate(&message) {
            Ok((output, times)) => {
                let timings = times
                    .into_iter()
                    .map(|ns| {
                        Json::obj([("name", Json::Str("evaluate".into())), ("nanoseconds", Json::Num(ns as f64))])
                    })
                    .collect();
                Json::obj([
                    ("id", id),
                    ("success", Json::Bool(true)),
                    ("output", output),
                    ("timings", Json::Arr(timings)),
                ])
            }
            Err(e) => failure(id, e),
        },
        _ => Json::obj([("id", id)]),
    };
    reply.to_line()
}

fn failure(id: Json, error: String) -> Json {
    Json::obj([("id", id), ("success", Json::Bool(false)), ("error", Json::Str(error))])
}

fn evaluate(message: &Json) -> crate::json::Result<(Json, Vec<u64>)> {
    let (module, function) = (message.get("module")?.str()?, message.get("function")?.str()?);
    let input = message.get("input")?;
    let min_runs = input.get("min_runs").and_then(Json::usize).unwrap_or(1);
    let min_seconds = input.get("min_seconds").and_then(Json::num).unwrap_or(0.0);
    let mut task = evals::prepare(module, function, input)?;
    Ok(task.measure(min_runs, min_seconds))
}
