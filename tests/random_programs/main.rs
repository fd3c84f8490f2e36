//! Random programs: `generator.rs` writes N functions from the grammar `#[differentiable]`
//! supports (lets, arithmetic, float methods, runtime primitives, branches, `match`,
//! `matches!`, `cfg!`, nested `for`/`while`/`loop` with accumulators and recurrences,
//! `break`/`continue`, slice, array, `mut` and `#[no_grad]` parameters, integer counters,
//! local arrays and vectors with element writes, `stop_gradient`, calls to differentiable
//! helpers with slices, constants for `#[no_grad]` parameters and `&mut [f64]` outputs, and
//! scalar, array, tuple and `&mut [f64]` results) into a crate under
//! `target/random-programs/`, which `harness.rs` checks against finite differences and between
//! modes.
//!
//! The programs must be compiled to be tested, so this test runs cargo on the generated crate.
//! Its dependencies resolve from the workspace's own lockfile (`--offline`), and it has a target
//! directory of its own that persists, so only the first run compiles `syn` and the macro. The
//! programs are split into binaries of at most [`BATCH`] each, which cargo builds in parallel.
//!
//! `CHAINRULE_RANDOM_SEED=<u64>` draws other programs; program `pN` depends only on the seed and
//! N. `CHAINRULE_RANDOM_PROGRAMS=<n>` checks more (default [`DEFAULT_PROGRAMS`]). A deep run,
//! 10,000 programs, takes 12 to 16 minutes on 2 cores (the build; checking takes seconds):
//!
//! ```text
//! CHAINRULE_RANDOM_PROGRAMS=10000 CHAINRULE_RANDOM_SEED=1 cargo test --test random_programs -- --nocapture
//! ```
//!
//! `--release` would only optimise this test's own generator; the generated crate is always
//! built unoptimised, which compiles fastest. On a failure the message shows each failing
//! program's source and what was wrong, and the command that reruns just those programs:
//! `CHAINRULE_RANDOM_ONLY=17,204 CHAINRULE_RANDOM_SEED=<seed>` (seconds, not minutes). A
//! program that does not compile is reported, and the others of its binary are still checked.

mod generator;
mod harness;

use chainrule::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const DEFAULT_PROGRAMS: usize = 300;
const DEFAULT_SEED: u64 = 0x0C4A_1A7E;

/// At most this many programs per generated binary (`CHAINRULE_RANDOM_BATCH` to change it).
/// rustc takes about 0.16 s per program whatever the size of the crate (measured from 25 to 300
/// programs), but one crate is one rustc, on one core: cargo builds the binaries in parallel.
/// Each also compiles the helpers and the checker, half a second.
const BATCH: usize = 150;

/// Differentiable helpers the programs call: an accumulator and a backwards recurrence over
/// slices, a branch, a hand-written derivative, a constant (`#[no_grad]`) parameter, and calls
/// run for what they write through `&mut [f64]` (`generator/calls.rs` knows what each writes).
const HELPERS: &str = r#"#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

#[differentiable]
fn horner(x: f64, c: &[f64]) -> f64 {
    let mut y = 0.0;
    for i in (0..c.len()).rev() {
        y = y * x + c[i];
    }
    y
}

#[differentiable]
fn soft_norm(a: &[f64]) -> f64 {
    let mut s = 1.0;
    for i in 0..a.len() {
        s += a[i] * a[i];
    }
    s.sqrt()
}

#[differentiable]
fn bump(x: f64, y: f64) -> f64 {
    if x > y { (x - y).tanh() * y } else { (x * y).sin() }
}

#[differentiable]
fn bump_pair(p: (f64, f64)) -> f64 {
    bump(p.0, p.1) + 0.5 * p.1
}

#[derivative(x = 1.0 / ((1.0 + x.abs()) * (1.0 + x.abs())))]
fn softsign(x: f64) -> f64 {
    x / (1.0 + x.abs())
}

#[differentiable]
fn damp(x: f64, #[no_grad] c: f64) -> f64 {
    (x * c).tanh() + c * x
}

#[differentiable]
fn sq_out(x: f64, w: f64, out: &mut [f64]) {
    out[0] = x * w;
    out[1] = x * x * w;
}

/// Reads what it writes.
#[differentiable]
fn mix_out(x: f64, out: &mut [f64]) {
    out[0] += x;
    out[1] = (out[1] * x + out[0]).tanh();
}

