//! How a program is called: its signature, and the adaptors that present it to the checker
//! over flattened inputs.

use super::{Output, Param, SliceType};
use std::fmt::Write as _;

pub(super) fn signature(p: &Param) -> String {
    match p {
        Param::Scalar { name, mutable: false } => format!("{name}: f64"),
        Param::Scalar { name, mutable: true } => format!("mut {name}: f64"),
        Param::Slice { name, len, ty: SliceType::ArrayRef } => format!("{name}: &[f64; {len}]"),
        Param::Slice { name, ty: SliceType::VecRef, .. } => format!("{name}: &Vec<f64>"),
        Param::Slice { name, .. } => format!("{name}: &[f64]"),
        Param::Array { name, len } => format!("{name}: [f64; {len}]"),
        Param::NoGrad { name, mutable: false, .. } => format!("#[no_grad] {name}: f64"),
        Param::NoGrad { name, mutable: true, .. } => format!("#[no_grad] mut {name}: f64"),
        Param::Count { name, mutable: false, .. } => format!("{name}: usize"),
        Param::Count { name, mutable: true, .. } => format!("mut {name}: usize"),
        Param::Countdown { name, .. } => format!("mut {name}: u32"),
        Param::Out { name, .. } => format!("{name}: &mut [f64]"),
    }
}

