//! The fuzz cases: one module's worth of code each, from one of the families below. Case
//! `fN` depends only on the seed and N.

mod attributes;
mod body;
mod compact;
mod mutate;
mod unsupported;

use crate::rng::Rng;

/// What a case should do, if it is clear: a valid form must compile, an invalid one must be
/// refused. The report lists the cases that did otherwise.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Expect {
    Accept,
    Refuse,
    Any,
}

pub struct Case {
    pub name: String,
    pub family: &'static str,
    /// What was generated, for grouping: `closure`, `attribute #[differentiable(foo)]`, ...
    pub construct: String,
    /// The module's contents (the `use` lines are added around it).
    pub source: String,
    pub expect: Expect,
}

/// The families, with their weights out of 100.
const FAMILIES: &[(&str, usize)] = &[
    ("supported", 20),
    ("unsupported", 30),
    ("attribute", 9),
    ("derivative", 8),
    ("signature", 10),
    ("names", 5),
    ("compact", 8),
    ("mutation", 10),
];

pub fn case(seed: u64, index: usize) -> Case {
    let mut rng = Rng::new(seed, index as u64 + 1);
    let name = format!("f{index}");
    let mut pick = rng.below(100);
    let family = FAMILIES
        .iter()
        .find(|(_, w)| {
            let hit = pick < *w;
            pick = pick.saturating_sub(*w);
            hit
        })
        .map_or("supported", |(f, _)| *f);
    let (construct, source, expect) = generate(&mut rng, family, "f");
    Case { name, family, construct, source, expect }
}

fn generate(rng: &mut Rng, family: &str, name: &str) -> (String, String, Expect) {
    match family {
        "unsupported" => unsupported::case(rng, name),
        "attribute" => attributes::differentiable(rng, name),
        "derivative" => attributes::derivative(rng, name),
        "signature" => attributes::signature(rng, name),
        "names" => attributes::names(rng, name),
        "compact" => compact::case(rng, name),
        "mutation" => mutation(rng, name),
        _ => supported(rng, name),
    }
}

/// A supported function, sometimes calling a differentiable sibling in the same module.
fn supported(rng: &mut Rng, name: &str) -> (String, String, Expect) {
    if !rng.chance(0.25) {
        let f = body::function(rng, name, None);
        return (format!("supported ({})", f.float), f.source(), Expect::Accept);
    }
    let (kind, sibling) = if rng.chance(0.5) {
        let g = body::scalar_function(rng, "g", 1, (1, 4));
        ("#[differentiable]", g.source())
    } else {
        let rule = rng.pick(&["2.0 * x", "s * (1.0 - s), output = s", "if x > 0.0 { 1.0 } else { 0.0 }"]);
        ("#[derivative]", format!("#[derivative(x = {rule})]\nfn g(x: f64) -> f64 {{\n    x * x\n}}\n"))
    };
    let f = body::function(rng, name, Some("g"));
    (format!("supported, calls a {kind} sibling"), format!("{sibling}\n{}", f.source()), Expect::Accept)
}

/// A case of another family with random token-level mutations.
fn mutation(rng: &mut Rng, name: &str) -> (String, String, Expect) {
    let base = *rng.pick(&["supported", "supported", "compact", "compact", "attribute", "derivative", "unsupported"]);
    let (_, source, _) = generate(rng, base, name);
    let (mutated, how) = mutate::mutate(rng, &source);
    (format!("mutation: {how} (of {base})"), mutated, Expect::Any)
}
