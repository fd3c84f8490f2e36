//! The report: what compiled, what chainrule refused with its own messages, and the rustc
//! errors that are not ours, grouped so that each group is one thing to fix (or to accept).

use crate::Outcome;
use crate::diagnostics::{Catalogue, Diagnostic};
use crate::generator::{Case, Expect};
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq)]
pub enum Verdict {
    Accepted,
    /// At least one error is one of our messages.
    Ours,
    NotOurs,
}

struct Row<'a> {
    case: &'a Case,
    outcome: &'a Outcome,
    verdict: Verdict,
    /// The errors that are not ours.
    foreign: Vec<&'a Diagnostic>,
}

pub struct Summary<'a> {
    rows: Vec<Row<'a>>,
}

/// The lines of an example's error shown.
const ERROR_LINES: usize = 14;

impl<'a> Summary<'a> {
    pub fn new(cases: &'a [Case], outcomes: &'a [Outcome], catalogue: &Catalogue) -> Self {
        let rows = cases
            .iter()
            .zip(outcomes)
            .map(|(case, outcome)| {
                let foreign: Vec<&Diagnostic> = outcome.errors.iter().filter(|d| !catalogue.is_ours(d)).collect();
                let verdict = if outcome.errors.is_empty() {
                    Verdict::Accepted
                } else if foreign.len() < outcome.errors.len() {
                    Verdict::Ours
                } else {
                    Verdict::NotOurs
                };
                Row { case, outcome, verdict, foreign }
            })
            .collect();
        Summary { rows }
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.rows.iter().filter(|r| r.verdict == verdict).count()
    }

    pub fn render(&self, unattributed: &[Diagnostic]) -> String {
        let mut s = String::new();
        let also = self.rows.iter().filter(|r| r.verdict == Verdict::Ours && !r.foreign.is_empty()).count();
        let _ = writeln!(
            s,
            "\n==== macro fuzz: {} cases: {} accepted, {} refused with our messages ({also} of them with other \
             errors besides), {} refused only by errors that are not ours\n",
            self.rows.len(),
            self.count(Verdict::Accepted),
            self.count(Verdict::Ours),
            self.count(Verdict::NotOurs)
        );
        self.families(&mut s);
        self.unexpected(&mut s);
        self.not_ours(&mut s, false);
        self.alongside(&mut s);
        self.not_ours(&mut s, true);
        self.stopping(&mut s);
        if !unattributed.is_empty() {
            let _ = writeln!(s, "---- {} errors outside every case:", unattributed.len());
            for d in unattributed {
                let _ = writeln!(s, "{}", clip(&d.text));
            }
        }
        s
    }

    fn families(&self, s: &mut String) {
        let mut by: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
        for r in &self.rows {
            let i = match r.verdict {
                Verdict::Accepted => 0,
                Verdict::Ours => 1,
                Verdict::NotOurs => 2,
            };
            by.entry(r.case.family).or_default()[i] += 1;
        }
        let _ = writeln!(s, "{:<14} {:>9} {:>6} {:>9}", "family", "accepted", "ours", "not ours");
        for (family, [a, o, n]) in by {
            let _ = writeln!(s, "{family:<14} {a:>9} {o:>6} {n:>9}");
        }
        s.push('\n');
    }

    /// Valid forms that did not compile, and invalid ones that did.
    fn unexpected(&self, s: &mut String) {
        let groups = |want: Expect, bad: fn(Verdict) -> bool| {
            let mut by: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
            for r in self.rows.iter().filter(|r| r.case.expect == want && bad(r.verdict)) {
                by.entry(r.case.construct.as_str()).or_default().push(r);
            }
            by
        };
        let refused = groups(Expect::Accept, |v| v != Verdict::Accepted);
        let accepted = groups(Expect::Refuse, |v| v == Verdict::Accepted);
        let total = |g: &BTreeMap<&str, Vec<&Row>>| g.values().map(Vec::len).sum::<usize>();
        let _ = writeln!(s, "---- valid forms that were refused: {} cases", total(&refused));
        for (construct, rows) in &refused {
            let r = shortest(rows);
            let first = r.outcome.errors.first().map_or("", |d| d.text.as_str());
            let _ = writeln!(
                s,
                "[{construct}] x{}, e.g. {}:\n{}\n{}",
                rows.len(),
                r.case.name,
                indent(&r.case.source),
                clip(first)
            );
        }
        let _ = writeln!(s, "---- invalid forms that compiled: {} cases", total(&accepted));
        for (construct, rows) in &accepted {
            let r = shortest(rows);
            let _ = writeln!(s, "[{construct}] x{}, e.g. {}:\n{}", rows.len(), r.case.name, indent(&r.case.source));
        }
        s.push('\n');
    }

