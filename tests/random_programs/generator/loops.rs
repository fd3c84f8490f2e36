//! `for`, `while` and `loop`, and local arrays with the loops that fill them.

use super::{Array, Expr, Float, Gen, Index, LoopKind};

impl Gen<'_> {
    /// The loop's trip count and header, over the containers and bounds in scope.
    pub(super) fn range(&mut self) -> (usize, usize, String) {
        let slices: Vec<(String, usize)> =
            self.arrays().filter(|a| a.lendable).map(|a| (a.len_expr.clone(), a.len)).collect();
        let k = self.rng.between(2, 5);
        loop {
            // (trips, hi, range)
            return match self.rng.below(9) {
                0..=1 => {
                    self.note("for over 0..xs.len()");
                    let (len_expr, len) = self.rng.pick(&slices).clone();
                    (len, len, format!("0..{len_expr}"))
                }
                2 => {
                    self.note("for over a..b");
                    (k - 1, k, format!("1..{k}"))
                }
                3 => {
                    self.note("for over a..=b");
                    (k, k, format!("0..={}", k - 1))
                }
                4 => {
                    self.note("for over .rev()");
                    (k, k, format!("(0..{k}).rev()"))
                }
                5 => {
                    self.note("for over .step_by()");
                    (k.div_ceil(2), k, format!("(0..{k}).step_by(2)"))
                }
                // Twice the weight: only a quarter of the programs have the parameter.
                6 | 8 if self.count.is_some() => {
                    self.note("for over 0..n");
                    let (n, value) = self.count.unwrap();
                    (value, value, format!("0..{n}"))
                }
                7 => {
                    self.note("for over a..b");
                    (k, k, format!("0..{k}"))
                }
                _ => continue,
            };
        }
    }

    pub(super) fn for_loop(&mut self) {
        let depth = self.loops.len();
        if depth == 1 {
            self.note("nested loop");
        }
        // Most loops carry a fresh accumulator or recurrence from outside.
        let carried = match self.rng.below(3) {
            0 => {
                self.note("accumulator");
                let name = self.fresh("s");
                self.line(&format!("let mut {name}: f64 = 0.0;"));
                let level = self.loops.len();
                self.scope().floats.push(Float { name: name.clone(), bound: 0.0, mutable: true, level });
                Some((name, true))
            }
            1 => Some((self.let_mut_float(), false)),
            _ => None,
        };
        // Sometimes a call writing through `&mut` into an array declared before the loop, so
        // that its outputs feed the next iteration, with a `break` or `continue` beside it.
        let target = if self.rng.chance(0.2) { Some(self.out_target()) } else { None };
        let (trips, hi, range) = self.range();
        let i = self.fresh("i");
        self.line(&format!("for {i} in {range} {{"));
        let kind = if range.contains("..=") { LoopKind::ForInclusive } else { LoopKind::For };
        self.enter_loop(kind, trips);
        self.nested(|g| {
            g.scope().indices.push(Index::variable(i, hi));
            for _ in 0..g.rng.between(0, 2) {
                g.statement();
            }
            if let Some(target) = target {
                if g.rng.chance(0.5) {
                    g.jump();
                    g.out_call(Some(target));
                } else {
                    g.out_call(Some(target));
                    g.jump();
                }
            }
            match carried {
                Some((name, true)) => g.accumulate(name),
                Some((name, false)) => g.update_float(Some(name)),
                None => g.statement(),
            }
        });
        self.leave_loop();
        self.line("}");
    }

    /// `while k < K { ..; k += 1; }` or `loop { ..; k += 1; if k == K { break; } }`.
    pub(super) fn counted_loop(&mut self) {
        let target = self.let_mut_float();
        let k = self.fresh("k");
        let trips = self.rng.between(2, 5);
        self.line(&format!("let mut {k} = 0;"));
        let is_while = self.rng.chance(0.6);
        if is_while {
            self.note("while");
            if self.rng.chance(0.3) {
                self.note("while on an active value");
                let c = self.condition(0);
                self.line(&format!("while {k} < {trips} && {c} {{"));
            } else {
                self.line(&format!("while {k} < {trips} {{"));
            }
        } else {
            self.note("loop");
            self.line("loop {");
        }
        self.enter_loop(LoopKind::Counted, trips);
        self.nested(|g| {
            g.scope().indices.push(Index::variable(k.clone(), trips));
            if g.rng.chance(0.5) {
                g.statement();
            }
            g.update_float(Some(target));
            g.line(&format!("{k} += 1;"));
            if !is_while {
                g.line(&format!("if {k} == {trips} {{"));
                g.line("    break;");
                g.line("}");
            }
        });
        self.leave_loop();
        self.line("}");
    }

    /// `while q > 0 { ..; q -= 1; }` over the `mut u32` parameter, or the `mut n: usize` one:
    /// the first such loop to run counts it down to 0, and later ones do not run at all.
    pub(super) fn countdown_loop(&mut self) {
        let q = *self.rng.pick(&self.countdowns());
        let trips = self.indices().iter().find(|(name, _)| name == q).unwrap().1 - 1;
        self.note("while countdown");
        let target = self.let_mut_float();
        self.line(&format!("while {q} > 0 {{"));
        // A `continue` would skip the decrement, and so would an update of the counter in the
        // body (`n += 1`) undo it: it is no counter there.
        let counter = self.is_counter(q);
        self.index_mut(q).counter = false;
        self.counting.push(q);
        self.enter_loop(LoopKind::Counted, trips);
        self.nested(|g| {
            if g.rng.chance(0.5) {
                g.statement();
            }
            g.update_float(Some(target));
            g.line(&format!("{q} -= 1;"));
        });
        self.leave_loop();
        self.counting.pop();
        self.index_mut(q).counter = counter;
        self.line("}");
    }

    /// A local array, filled by a loop (or an array literal).
    pub(super) fn local_array(&mut self) {
        let name = self.fresh("r");
        let level = self.loops.len();
        if self.rng.chance(0.25) {
            self.note("array literal");
            let len = self.rng.between(2, 4);
            let items: Vec<Expr> = (0..len).map(|_| self.expr(2, None)).collect();
            let bound = items.iter().map(|e| e.bound).fold(0.0, f64::max);
            let ty = if items.iter().any(|e| e.typed) { String::new() } else { format!(": [f64; {len}]") };
            let items: Vec<String> = items.into_iter().map(|e| e.code).collect();
            self.line(&format!("let {name}{ty} = [{}];", items.join(", ")));
            let a = Array {
                name,
                len,
                len_expr: len.to_string(),
                bound,
                mutable: false,
                level,
                lendable: false,
                typed: true,
            };
            self.scope().arrays.push(a);
            return;
        }
        let (len, len_expr, end) = if self.rng.chance(0.3) {
            self.note("vec!");
            let slices: Vec<(String, usize)> =
                self.arrays().filter(|a| a.lendable).map(|a| (a.len_expr.clone(), a.len)).collect();
            let (slice_len, len) = self.rng.pick(&slices).clone();
            self.line(&format!("let mut {name} = vec![0.0; {slice_len}];"));
            // Later indices written `{name}.len()` would borrow the Vec inside `{name}[..] += e`
            // (E0502, as in any Rust code), so they use the slice's length.
            (len, slice_len, format!("{name}.len()"))
        } else {
            self.note("local array");
            let len = self.rng.between(2, 6);
            self.line(&format!("let mut {name} = [0.0; {len}];"));
            (len, len.to_string(), len.to_string())
        };
        let i = self.fresh("i");
        self.line(&format!("for {i} in 0..{end} {{"));
        self.enter_loop(LoopKind::For, len);
        self.nested(|g| {
            g.scope().indices.push(Index::variable(i.clone(), len));
            // Typed, so that the elements are f64 before anything calls a method on one.
            let e = g.operand(3, None);
            g.line(&format!("{name}[{i}] = {};", e.code));
            g.note("a[i] =");
            let a = Array {
                name: name.clone(),
                len,
                len_expr: len_expr.clone(),
                bound: e.bound,
                mutable: true,
                level,
                lendable: false,
                typed: true,
            };
            let outer = g.scopes.len() - 2;
            g.scopes[outer].arrays.push(a);
        });
        self.leave_loop();
        self.line("}");
        if self.rng.chance(0.5) {
            self.array_pass(&name, len, &len_expr);
        }
    }

    /// A second loop over a filled local array that reads it back: a prefix recurrence
    /// `r[i] += r[i - 1] * c` or a scaling `r[i] *= e`.
    pub(super) fn array_pass(&mut self, name: &str, len: usize, len_expr: &str) {
        let i = self.fresh("i");
        let prefix = self.rng.chance(0.5);
        let start = if prefix { 1 } else { 0 };
        self.line(&format!("for {i} in {start}..{len_expr} {{"));
        self.enter_loop(LoopKind::For, len);
        let c = self.literal(0.2, 0.6);
        self.nested(|g| {
            g.scope().indices.push(Index::variable(i.clone(), len));
            if prefix {
                g.note("a[i] +=");
                g.line(&format!("{name}[{i}] += {name}[{i} - 1] * {c};"));
                let a = g.scopes.iter_mut().flat_map(|s| s.arrays.iter_mut()).find(|a| a.name == name).unwrap();
                // |r[i]| <= B + c |r[i - 1]|: at most B / (1 - c) with c < 0.6.
                a.bound *= 2.5;
            } else {
                g.note("a[i] *=");
                let e = g.operand(2, Some(name));
                g.line(&format!("{name}[{i}] *= {}.cos();", e.code));
            }
        });
        self.leave_loop();
        self.line("}");
    }
}
