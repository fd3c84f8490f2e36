//! Calls of the helpers that write through `&mut [f64]` (main.rs's `HELPERS`), of the helper
//! with a `#[no_grad]` parameter, and `stop_gradient`.

use super::{Array, Expr, Gen};

/// A helper run for what it writes into its `&mut [f64]` argument.
#[derive(Clone, Copy)]
enum OutHelper {
    /// `out[0] = x * w; out[1] = x * x * w;`
    Square,
    /// `out[0] += x; out[1] = (out[1] * x + out[0]).tanh();`: reads before it writes.
    Mix,
    /// `sq_out(x, x.sin(), out); out[1] += x;`: passes its own output on.
    Chain,
    /// `out[i] = out[i] * x.cos() + 0.1 * x` over every element.
    Decay,
    /// `out[i] += a * xs[i % xs.len()]` over every element, from a slice.
    Spread,
    /// `out[i] = 0.5 * (out[i] + out[i - 1])` from `i = 1`: no other argument, so the call is
    /// differentiated only through the array it is lent.
    Smooth,
}

impl OutHelper {
    /// The elements it writes by constant index: the array lent must have at least these.
    fn min_len(self) -> usize {
        match self {
            OutHelper::Square | OutHelper::Mix | OutHelper::Chain => 2,
            OutHelper::Decay | OutHelper::Spread | OutHelper::Smooth => 1,
        }
    }
}