/// `eval`, `grad`, `vjp`, `jvp` over the flattened active inputs, and the `CASE` naming them;
/// with `detached`, also `detached`, which evaluates the plain copy `{name}_detached`.
pub(super) fn adaptors(name: &str, params: &[Param], output: Output, detached: bool, graphed: bool) -> String {
    let (mut inputs, mut shadowed) = (Vec::new(), Vec::new());
    let (mut eval, mut vjp, mut jvp, mut shadows, mut gather) = (vec![], vec![], vec![], String::new(), String::new());
    let (mut k, mut out_at) = (0, 0);
    for p in params {
        match *p {
            Param::Scalar { name: n, .. } => {
                inputs.push(format!("{n:?}"));
                shadowed.push(false);
                eval.push(format!("p[{k}]"));
                vjp.push(format!("p[{k}]"));
                jvp.push(format!("p[{k}], dp[{k}]"));
                gather.push_str("    g.push(by_value.next().unwrap());\n");
                k += 1;
            }
            Param::Slice { name: n, len, ty } => {
                inputs.extend((0..len).map(|i| format!("\"{n}[{i}]\"")));
                shadowed.extend([true].repeat(len));
                let arg = match ty {
                    SliceType::Slice => format!("&p[{k}..{}]", k + len),
                    SliceType::ArrayRef => format!("&arr::<{len}>(&p[{k}..])"),
                    SliceType::VecRef => format!("&p[{k}..{}].to_vec()", k + len),
                };
                let _ = writeln!(shadows, "    let mut d{n}: [f64; {len}] = arr(&init[{k}..]);");
                let _ = writeln!(gather, "    g.extend_from_slice(&d{n});");
                vjp.push(format!("{arg}, &mut d{n}"));
                jvp.push(format!("{arg}, &arr::<{len}>(&dp[{k}..])"));
                eval.push(arg);
                k += len;
            }
            Param::Array { name: n, len } => {
                inputs.extend((0..len).map(|i| format!("\"{n}[{i}]\"")));
                shadowed.extend([false].repeat(len));
                eval.push(format!("arr::<{len}>(&p[{k}..])"));
                vjp.push(format!("arr::<{len}>(&p[{k}..])"));
                jvp.push(format!("arr::<{len}>(&p[{k}..]), arr::<{len}>(&dp[{k}..])"));
                let _ = writeln!(gather, "    g.extend((0..{len}).map(|_| by_value.next().unwrap()));");
                k += len;
            }
            Param::NoGrad { value, .. } => {
                for args in [&mut eval, &mut vjp, &mut jvp] {
                    args.push(format!("{value:?}"));
                }
            }
            Param::Count { value, .. } | Param::Countdown { value, .. } => {
                for args in [&mut eval, &mut vjp, &mut jvp] {
                    args.push(format!("{value}"));
                }
            }
            Param::Out { .. } => {
                // What the output holds on entry is an input too: a program may read it
                // before writing it, and its gradient is what f_vjp leaves in `dout`.
                let Output::OutParam(m) = output else { unreachable!("an output parameter without its output") };
                inputs.extend((0..m).map(|i| format!("\"out[{i}] on entry\"")));
                shadowed.extend([false].repeat(m));
                let _ = writeln!(gather, "    g.extend_from_slice(&dout);");
                out_at = k;
                eval.push("&mut out".into());
                vjp.push("&mut out, &mut dout".into());
                jvp.push("&mut out, &mut dout".into());
                k += m;
            }
        }
    }
    let (outputs, seed) = match output {
        Output::Scalar => (1, Some("seed[0]".to_string())),
        Output::Array(m) => (m, Some(format!("arr::<{m}>(seed)"))),
        Output::Tuple(m) => {
            (m, Some(format!("({})", (0..m).map(|i| format!("seed[{i}]")).collect::<Vec<_>>().join(", "))))
        }
        Output::OutParam(m) => (m, None),
    };
    if let Some(seed) = seed {
        vjp.push(seed);
    }
    let (eval, vjp, jvp) = (eval.join(", "), vjp.join(", "), jvp.join(", "));
    let mut s = String::new();
    let grad = if output == Output::Scalar { "Some(grad)" } else { "None" };
    let graph = if graphed { "Some(graph)" } else { "None" };
    let plain = if detached { "Some(detached)" } else { "None" };
    let _ = writeln!(
        s,
        "pub const CASE: Case = Case {{\n    name: {name:?},\n    inputs: &[{}],\n    shadowed: &{shadowed:?},\n    \
         outputs: {outputs},\n    eval,\n    detached: {plain},\n    grad: {grad},\n    graph: {graph},\n    vjp,\n    jvp,\n}};\n",
        inputs.join(", ")
    );
    // The plain copy takes the same arguments.
    let mut evals = vec![("eval", name.to_string())];
    if detached {
        evals.push(("detached", format!("{name}_detached")));
    }
    match output {
        Output::OutParam(m) => {
            for (f, callee) in &evals {
                let _ = writeln!(
                    s,
                    "fn {f}(p: &[f64]) -> Vec<f64> {{\n    let mut out: [f64; {m}] = arr(&p[{out_at}..]);\n    {callee}({eval});\n    \
                     out.to_vec()\n}}\n"
                );
            }
            let _ = writeln!(
                s,
                "fn vjp(p: &[f64], seed: &[f64], init: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {{\n    let mut out: \
                 [f64; {m}] = arr(&p[{out_at}..]);\n    let mut dout: [f64; {m}] = arr(seed);\n{shadows}    let ((), \
                 by_value) = {name}_vjp({vjp});\n    let mut by_value = flat(&by_value).into_iter();\n    let mut g = \
                 Vec::new();\n{gather}    assert!(by_value.next().is_none());\n    (out.to_vec(), g, Vec::new())\n}}\n"
            );
            let _ = writeln!(
                s,
                "fn jvp(p: &[f64], dp: &[f64]) -> (Vec<f64>, Vec<f64>) {{\n    let mut out: [f64; {m}] = \
                 arr(&p[{out_at}..]);\n    let mut dout: [f64; {m}] = arr(&dp[{out_at}..]);\n    let ((), ()) = \
                 {name}_jvp({jvp});\n    (out.to_vec(), dout.to_vec())\n}}"
            );
        }
        _ => {
            for (f, callee) in &evals {
                let _ = writeln!(s, "fn {f}(p: &[f64]) -> Vec<f64> {{\n    flat(&{callee}({eval}))\n}}\n");
            }
            if output == Output::Scalar {
                let _ = writeln!(
                    s,
                    "fn grad(p: &[f64]) -> (f64, Vec<f64>) {{\n    let (value, gradient) = {name}_grad({eval});\n    \
                     (value, flat(&gradient))\n}}\n"
                );
                if graphed {
                    // Input nodes by their names (`a`, `xs[2]`), which are the checker's labels.
                    let _ = writeln!(
                        s,
                        "fn graph(p: &[f64]) -> (Option<f64>, Vec<f64>) {{\n    let g = {name}_graph({eval});\n    \
                         let node = |label: &str| g.inputs().find(|n| n.op == label).map_or(0.0, |n| n.gradient);\n    \
                         (g.output().map(|o| o.value), CASE.inputs.iter().map(|l| node(l)).collect())\n}}\n"
                    );
                }
            }
            let _ = writeln!(
                s,
                "fn vjp(p: &[f64], seed: &[f64], init: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {{\n{shadows}    let \
                 (value, by_value) = {name}_vjp({vjp});\n    let mut by_value = flat(&by_value).into_iter();\n    let mut \
                 g = Vec::new();\n{gather}    assert!(by_value.next().is_none());\n    (flat(&value), g, Vec::new())\n}}\n"
            );
            let _ = writeln!(
                s,
                "fn jvp(p: &[f64], dp: &[f64]) -> (Vec<f64>, Vec<f64>) {{\n    let (value, tangent) = {name}_jvp({jvp});\n    \
                 (flat(&value), flat(&tangent))\n}}"
            );
        }
    }
    s
}
