//! Statements other than loops, and the function's result.

use super::{Float, Gen, Index, LoopKind, Output, Scope};

impl Gen<'_> {
    pub(super) fn statement(&mut self) {
        let depth = self.loops.len();
        let has_mutable_float = self.floats().any(|f| f.mutable);
        let has_mutable_array = self.arrays().any(|a| a.mutable);
        let in_loop = depth > 0;
        loop {
            match self.rng.below(31) {
                0..=2 => return self.let_float(),
                3 => {
                    self.let_mut_float();
                    return;
                }
                4..=6 if has_mutable_float => return self.update_float(None),
                7..=10 if has_mutable_array => return self.write_array(),
                11..=12 => return self.if_statement(),
                13..=15 if depth < 2 => return self.bounded(Self::for_loop),
                16 if depth < 2 => return self.bounded(Self::counted_loop),
                17..=18 if depth == 0 => return self.local_array(),
                19 if !self.indices().is_empty() => return self.match_statement(),
                // Anywhere in a loop, also inside nested branches.
                20 if in_loop => return self.jump(),
                21 => return self.let_conditional(),
                22 => return self.let_block(),
                23..=24 => return self.out_call(None),
                25 if depth < 2 => return self.let_counter(),
                26..=27 if self.has_counter() => return self.counter_update(),
                28..=29 if depth < 2 && self.has_countdown() => return self.bounded(Self::countdown_loop),
                30 => return self.cfg_statement(),
                _ => {}
            }
        }
    }

    pub(super) fn let_float(&mut self) {
        self.note("let");
        // Sometimes a new binding of a local of this scope, usually from its old value.
        let shadowable: Vec<String> = self
            .scope()
            .floats
            .iter()
            .filter(|f| !f.mutable && f.name.starts_with('t'))
            .map(|f| f.name.clone())
            .collect();
        let name = if !shadowable.is_empty() && self.rng.chance(0.2) {
            self.note("shadowing");
            self.rng.pick(&shadowable).clone()
        } else {
            self.fresh("t")
        };
        let e = self.expr(3, None);
        self.scope().floats.retain(|f| f.name != name);
        // An untyped initialiser would leave the variable `{float}`, and a method call on it
        // ambiguous.
        if !e.typed || self.rng.chance(0.2) {
            self.line(&format!("let {name}: f64 = {};", e.code));
        } else {
            self.line(&format!("let {name} = {};", e.code));
        }
        let level = self.loops.len();
        self.scope().floats.push(Float { name, bound: e.bound, mutable: false, level });
    }

    pub(super) fn let_mut_float(&mut self) -> String {
        self.note("let mut");
        let name = self.fresh("m");
        let e = self.expr(2, None);
        let ty = if e.typed { "" } else { ": f64" };
        self.line(&format!("let mut {name}{ty} = {};", e.code));
        let level = self.loops.len();
        self.scope().floats.push(Float { name: name.clone(), bound: e.bound, mutable: true, level });
        name
    }

    pub(super) fn float_mut(&mut self, name: &str) -> &mut Float {
        self.scopes.iter_mut().rev().flat_map(|s| s.floats.iter_mut()).find(|f| f.name == name).unwrap()
    }

    /// Reassigns `target` (or a random mutable float) in one of the forms loops use.
    pub(super) fn update_float(&mut self, target: Option<String>) {
        let code = self.update(target, false);
        self.line(&format!("{code};"));
    }

    /// `name += e` or `name -= e`: what keeps an accumulator that starts at zero alive.
    pub(super) fn accumulate(&mut self, name: String) {
        let code = self.update(Some(name), true);
        self.line(&format!("{code};"));
    }

    /// The assignment `update_float` writes, without its `;`.
    pub(super) fn update(&mut self, target: Option<String>, accumulate: bool) -> String {
        let name = target.unwrap_or_else(|| {
            let names: Vec<String> = self.floats().filter(|f| f.mutable).map(|f| f.name.clone()).collect();
            self.rng.pick(&names).clone()
        });
        let f = self.floats().find(|f| f.name == name).unwrap();
        let (old, repeats) = (f.bound, self.repeats(f.level));
        // An update that reads its own target could grow geometrically in a loop, so only the
        // squashing forms may.
        let (code, bound) = match self.rng.below(if accumulate { 4 } else { 9 }) {
            0..=2 => {
                self.note("+=");
                let e = self.expr(2, Some(&name));
                let e = self.squash(e, 2.0);
                (format!("{name} += {}", e.code), old + repeats * e.bound)
            }
            3 => {
                self.note("-=");
                let e = self.expr(2, Some(&name));
                let e = self.squash(e, 2.0);
                (format!("{name} -= {}", e.code), old + repeats * e.bound)
            }
            4 => {
                self.note("*=");
                let e = self.operand(2, None);
                let f = *self.rng.pick(&["cos", "tanh", "sin"]);
                (format!("{name} *= {}.{f}()", e.code), old)
            }
            5 => {
                self.note("/=");
                let e = self.expr(2, None);
                (format!("{name} /= {} * {} + 1.0", e.code, e.code), old)
            }
            6..=7 => {
                self.note("recurrence");
                let a = self.expr(1, Some(&name));
                let a = self.squash(a, 1.5);
                let b = self.expr(2, None);
                let f = *self.rng.pick(&["sin", "tanh", "cos"]);
                (format!("{name} = ({name} * {} + {}).{f}()", a.code, b.code), old.max(1.0))
            }
            _ => {
                self.note("=");
                let e = self.expr(2, Some(&name));
                // In a loop, `e` may read values computed from this target earlier in the body,
                // with bounds that assumed its value before the loop: squash, or it can grow
                // geometrically (seed 777 once overflowed to inf at 1000 programs).
                let e = if repeats > 1.0 { self.squash(e, -1.0) } else { e };
                (format!("{name} = {}", e.code), old.max(e.bound))
            }
        };
        self.float_mut(&name).bound = bound.min(1e6);
        code
    }

    pub(super) fn write_array(&mut self) {
        let arrays: Vec<(String, usize, String, f64, usize)> = self
            .arrays()
            .filter(|a| a.mutable)
            .map(|a| (a.name.clone(), a.len, a.len_expr.clone(), a.bound, a.level))
            .collect();
        let (name, len, len_expr, old, level) = self.rng.pick(&arrays).clone();
        let repeats = self.repeats(level);
        let i = self.index(len, &len_expr);
        let (code, bound) = match self.rng.below(5) {
            0..=1 => {
                self.note("a[i] =");
                let e = self.expr(2, Some(&name));
                (format!("{name}[{i}] = {};", e.code), old.max(e.bound))
            }
            2..=3 => {
                self.note("a[i] +=");
                let e = self.expr(2, Some(&name));
                let e = self.squash(e, 2.0);
                let op = if self.rng.chance(0.7) { "+=" } else { "-=" };
                (format!("{name}[{i}] {op} {};", e.code), old + repeats * e.bound)
            }
            _ => {
                self.note("a[i] *=");
                let e = self.operand(2, None);
                (format!("{name}[{i}] *= {}.cos();", e.code), old)
            }
        };
        self.line(&code);
        let a = self.scopes.iter_mut().rev().flat_map(|s| s.arrays.iter_mut()).find(|a| a.name == name).unwrap();
        a.bound = bound.min(1e6);
    }

    /// Runs `f` in a new scope, one level deeper.
    pub(super) fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        self.indent += 1;
        self.scopes.push(Scope::default());
        f(self);
        self.scopes.pop();
        self.indent -= 1;
    }

    /// A branch body: a statement or two, at least one of which changes something outside.
    pub(super) fn branch(&mut self) {
        self.nested(|g| {
            if g.rng.chance(0.3) {
                g.let_float();
            }
            if g.floats().any(|f| f.mutable) && g.rng.chance(0.7) {
                g.update_float(None);
            } else {
                g.statement();
            }
        });
    }

    pub(super) fn if_statement(&mut self) {
        self.note("if statement");
        if !self.floats().any(|f| f.mutable) {
            self.let_mut_float();
        }
        let c = self.condition(1);
        self.line(&format!("if {c} {{"));
        self.branch();
        if self.rng.chance(0.3) {
            self.note("else if");
            let c = self.condition(1);
            self.line(&format!("}} else if {c} {{"));
            self.branch();
        }
        if self.rng.chance(0.7) {
            self.line("} else {");
            self.branch();
        }
        self.line("}");
    }

    /// `if cfg!(..) { .. }`, with an `else` half the time.
    pub(super) fn cfg_statement(&mut self) {
        self.note("if cfg!");
        if !self.floats().any(|f| f.mutable) {
            self.let_mut_float();
        }
        let c = self.cfg();
        self.line(&format!("if {c} {{"));
        self.branch();
        if self.rng.chance(0.5) {
            self.line("} else {");
            self.branch();
        }
        self.line("}");
    }

    /// A typed expression (so that the `let` it initialises is f64) with an optional `let` in
    /// front, as the tail of a block.
    pub(super) fn block_tail(&mut self) -> (String, f64) {
        if self.rng.chance(0.3) {
            let e = self.operand(2, None);
            let name = self.fresh("u");
            self.scope().floats.push(Float { name: name.clone(), bound: e.bound, mutable: false, level: 0 });
            let tail = self.operand(2, None);
            self.scope().floats.pop();
            let pad = "    ".repeat(self.indent);
            (format!("{{\n{pad}    let {name} = {};\n{pad}    {}\n{pad}}}", e.code, tail.code), tail.bound)
        } else {
            let e = self.operand(2, None);
            (format!("{{ {} }}", e.code), e.bound)
        }
    }

    pub(super) fn let_conditional(&mut self) {
        let name = self.fresh("t");
        let (code, bound) = if !self.indices().is_empty() && self.rng.chance(0.4) {
            self.note("match expression");
            let indices = self.indices();
            let (i, _) = self.rng.pick(&indices).clone();
            let (mut arms, mut bound) = (Vec::new(), 0.0f64);
            for pattern in ["0", "1 | 2", "3..=4"] {
                let e = self.operand(2, None);
                bound = bound.max(e.bound);
                arms.push(format!("{pattern} => {},", e.code));
            }
            if self.rng.chance(0.3) {
                self.note("match guard");
                let c = self.condition(0);
                let e = self.operand(2, None);
                bound = bound.max(e.bound);
                arms.push(format!("_ if {c} => {},", e.code));
            }
            let e = self.operand(2, None);
            arms.push(format!("_ => {},", e.code));
            let pad = "    ".repeat(self.indent + 1);
            let arms: Vec<String> = arms.iter().map(|a| format!("{pad}{a}\n")).collect();
            (format!("match {i} {{\n{}{}}}", arms.concat(), "    ".repeat(self.indent)), bound)
        } else {
            self.note("if expression");
            let c = self.condition(1);
            let (a, ba) = self.block_tail();
            let (b, bb) = self.block_tail();
            if self.rng.chance(0.2) {
                self.note("else if");
                let c2 = self.condition(1);
                let (m, bm) = self.block_tail();
                (format!("if {c} {a} else if {c2} {m} else {b}"), ba.max(bb).max(bm))
            } else {
                (format!("if {c} {a} else {b}"), ba.max(bb))
            }
        };
        self.line(&format!("let {name} = {code};"));
        let level = self.loops.len();
        self.scope().floats.push(Float { name, bound, mutable: false, level });
    }

    pub(super) fn let_block(&mut self) {
        self.note("block expression");
        let name = self.fresh("t");
        let (code, bound) = self.block_tail();
        self.line(&format!("let {name} = {code};"));
        let level = self.loops.len();
        self.scope().floats.push(Float { name, bound, mutable: false, level });
    }

    pub(super) fn match_statement(&mut self) {
        self.note("match statement");
        if !self.floats().any(|f| f.mutable) {
            self.let_mut_float();
        }
        let indices = self.indices();
        let (i, _) = self.rng.pick(&indices).clone();
        self.line(&format!("match {i} {{"));
        // Arms are single assignments or blocks of statements.
        for pattern in ["0", "1 | 3", "_"] {
            if self.rng.chance(0.5) {
                let update = self.update(None, false);
                self.line(&format!("    {pattern} => {update},"));
            } else {
                self.line(&format!("    {pattern} => {{"));
                self.indent += 1;
                self.branch();
                self.indent -= 1;
                self.line("    }");
            }
        }
        // With or without `;`: a statement `match` may end a loop body either way.
        let close = if self.rng.chance(0.5) { "};" } else { "}" };
        self.line(close);
    }

    /// `if cond { continue; }` or `{ break; }` in the innermost loop.
    pub(super) fn jump(&mut self) {
        let innermost = self.loops.last_mut().unwrap();
        innermost.jumped = true;
        let kind = innermost.kind;
        let c = self.condition(1);
        let jump = match kind {
            LoopKind::For | LoopKind::ForInclusive if self.rng.chance(0.5) => "continue",
            LoopKind::For | LoopKind::ForInclusive | LoopKind::Counted => "break",
        };
        self.note(jump);
        self.line(&format!("if {c} {{"));
        self.line(&format!("    {jump};"));
        self.line("}");
    }

    // ---- The result. ------------------------------------------------------------------------

    /// A closing expression that reads most of what the body computed.
    /// The sum a result is made of: an expression and every variable of the body's scope.
    /// Filling `target` element by element, each read of `target` is squashed: the elements
    /// written before feed the next ones, which the bounds of one expression do not foresee.
    pub(super) fn tail(&mut self, target: Option<&str>) -> String {
        let mut terms = vec![self.expr(3, target).code];
        let floats: Vec<String> = self.scopes[0].floats.iter().map(|f| f.name.clone()).collect();
        for f in &floats {
            terms.push(format!("{} * {f}", self.literal(0.2, 1.0)));
        }
        let arrays: Vec<(String, usize, String)> = self.scopes[0]
            .arrays
            .iter()
            .filter(|a| a.mutable)
            .map(|a| (a.name.clone(), a.len, a.len_expr.clone()))
            .collect();
        for (a, len, len_expr) in arrays {
            let i = self.index(len, &len_expr);
            terms.push(if Some(a.as_str()) == target { format!("{a}[{i}].tanh()") } else { format!("{a}[{i}]") });
        }
        terms.join(" + ")
    }

    pub(super) fn result(&mut self, output: Output) {
        match output {
            Output::Scalar => {
                let e = self.tail(None);
                if self.rng.chance(0.2) {
                    self.note("return");
                    self.line(&format!("return {e};"));
                } else {
                    self.line(&e);
                }
            }
            Output::Tuple(m) => {
                self.note("result tuple");
                let items: Vec<String> = (0..m).map(|_| self.tail(None)).collect();
                self.line(&format!("({})", items.join(", ")));
            }
            Output::Array(m) => {
                self.note("result array");
                if self.rng.chance(0.5) {
                    let items: Vec<String> = (0..m).map(|_| self.tail(None)).collect();
                    self.line(&format!("[{}]", items.join(", ")));
                } else {
                    let name = self.fresh("out");
                    self.line(&format!("let mut {name} = [0.0; {m}];"));
                    self.fill_result(&name, m, &m.to_string());
                    self.line(&name);
                }
            }
            Output::OutParam(m) => {
                if self.rng.chance(0.5) {
                    // Overwritten below: its adjoint must not reach the inputs.
                    let e = self.expr(2, None);
                    let i = self.rng.below(m);
                    self.line(&format!("out[{i}] = {};", e.code));
                }
                self.fill_result("out", m, "out.len()");
            }
        }
    }

    pub(super) fn fill_result(&mut self, name: &str, len: usize, len_expr: &str) {
        let j = self.fresh("j");
        self.line(&format!("for {j} in 0..{len_expr} {{"));
        self.enter_loop(LoopKind::For, len);
        self.nested(|g| {
            g.scope().indices.push(Index::variable(j.clone(), len));
            let e = g.tail(Some(name));
            g.line(&format!("{name}[{j}] = {e};"));
        });
        self.leave_loop();
        self.line("}");
    }
}