impl Gen<'_> {
    /// A fresh zeroed local array for calls to write into, declared here; its name.
    pub(super) fn out_target(&mut self) -> String {
        let name = self.fresh("g");
        let len = self.rng.between(2, 4);
        // Unannotated, its type comes from the call it is lent to (`out: &mut [f64]`).
        let typed = self.rng.chance(0.5);
        if !typed {
            self.line(&format!("let mut {name} = [0.0; {len}];"));
        } else {
            self.line(&format!("let mut {name}: [f64; {len}] = [0.0; {len}];"));
        }
        let level = self.loops.len();
        let a = Array {
            name: name.clone(),
            len,
            len_expr: len.to_string(),
            bound: 0.0,
            mutable: true,
            level,
            lendable: false,
            typed,
        };
        self.scope().arrays.push(a);
        name
    }

    /// A call statement of a helper that writes into `target` (or into a mutable array in
    /// scope, or a fresh one): a local array, a `vec!`, or the function's own output parameter
    /// passed on. Its arguments may read the array it writes.
    pub(super) fn out_call(&mut self, target: Option<String>) {
        let slices: Vec<(String, f64)> =
            self.arrays().filter(|a| a.lendable).map(|a| (a.name.clone(), a.bound)).collect();
        let helper =
            *self.rng.pick(&[OutHelper::Square, OutHelper::Mix, OutHelper::Chain, OutHelper::Decay, OutHelper::Spread]);
        // Rarer: a helper whose only input is the array it is lent.
        let helper = if self.rng.chance(0.1) { OutHelper::Smooth } else { helper };
        let target = target.unwrap_or_else(|| {
            let targets: Vec<String> =
                self.arrays().filter(|a| a.mutable && a.len >= helper.min_len()).map(|a| a.name.clone()).collect();
            // The output parameter (passed on) and `vec!` locals are rarer than local arrays.
            let rare: Vec<String> = self
                .arrays()
                .filter(|a| a.mutable && (a.name == "out" || a.len_expr.ends_with(".len()")))
                .map(|a| a.name.clone())
                .collect();
            if !rare.is_empty() && self.rng.chance(0.4) {
                self.rng.pick(&rare).clone()
            } else if !targets.is_empty() && self.rng.chance(0.7) {
                self.rng.pick(&targets).clone()
            } else {
                self.out_target()
            }
        });
        let (len, len_expr, old, level) = {
            let a = self.arrays().find(|a| a.name == target).unwrap();
            (a.len, a.len_expr.clone(), a.bound, a.level)
        };
        // A helper that writes `out[1]` needs two elements: a shorter target gets one that
        // writes every element by `out.len()`.
        let helper = if len < helper.min_len() { OutHelper::Decay } else { helper };
        let repeats = self.repeats(level);
        // The helpers' bounds assume arguments in [-1, 1]; each call may run `repeats` times
        // per run of the array's declaration.
        let x = self.out_arg();
        let (call, args, bound) = match helper {
            OutHelper::Square => {
                let w = self.out_arg();
                ("sq_out", format!("{}, {}", x.code, w.code), old.max(1.0))
            }
            OutHelper::Mix => ("mix_out", x.code, (old + repeats).max(1.0)),
            OutHelper::Chain => ("chain_out", x.code, old.max(2.0)),
            OutHelper::Spread if !slices.is_empty() => {
                let (s, b) = self.rng.pick(&slices).clone();
                ("spread_out", format!("{}, {s}", x.code), old + repeats * x.bound * b)
            }
            OutHelper::Decay | OutHelper::Spread => ("decay_out", x.code, old + 0.1 * repeats),
            OutHelper::Smooth => {
                // Not a feature: the default run never writes it.
                self.called();
                self.line(&format!(
                    "smooth_out({});",
                    if target == "out" { "out".into() } else { format!("&mut {target}") }
                ));
                return;
            }
        };
        self.note(match call {
            "sq_out" => "call sq_out",
            "mix_out" => "call mix_out",
            "chain_out" => "call chain_out",
            "decay_out" => "call decay_out",
            _ => "call spread_out",
        });
        let lent = if target == "out" {
            self.note("&mut call passing out on");
            "out".to_string()
        } else {
            self.note(if len_expr.ends_with(".len()") { "&mut call on vec!" } else { "&mut call on a local array" });
            format!("&mut {target}")
        };
        if args.contains(&format!("{target}[")) {
            self.note("&mut call feeding its target");
        }
        if !self.loops.is_empty() {
            self.note("&mut call in a loop");
        }
        self.called();
        self.line(&format!("{call}({args}, {lent});"));
        let a = self.scopes.iter_mut().rev().flat_map(|s| s.arrays.iter_mut()).find(|a| a.name == target).unwrap();
        a.bound = bound.min(1e6);
        a.typed = true;
    }

    /// A scalar argument of an `&mut` helper, in [-1, 1]; sometimes a constant.
    fn out_arg(&mut self) -> Expr {
        let e = if self.rng.chance(0.2) { self.constant_arg(1, None) } else { self.expr(2, None) };
        self.squash(e, 1.0)
    }

    /// `damp(x, c)`, whose `c` is `#[no_grad]`: a constant, never a differentiated value.
    pub(super) fn damp_call(&mut self, d: usize, exclude: Option<&str>) -> Expr {
        let x = self.expr(d, exclude);
        let x = self.squash(x, 2.0);
        let c = self.constant_arg(d, exclude);
        self.note("call damp");
        self.called();
        Expr::new(format!("damp({}, {})", x.code, c.code), 1.0 + c.bound * x.bound)
    }

    /// An argument for a `#[no_grad]` parameter, of magnitude at most about 1: a literal, the
    /// function's own `#[no_grad]` parameter, a cast integer, or a detached value.
    pub(super) fn constant_arg(&mut self, d: usize, exclude: Option<&str>) -> Expr {
        let indices = self.indices();
        loop {
            match self.rng.below(4) {
                0 => {
                    self.note("#[no_grad] argument literal");
                    return Expr { code: self.literal(-1.0, 1.0), bound: 1.0, typed: false };
                }
                1 if self.no_grad.is_some() => {
                    self.note("#[no_grad] argument param");
                    return Expr::new(self.no_grad.unwrap().to_string(), 1.0);
                }
                2 if !indices.is_empty() => {
                    self.note("#[no_grad] argument cast");
                    let (i, hi) = self.rng.pick(&indices).clone();
                    self.note_counter_use(&i, "counter in a cast");
                    let scale = 1.0 / hi as f64;
                    return Expr::new(format!("({i} as f64 * {scale:.3})"), 1.0);
                }
                3 => {
                    self.note("#[no_grad] argument stop_gradient");
                    let e = self.operand(d, exclude);
                    let e = self.squash(e, 1.0);
                    return self.stop_gradient(e);
                }
                _ => {}
            }
        }
    }

    /// `stop_gradient(e)`: the value of `e`, a constant to the derivatives (the checker holds
    /// it constant in its finite differences too).
    pub(super) fn stop_gradient(&mut self, e: Expr) -> Expr {
        self.note("stop_gradient");
        if !self.loops.is_empty() {
            self.note("stop_gradient in a loop");
        }
        Expr::new(format!("stop_gradient({})", e.code), e.bound)
    }
}
