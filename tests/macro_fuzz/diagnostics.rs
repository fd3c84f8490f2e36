//! Reading cargo's human-readable output: the diagnostics, where they point, and which are
//! chainrule's own.
//!
//! A message is ours if its text is one the macros or the runtime's `on_unimplemented`
//! attributes write: the string literals of `macros/src/**.rs` and `runtime/src/__private.rs`,
//! read when the test runs, so the catalogue follows any edit to the messages. Format
//! placeholders (`{}`, `{name}`) match anything. Only errors without a code (a
//! `compile_error!`) or with E0277 (`on_unimplemented`) can be ours; a code-less error that
//! is not in the catalogue is a parser's: syn's inside the macro, or rustc's before it.

use std::path::Path;

#[derive(Clone)]
pub struct Diagnostic {
    pub error: bool,
    pub code: Option<String>,
    /// The first line, after `error[E0308]: `.
    pub message: String,
    /// The primary span's file and line.
    pub file: Option<String>,
    pub line: Option<usize>,
    /// The whole block, as cargo printed it.
    pub text: String,
}

/// The diagnostics in cargo's output, without cargo's own summary lines.
pub fn parse(stderr: &str) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    for line in stderr.lines() {
        if let Some(d) = header(line) {
            out.push(d);
        } else if let Some(d) = out.last_mut() {
            // The first location is the primary span's; later ones are notes'.
            if d.file.is_none()
                && let Some(loc) = line.trim_start().strip_prefix("--> ")
            {
                let mut parts = loc.rsplitn(3, ':');
                let (_col, line_no, file) = (parts.next(), parts.next(), parts.next());
                d.line = line_no.and_then(|l| l.parse().ok());
                d.file = file.map(str::to_string);
            }
            d.text.push_str(line);
            d.text.push('\n');
        }
    }
    out.retain(|d| !is_summary(&d.message));
    out
}

/// `error[E0308]: message` or `warning: message`, at the start of a line.
fn header(line: &str) -> Option<Diagnostic> {
    let (error, rest) =
        if let Some(rest) = line.strip_prefix("error") { (true, rest) } else { (false, line.strip_prefix("warning")?) };
    let (code, message) = if let Some(rest) = rest.strip_prefix('[') {
        let (code, message) = rest.split_once("]: ")?;
        (Some(code.to_string()), message)
    } else {
        (None, rest.strip_prefix(": ")?)
    };
    let text = format!("{line}\n");
    Some(Diagnostic { error, code, message: message.to_string(), file: None, line: None, text })
}

fn is_summary(message: &str) -> bool {
    ["could not compile", "aborting due to", "build failed", "generated "].iter().any(|s| message.starts_with(s))
}

/// A proc macro's panic, as rustc reports it for each kind of macro.
pub fn is_macro_panic(d: &Diagnostic) -> bool {
    ["custom attribute panicked", "proc macro panicked", "proc-macro derive panicked"].contains(&d.message.as_str())
}

/// Signs that the compiler itself failed: an internal error, a panic, a crash.
pub fn compiler_failure(stderr: &str) -> Option<&'static str> {
    let signs = [
        ("internal compiler error", "internal compiler error"),
        ("the compiler unexpectedly panicked", "internal compiler error"),
        ("thread 'rustc' panicked", "internal compiler error"),
        ("has overflowed its stack", "stack overflow"),
        ("(signal: ", "compiler killed by a signal"),
    ];
    signs.iter().find(|(sign, _)| stderr.contains(sign)).map(|(_, what)| *what)
}

/// Our messages, as patterns: the fixed parts between format placeholders.
pub struct Catalogue(Vec<Vec<String>>);

impl Catalogue {
    pub fn load(workspace: &Path) -> Self {
        let mut files = Vec::new();
        rust_files(&workspace.join("macros/src"), &mut files);
        files.push(workspace.join("runtime/src/__private.rs"));
        let mut patterns = Vec::new();
        for file in files {
            let source = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
            for literal in string_literals(&source) {
                let parts = split_placeholders(&literal);
                // Sentences only: a short literal (`"_grad"`, `"{}"`) would match too much.
                if parts.iter().map(String::len).sum::<usize>() >= 12 && literal.contains(' ') {
                    patterns.push(parts);
                }
            }
        }
        assert!(patterns.len() > 50, "found only {} messages in the macro sources", patterns.len());
        Catalogue(patterns)
    }