    /// Cases refused only by errors that are not ours, by error: the to-do list. Mutations
    /// are listed apart, since many of theirs are rustc's syntax errors before any macro ran.
    fn not_ours(&self, s: &mut String, mutations: bool) {
        let rows: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::NotOurs && (r.case.family == "mutation") == mutations)
            .collect();
        let mut by: BTreeMap<String, Vec<(&Row, &Diagnostic)>> = BTreeMap::new();
        for r in &rows {
            let mut seen = Vec::new();
            for d in &r.foreign {
                let key = key(d);
                if !seen.contains(&key) {
                    seen.push(key.clone());
                    by.entry(key).or_default().push((r, d));
                }
            }
        }
        let mut groups: Vec<_> = by.into_iter().collect();
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let what = if mutations { "token mutations" } else { "generated cases (mutations apart)" };
        let _ = writeln!(s, "---- not ours, {what}: {} cases, by error", rows.len());
        for (key, hits) in &groups {
            let mut messages: BTreeMap<String, usize> = BTreeMap::new();
            let mut constructs: BTreeMap<&str, usize> = BTreeMap::new();
            for (r, d) in hits {
                *messages.entry(normalise(&d.message)).or_default() += 1;
                *constructs.entry(r.case.construct.as_str()).or_default() += 1;
            }
            let _ = writeln!(s, "== {key}: {} cases", hits.len());
            let mut messages: Vec<_> = messages.into_iter().collect();
            messages.sort_by_key(|m| std::cmp::Reverse(m.1));
            for (m, n) in messages.iter().take(4) {
                let _ = writeln!(s, "   {n:>4} x {m}");
            }
            let mut constructs: Vec<_> = constructs.into_iter().collect();
            constructs.sort_by_key(|c| std::cmp::Reverse(c.1));
            let list: Vec<String> = constructs.iter().take(6).map(|(c, n)| format!("{c} ({n})")).collect();
            let _ = writeln!(s, "   from: {}", list.join(", "));
            if mutations {
                continue;
            }
            let (r, d) = hits.iter().min_by_key(|(r, _)| r.case.source.len()).unwrap();
            let _ = writeln!(
                s,
                "   e.g. {} [{}]:\n{}\n{}",
                r.case.name,
                r.case.construct,
                indent(&r.case.source),
                clip(&d.text)
            );
        }
        s.push('\n');
    }

    /// Errors that are not ours in cases refused by ours too: mostly rustc checking the
    /// user's own (invalid) function, which the macro emits unchanged beside its error.
    fn alongside(&self, s: &mut String) {
        let mut by: BTreeMap<String, (usize, &Row)> = BTreeMap::new();
        for r in self.rows.iter().filter(|r| r.verdict == Verdict::Ours && r.case.family != "mutation") {
            for d in &r.foreign {
                let e = by.entry(key(d)).or_insert((0, r));
                e.0 += 1;
                if r.case.source.len() < e.1.case.source.len() {
                    e.1 = r;
                }
            }
        }
        let _ = writeln!(s, "---- errors that are not ours beside ours (not mutations), by error:");
        let mut groups: Vec<_> = by.into_iter().collect();
        groups.sort_by_key(|g| std::cmp::Reverse(g.1.0));
        for (key, (n, r)) in groups {
            let _ = writeln!(s, "   {n:>4} x {key}   (e.g. {} [{}])", r.case.name, r.case.construct);
        }
        s.push('\n');
    }

    fn stopping(&self, s: &mut String) {
        for r in self.rows.iter().filter(|r| r.outcome.stops_rustc) {
            let _ = writeln!(
                s,
                "---- {} [{}] stops rustc before type checking:\n{}",
                r.case.name,
                r.case.construct,
                indent(&r.case.source)
            );
        }
    }
}

/// How an error is grouped: its code, or for a code-less one (a syntax error: syn's inside
/// the macro, or rustc's) its message with the quoted parts elided.
fn key(d: &Diagnostic) -> String {
    match &d.code {
        Some(code) => code.clone(),
        None => format!("no code: {}", normalise(&d.message)),
    }
}

/// `expected `,`, found `x`` -> `expected `..`, found `..``: one group for one kind of error.
fn normalise(message: &str) -> String {
    let mut out = String::new();
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        out.push_str(if i % 2 == 1 { ".." } else { part });
    }
    out
}

fn shortest<'r, 'a>(rows: &[&'r Row<'a>]) -> &'r Row<'a> {
    rows.iter().min_by_key(|r| r.case.source.len()).unwrap()
}

fn indent(source: &str) -> String {
    source.lines().map(|l| format!("      | {l}\n")).collect()
}

/// The first lines of an error, indented.
fn clip(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: String = lines.iter().take(ERROR_LINES).map(|l| format!("      {l}\n")).collect();
    if lines.len() > ERROR_LINES {
        let _ = writeln!(out, "      ... ({} more lines)", lines.len() - ERROR_LINES);
    }
    out
}