/// Passes its own output on to another helper.
#[differentiable]
fn chain_out(x: f64, out: &mut [f64]) {
    sq_out(x, x.sin(), out);
    out[1] += x;
}

#[differentiable]
fn decay_out(x: f64, out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = out[i] * x.cos() + 0.1 * x;
    }
}

#[differentiable]
fn spread_out(a: f64, xs: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] += a * xs[i % xs.len()];
    }
}

/// The array is its only input.
#[differentiable]
fn smooth_out(out: &mut [f64]) {
    for i in 1..out.len() {
        out[i] = 0.5 * (out[i] + out[i - 1]);
    }
}
"#;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(s) => s.trim().parse().unwrap_or_else(|_| panic!("{name}={s:?} is not a number")),
        Err(_) => default,
    }
}

/// Writes `contents` unless the file already holds it, so that an unchanged crate is not
/// rebuilt.
fn write(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(contents) {
        std::fs::write(path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

/// One generated binary and the programs it checks.
struct Batch {
    name: String,
    /// Its programs, as positions in the list of programs generated.
    members: Vec<usize>,
    /// The line range each of its programs occupies in its source.
    lines: Vec<(usize, usize)>,
}

/// A binary's source, and the line range each program occupies in it.
fn batch_rs(programs: &[&generator::Program], numbers: &[usize], seed: u64) -> (String, Vec<(usize, usize)>) {
    let mut s = String::from(
        "//! Generated by tests/random_programs/main.rs: do not edit.\n#![allow(unused, clippy::all)]\n\n\
         #[path = \"../harness.rs\"]\nmod harness;\n\nuse chainrule::prelude::*;\nuse harness::{Case, arr, flat, sg};\n\n",
    );
    s.push_str(HELPERS);
    let mut lines = Vec::new();
    let mut end = s.lines().count();
    for p in programs {
        let module = format!("\nmod {} {{\n{}}}\n", p.name, p.module);
        let start = end + 1;
        end += module.lines().count();
        lines.push((start, end));
        s.push_str(&module);
    }
    let cases: Vec<String> = programs.iter().map(|p| format!("{}::CASE", p.name)).collect();
    let _ = writeln!(
        s,
        "\nfn main() {{\n    let cases = [{}];\n    if !harness::run(&cases, {seed}, &{numbers:?}) {{\n        \
         std::process::exit(1);\n    }}\n}}",
        cases.join(", ")
    );
    (s, lines)
}

/// The generated package, under the workspace's target directory (found from the scratch
/// directory cargo gives integration tests, so that `CARGO_TARGET_DIR` is respected), without
/// its binaries yet. Returns its directory, its name and the target directory.
fn project(count: &str, seed: u64) -> (PathBuf, String, PathBuf) {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("random-programs");
    // One directory and package per (count or `only`, seed), so runs with different settings cannot
    // overwrite each other's sources; all share one target directory, where the binaries are
    // named after the package for the same reason.
    let name = format!("random-programs-{count}-{seed}");
    let dir = base.join(&name);
    std::fs::create_dir_all(dir.join("src/bin")).unwrap();
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nchainrule = {{ path = {:?} }}\n\n# Not a member of the chainrule workspace above it.\n[workspace]\n\n\
         # Built once per change and run once: debug info and incremental state would only slow it.\n\
         [profile.dev]\ndebug = false\nincremental = false\n",
        env!("CARGO_MANIFEST_DIR")
    );
    write(&dir.join("Cargo.toml"), &manifest);
    // The workspace's lockfile pins every version the generated crate needs, so that no
    // registry is consulted (cargo prunes what the crate does not use). Copied on every run:
    // an old copy could name versions that are no longer downloaded.
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    write(&dir.join("src/harness.rs"), include_str!("harness.rs"));
    (dir, name, base.join("target"))
}

/// The programs in equal batches of at most `CHAINRULE_RANDOM_BATCH` (300 programs are two
/// binaries of 150, not 150, 100 and 50), one binary each, named after the package.
fn batches(count: usize, package: &str) -> Vec<Batch> {
    let batch = env_or("CHAINRULE_RANDOM_BATCH", BATCH).max(1);
    let size = count.div_ceil(count.div_ceil(batch).max(1)).max(1);
    let positions: Vec<usize> = (0..count).collect();
    let chunks = positions.chunks(size).enumerate();
    chunks.map(|(k, n)| Batch { name: format!("{package}-{k}"), members: n.to_vec(), lines: vec![] }).collect()
}

/// Writes each batch's source (and deletes those of batches no longer there, which cargo would
/// build too).
fn write_batches(dir: &Path, batches: &mut [Batch], programs: &[generator::Program], numbers: &[usize], seed: u64) {
    for batch in batches.iter_mut() {
        let members: Vec<&generator::Program> = batch.members.iter().map(|&i| &programs[i]).collect();
        let numbers: Vec<usize> = batch.members.iter().map(|&i| numbers[i]).collect();
        let (source, lines) = batch_rs(&members, &numbers, seed);
        write(&dir.join(format!("src/bin/{}.rs", batch.name)), &source);
        batch.lines = lines;
    }
    for entry in std::fs::read_dir(dir.join("src/bin")).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        if !batches.iter().any(|b| b.name == stem) {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

/// Builds every binary at once (cargo builds them in parallel, and `--keep-going` builds all
/// it can); returns the executables built, by binary name, and the compiler's messages.
fn build(dir: &Path, target: &Path) -> (BTreeMap<String, PathBuf>, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--quiet", "--offline", "--keep-going", "--bins", "--message-format=json-render-diagnostics"])
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("running cargo on the generated crate");
    // One JSON object a line; an artifact with an executable is a binary that was built.
    let executables = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.contains(r#""reason":"compiler-artifact""#))
        .filter_map(|l| {
            let path = l.split(r#""executable":""#).nth(1)?.split('"').next()?;
            let path = PathBuf::from(path);
            Some((path.file_stem()?.to_str()?.to_string(), path))
        })
        .collect();
    (executables, String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The `FAIL` blocks of the checker's output, by program.
fn failures(stdout: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current = None;
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("FAIL ") {
            current = rest.split(':').next().map(str::to_string);
        } else if !line.starts_with("  ") {
            current = None;
        }
        if let Some(name) = &current {
            let block = out.entry(name.clone()).or_default();
            block.push_str(line);
            block.push('\n');
        }
    }
    out
}

/// The programs that compiler errors point into (`--> src/bin/NAME.rs:LINE:COL`), by position.
fn programs_with_errors(stderr: &str, batches: &[Batch]) -> BTreeSet<usize> {
    let located = stderr.lines().filter_map(|l| {
        let (file, rest) = l.trim().strip_prefix("--> src/bin/")?.split_once(".rs:")?;
        Some((file, rest.split(':').next()?.parse::<usize>().ok()?))
    });
    located
        .filter_map(|(file, line)| {
            let batch = batches.iter().find(|b| b.name == file)?;
            let i = batch.lines.iter().position(|&(a, b)| (a..=b).contains(&line))?;
            Some(batch.members[i])
        })
        .collect()
}

/// The checker's `SUMMARY key=value ...` lines added up, field by field.
fn add_summaries(stdout: &str) -> Option<BTreeMap<String, usize>> {
    let mut total: Option<BTreeMap<String, usize>> = None;
    for summary in stdout.lines().filter_map(|l| l.strip_prefix("SUMMARY ")) {
        let total = total.get_or_insert_with(BTreeMap::new);
        for (key, value) in summary.split(' ').filter_map(|kv| kv.split_once('=')) {
            *total.entry(key.to_string()).or_default() += value.parse::<usize>().ok()?;
        }
    }
    total
}

#[test]
fn random_programs() {
    let seed = env_or("CHAINRULE_RANDOM_SEED", DEFAULT_SEED);
    // `CHAINRULE_RANDOM_ONLY=17,204` checks programs p17 and p204 of the seed alone.
    let only: Option<Vec<usize>> = std::env::var("CHAINRULE_RANDOM_ONLY").ok().map(|list| {
        list.split(',').map(|n| n.trim().parse().unwrap_or_else(|_| panic!("CHAINRULE_RANDOM_ONLY={list:?}"))).collect()
    });
    let numbers = only.clone().unwrap_or_else(|| (0..env_or("CHAINRULE_RANDOM_PROGRAMS", DEFAULT_PROGRAMS)).collect());
    let count = numbers.len();
    let started = Instant::now();
    let mut features = BTreeMap::new();
    let programs: Vec<_> = numbers.iter().map(|&i| generator::program(seed, i, &mut features)).collect();
    let label = if only.is_some() { "only".to_string() } else { count.to_string() };
    let (dir, package, target) = project(&label, seed);
    let mut batches = batches(count, &package);
    write_batches(&dir, &mut batches, &programs, &numbers, seed);
    let generated = started.elapsed();

    // A program that does not compile takes its binary with it: the binary is built again
    // without it, so that one compiler error leaves the other programs checked.
    let (mut executables, mut errors) = build(&dir, &target);
    let broken = programs_with_errors(&errors, &batches);
    let failed_to_build = batches.iter().any(|b| !executables.contains_key(&b.name));
    if failed_to_build {
        assert!(!broken.is_empty(), "the generated crate did not build (in {}):\n{errors}", dir.display());
        for batch in &mut batches {
            batch.members.retain(|i| !broken.contains(i));
        }
        batches.retain(|b| !b.members.is_empty());
        write_batches(&dir, &mut batches, &programs, &numbers, seed);
        let (again, more) = build(&dir, &target);
        assert!(
            batches.iter().all(|b| again.contains_key(&b.name)),
            "the generated crate did not build without the programs that do not compile (in {}):\n{more}",
            dir.display()
        );
        executables = again;
    } else {
        errors.clear();
    }
    let built = started.elapsed();

    let (mut stdout, mut stderr, mut success) = (String::new(), String::new(), true);
    for batch in &batches {
        let run = Command::new(&executables[&batch.name]).output().expect("running a generated binary");
        stdout.push_str(&String::from_utf8_lossy(&run.stdout));
        stderr.push_str(&String::from_utf8_lossy(&run.stderr));
        success &= run.status.success();
    }
    println!(
        "{count} programs (seed {seed}) in {} binaries: generated in {generated:.1?}, built in {:.1?}, checked in {:.1?}, \
         in {}",
        batches.len(),
        built - generated,
        started.elapsed() - built,
        dir.display()
    );
    println!("constructs (occurrences): {features:?}");

    let Some(summary) = add_summaries(&stdout) else {
        panic!("the generated binaries did not run to the end:\n{stderr}");
    };
    println!("checker: {summary:?}");
    let unverified: Vec<&str> = stdout.lines().filter(|l| l.starts_with("UNVERIFIED ")).collect();
    if !unverified.is_empty() {
        println!("without a smooth point (their detached values meet their sources):\n{}", unverified.join("\n"));
    }

    let failed = failures(&stdout);
    let mut message = String::new();
    for (i, p) in programs.iter().enumerate() {
        if broken.contains(&i) {
            let _ = writeln!(message, "---- {} does not compile:\n{}", p.name, p.source);
        } else if let Some(block) = failed.get(&p.name) {
            let _ = writeln!(message, "---- {}\n{}\n{block}", p.name, p.source);
        }
    }
    let mut rerun: Vec<String> = broken.iter().map(|&i| numbers[i].to_string()).collect();
    rerun.extend(
        programs.iter().zip(&numbers).filter(|(p, _)| failed.contains_key(&p.name)).map(|(_, n)| n.to_string()),
    );
    assert!(
        success && failed.is_empty() && broken.is_empty(),
        "{} of {count} random programs fail and {} do not compile (rerun them: CHAINRULE_RANDOM_ONLY={} \
         CHAINRULE_RANDOM_SEED={seed}):\n{message}\n{errors}\n{stderr}",
        failed.len(),
        broken.len(),
        rerun.join(","),
    );
    let field = |key: &str| -> usize { *summary.get(key).unwrap_or_else(|| panic!("no {key} in {summary:?}")) };
    assert_eq!(field("programs"), count, "every program was checked");
    let unverified = field("unverified");
    assert!(
        field("smooth") >= harness::POINTS * (count - unverified),
        "every program was compared at smooth points: {summary:?}"
    );
    // A detached value compared with its own source on every path is rare.
    assert!(only.is_some() || unverified <= count / 50 + 1, "too many programs without a smooth point: {summary:?}");

    // Rare constructs may be missing from another seed's programs, not from these.
    if seed == DEFAULT_SEED && count >= DEFAULT_PROGRAMS && only.is_none() {
        let missing: Vec<_> = generator::FEATURES.iter().filter(|f| !features.contains_key(*f)).collect();
        assert!(missing.is_empty(), "no program with {missing:?}: change the seed or the generator's weights");
    }
    let unlisted: Vec<_> = features.keys().filter(|f| !generator::FEATURES.contains(f)).collect();
    assert!(unlisted.is_empty(), "add {unlisted:?} to generator::FEATURES");
}

// ---- The checker itself. ----------------------------------------------------------------------

#[differentiable(graph)]
fn sample(a: f64, xs: &[f64], v: [f64; 2]) -> f64 {
    let mut s = a;
    for i in 0..xs.len() {
        s = (s * xs[i] + v[i % 2]).sin();
    }
    s
}

fn case_eval(p: &[f64]) -> Vec<f64> {
    vec![sample(p[0], &p[1..4], harness::arr(&p[4..]))]
}

fn case_grad(p: &[f64]) -> (f64, Vec<f64>) {
    let (value, gradient) = sample_grad(p[0], &p[1..4], harness::arr(&p[4..]));
    (value, harness::flat(&gradient))
}

fn case_graph(p: &[f64]) -> (Option<f64>, Vec<f64>) {
    let g = sample_graph(p[0], &p[1..4], harness::arr(&p[4..]));
    let node = |label: &str| g.inputs().find(|n| n.op == label).map_or(0.0, |n| n.gradient);
    (g.output().map(|o| o.value), SAMPLE.inputs.iter().map(|l| node(l)).collect())
}

fn case_vjp(p: &[f64], seed: &[f64], init: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut dxs: [f64; 3] = harness::arr(&init[1..]);
    let (value, (da, dv)) = sample_vjp(p[0], &p[1..4], &mut dxs, harness::arr(&p[4..]), seed[0]);
    (vec![value], harness::flat(&(da, dxs, dv)), vec![])
}

fn case_jvp(p: &[f64], dp: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (value, tangent) = sample_jvp(p[0], dp[0], &p[1..4], &dp[1..4], harness::arr(&p[4..]), harness::arr(&dp[4..]));
    (vec![value], vec![tangent])
}

const SAMPLE: harness::Case = harness::Case {
    name: "sample",
    inputs: &["a", "xs[0]", "xs[1]", "xs[2]", "v[0]", "v[1]"],
    shadowed: &[false, true, true, true, false, false],
    outputs: 1,
    eval: case_eval,
    detached: None,
    grad: Some(case_grad),
    graph: Some(case_graph),
    vjp: case_vjp,
    jvp: case_jvp,
};

/// The checker passes the right derivatives and fails each kind of wrong one: a random program
/// whose derivative the macro got wrong cannot pass for want of a sensitive check.
#[test]
fn the_checker_catches_a_wrong_gradient() {
    assert!(harness::run(&[SAMPLE], 1, &[0]), "the true derivatives must pass");

    // One partial of the reverse gradient off by 0.1%.
    fn vjp_off(p: &[f64], s: &[f64], init: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (value, mut g, left) = case_vjp(p, s, init);
        g[2] += 1e-3 * (g[2] - init[2]);
        (value, g, left)
    }
    // A shadow overwritten instead of added into.
    fn vjp_overwrites(p: &[f64], s: &[f64], init: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        case_vjp(p, s, &vec![0.0; init.len()])
    }
    fn grad_off(p: &[f64]) -> (f64, Vec<f64>) {
        let (value, mut g) = case_grad(p);
        g[0] *= 1.001;
        (value, g)
    }
    fn jvp_off(p: &[f64], dp: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (value, t) = case_jvp(p, dp);
        (value, vec![t[0] * 1.001 + 1e-4])
    }
    fn graph_off(p: &[f64]) -> (Option<f64>, Vec<f64>) {
        let (value, mut g) = case_graph(p);
        g[3] *= 1.001;
        (value, g)
    }
    fn value_off(p: &[f64]) -> (f64, Vec<f64>) {
        let (value, g) = case_grad(p);
        (f64::from_bits(value.to_bits() ^ 1), g)
    }
    let wrong = [
        ("vjp", harness::Case { vjp: vjp_off, ..SAMPLE }),
        ("shadow", harness::Case { vjp: vjp_overwrites, ..SAMPLE }),
        ("grad", harness::Case { grad: Some(grad_off), ..SAMPLE }),
        ("jvp", harness::Case { jvp: jvp_off, ..SAMPLE }),
        ("value", harness::Case { grad: Some(value_off), ..SAMPLE }),
        ("graph", harness::Case { graph: Some(graph_off), ..SAMPLE }),
    ];
    for (what, case) in wrong {
        let report = harness::check(&case, 1);
        assert!(!report.failures.is_empty(), "a wrong {what} passed the checker");
    }
}

/// A shift detached by `stop_gradient`, as in a stable log-sum-exp: its derivative is not the
/// derivative of its value.
#[differentiable]
fn shifted(a: f64, xs: &[f64]) -> f64 {
    let m = stop_gradient(a * xs[0]);
    (a - m).exp() * xs[1] + m
}

/// `shifted` as the generator copies it for finite differences: `sg` for `stop_gradient`.
fn shifted_plain(a: f64, xs: &[f64]) -> f64 {
    let m = harness::sg(a * xs[0]);
    (a - m).exp() * xs[1] + m
}

const SHIFTED: harness::Case = harness::Case {
    name: "shifted",
    inputs: &["a", "xs[0]", "xs[1]"],
    shadowed: &[false, true, true],
    outputs: 1,
    eval: |p| vec![shifted(p[0], &p[1..])],
    detached: Some(|p| vec![shifted_plain(p[0], &p[1..])]),
    grad: Some(|p| {
        let (value, gradient) = shifted_grad(p[0], &p[1..]);
        (value, harness::flat(&gradient))
    }),
    graph: None,
    vjp: |p, seed, init| {
        let mut dxs: [f64; 2] = harness::arr(&init[1..]);
        let (value, da) = shifted_vjp(p[0], &p[1..], &mut dxs, seed[0]);
        (vec![value], harness::flat(&(da, dxs)), vec![])
    },
    jvp: |p, dp| {
        let (value, tangent) = shifted_jvp(p[0], dp[0], &p[1..], &dp[1..]);
        (vec![value], vec![tangent])
    },
};

/// Finite differences hold what `stop_gradient` detaches constant (replaying its values in the
/// plain copy); without that they would see the derivative through it.
#[test]
fn the_checker_holds_detached_values_constant() {
    assert!(harness::run(&[SHIFTED], 1, &[0]), "the detached derivatives must pass");
    let undetached = harness::Case { detached: None, ..SHIFTED };
    assert!(!harness::check(&undetached, 1).failures.is_empty(), "finite differences through the detached value");
}

/// `relu(a - stop_gradient(a))`: the plain copy has a kink exactly at every point (`relu`'s
/// argument is 0 there, and moves with `a` alone), where a central difference is the mean of
/// the slopes, 1/2, and the derivative takes `relu'(0) = 0`.
#[differentiable]
fn kinked(a: f64, xs: &[f64]) -> f64 {
    relu(a - stop_gradient(a)) + a * xs[0]
}

fn kinked_plain(a: f64, xs: &[f64]) -> f64 {
    relu(a - harness::sg(a)) + a * xs[0]
}

/// The checker does not take a central difference across a kink the detachment puts at the
/// point for a derivative (the partial along `a` is never compared), and still compares the
/// others.
#[test]
fn the_checker_skips_kinks_of_detached_values() {
    let case = harness::Case {
        name: "kinked",
        inputs: &["a", "xs[0]"],
        shadowed: &[false, true],
        outputs: 1,
        eval: |p| vec![kinked(p[0], &p[1..])],
        detached: Some(|p| vec![kinked_plain(p[0], &p[1..])]),
        grad: Some(|p| {
            let (value, gradient) = kinked_grad(p[0], &p[1..]);
            (value, harness::flat(&gradient))
        }),
        graph: None,
        vjp: |p, seed, init| {
            let mut dxs: [f64; 1] = harness::arr(&init[1..]);
            let (value, da) = kinked_vjp(p[0], &p[1..], &mut dxs, seed[0]);
            (vec![value], harness::flat(&(da, dxs)), vec![])
        },
        jvp: |p, dp| {
            let (value, tangent) = kinked_jvp(p[0], dp[0], &p[1..], &dp[1..]);
            (vec![value], vec![tangent])
        },
    };
    let report = harness::check(&case, 1);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.smooth, 0, "the kink along `a` was taken for smooth");
    // The partial along xs[0] is compared: one 0.1% off in every mode fails.
    let wrong = harness::Case {
        grad: None,
        vjp: |p, seed, init| {
            let mut dxs: [f64; 1] = harness::arr(&init[1..]);
            let (value, da) = kinked_vjp(p[0], &p[1..], &mut dxs, seed[0]);
            (vec![value], harness::flat(&(da, dxs[0] + 1e-3 * p[0] * seed[0])), vec![])
        },
        jvp: |p, dp| {
            let (value, tangent) = kinked_jvp(p[0], dp[0], &p[1..], &dp[1..]);
            (vec![value], vec![tangent + 1e-3 * p[0] * dp[1]])
        },
        ..case
    };
    assert!(!harness::check(&wrong, 1).failures.is_empty(), "a wrong partial along xs[0] passed");
}