    pub fn is_ours(&self, d: &Diagnostic) -> bool {
        let candidate = d.code.is_none() || d.code.as_deref() == Some("E0277");
        candidate && self.0.iter().any(|p| matches(p, &d.message))
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The contents of the string literals in Rust source, with escapes resolved (`\"`, `\n`, and
/// a line continuation `\` + newline + indentation). Comments and char literals are skipped
/// so that a quote in them does not start a string.
fn string_literals(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' if chars.get(i + 2) == Some(&'\'') || chars.get(i + 1) == Some(&'\\') => {
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                        match chars.get(i) {
                            Some('n') => s.push('\n'),
                            Some('\n') => {
                                while chars.get(i + 1).is_some_and(|c| c.is_whitespace()) {
                                    i += 1;
                                }
                            }
                            Some(&c) => s.push(c),
                            None => {}
                        }
                    } else {
                        s.push(chars[i]);
                    }
                    i += 1;
                }
                i += 1;
                out.push(s);
            }
            _ => i += 1,
        }
    }
    out
}

/// `"`{}` is a constant"` -> ["`", "` is a constant"]: a placeholder is `{` to the next `}`.
fn split_placeholders(literal: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = literal.chars();
    while let Some(c) = chars.next() {
        if c == '{' {
            for d in chars.by_ref() {
                if d == '}' {
                    break;
                }
            }
            parts.push(String::new());
        } else {
            parts.last_mut().unwrap().push(c);
        }
    }
    parts
}

/// Whether `text` is the parts with anything between them.
fn matches(parts: &[String], text: &str) -> bool {
    let (first, rest) = parts.split_first().unwrap();
    let Some(mut text) = text.strip_prefix(first.as_str()) else { return false };
    let Some((last, middle)) = rest.split_last() else { return text.is_empty() };
    for part in middle {
        match text.find(part.as_str()) {
            Some(at) => text = &text[at + part.len()..],
            None => return false,
        }
    }
    text.ends_with(last.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_match_anything() {
        let parts = split_placeholders("`{}` is a constant parameter; it has {0} derivative");
        assert!(matches(&parts, "`n` is a constant parameter; it has no derivative"));
        assert!(!matches(&parts, "`n` is a constant parameter"));
        assert!(matches(&split_placeholders("no placeholder here"), "no placeholder here"));
        assert!(!matches(&split_placeholders("no placeholder here"), "no placeholder here, really"));
    }

    #[test]
    fn reads_cargo_output() {
        let stderr = "error[E0308]: mismatched types\n  --> src/lib.rs:12:5\n   |\nerror: ours\n --> src/lib.rs:3:1\n\
                      error: could not compile `x` (lib) due to 2 previous errors\n";
        let d = parse(stderr);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].code.as_deref(), d[0].line), (Some("E0308"), Some(12)));
        assert_eq!((d[1].message.as_str(), d[1].file.as_deref()), ("ours", Some("src/lib.rs")));
    }

    /// As rustc 1.95 prints them (`custom attribute panicked` for attributes, `proc macro
    /// panicked` for bang macros).
    #[test]
    fn recognises_panics_and_crashes() {
        let stderr = "error: custom attribute panicked\n --> src/lib.rs:2:5\n  |\n  = help: message: boom\n\n\
                      error: proc macro panicked\n --> src/lib.rs:6:5\n";
        let d = parse(stderr);
        assert!(d.iter().all(is_macro_panic) && d.len() == 2);
        assert!(d[0].text.contains("message: boom"));
        assert_eq!(compiler_failure(stderr), None);
        let ice = "error: internal compiler error: compiler/rustc_middle/src/ty/mod.rs:1: oops\n\
                   thread 'rustc' panicked at compiler/rustc_middle/src/ty/mod.rs:1:1:\n";
        assert_eq!(compiler_failure(ice), Some("internal compiler error"));
    }

    #[test]
    fn reads_literals() {
        let lits = string_literals("let c = '\"'; // \"not this\"\nerr(\"a \\\"b\\\" \\\n    c\");");
        assert_eq!(lits, vec!["a \"b\" c".to_string()]);
    }
}
