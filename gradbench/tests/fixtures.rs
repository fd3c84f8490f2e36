//! Every eval against GradBench's own answers, without GradBench: `fixtures/*.json` hold
//! small workloads of each eval with the outputs of its hand-written C++ `manual` tool
//! (`fixtures/make.sh` regenerates them), compared as GradBench's `mismatch` validator
//! compares: the same JSON shape, and floats within |a − b| / max(1, |a| + |b|) ≤ 1e-4.

use chainrule_gradbench::evals;
use chainrule_gradbench::json::Json;
use std::path::Path;

/// Where `got` differs from `want`, GradBench's way, or `None`.
fn mismatch(got: &Json, want: &Json, at: &str) -> Option<String> {
    match (got, want) {
        (Json::Num(a), Json::Num(b)) => {
            let off = (a - b).abs() / 1f64.max(a.abs() + b.abs());
            (off.is_nan() || off > 1e-4).then(|| format!("{at}: {a} vs {b}"))
        }
        (Json::Arr(a), Json::Arr(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (a, b))| mismatch(a, b, &format!("{at}[{i}]")))
        }
        (Json::Obj(a), Json::Obj(b)) if a.len() == b.len() => b.iter().find_map(|(k, b)| match got.get(k) {
            Ok(a) => mismatch(a, b, &format!("{at}.{k}")),
            Err(_) => Some(format!("{at}: no field `{k}`")),
        }),
        (a, b) if a == b => None,
        _ => Some(format!(
            "{at}: {} vs {}",
            got.to_line().chars().take(80).collect::<String>(),
            want.to_line().chars().take(80).collect::<String>()
        )),
    }
}

fn fixture(name: &str) -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(format!("{name}.json"));
    Json::parse(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Runs every case of an eval's fixture; returns how many there were.
fn check(name: &str) -> usize {
    let f = fixture(name);
    let module = f.get("module").unwrap().str().unwrap();
    let cases = f.get("cases").unwrap().arr().unwrap();
    for case in cases {
        let function = case.get("function").unwrap().str().unwrap();
        let description = case.get("description").ok().and_then(|d| d.str().ok()).unwrap_or("");
        let mut task = evals::prepare(module, function, case.get("input").unwrap())
            .unwrap_or_else(|e| panic!("{module}::{function} {description}: {e}"));
        let (output, times) = task.measure(1, 0.0);
        assert_eq!(times.len(), 1);
        if let Some(m) = mismatch(&output, case.get("output").unwrap(), "output") {
            panic!("{module}::{function} {description}: {m}");
        }
    }
    cases.len()
}

macro_rules! evals {
    ($($eval:ident),*) => {$(
        #[test]
        fn $eval() {
            assert!(check(stringify!($eval)) >= 1);
        }
    )*};
}

evals!(hello, lse, llsq, det, ode, kmeans, gmm, lstm, ba, ht, particle, saddle);

#[test]
fn the_comparison_is_gradbenchs() {
    let parse = |s: &str| Json::parse(s).unwrap();
    // Relative to max(1, |a| + |b|): an absolute tolerance below 1, relative above.
    assert!(mismatch(&parse("[1e-5, 1000.0]"), &parse("[0.0, 1000.1]"), "").is_none());
    assert!(mismatch(&parse("[2e-4]"), &parse("[0.0]"), "").is_some());
    assert!(mismatch(&parse("[1000.0]"), &parse("[1000.3]"), "").is_some());
    // Shapes must agree; integers and floats are the same numbers.
    assert!(mismatch(&parse("[1.0, 2.0]"), &parse("[1.0]"), "").is_some());
    assert!(mismatch(&parse(r#"{"a": 3}"#), &parse(r#"{"a": 3.0}"#), "").is_none());
    assert!(mismatch(&parse(r#"{"a": 3}"#), &parse(r#"{"b": 3}"#), "").is_some());
}

#[test]
fn every_eval_has_a_fixture_and_a_module() {
    for m in evals::MODULES {
        assert_eq!(fixture(m).get("module").unwrap().str().unwrap(), *m);
    }
    assert_eq!(evals::MODULES.len(), 12, "GradBench's twelve evals");
}
