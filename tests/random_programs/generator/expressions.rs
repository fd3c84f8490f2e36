//! Expressions, each with a bound on its magnitude, and conditions.

use super::{CAP, Expr, Gen};
use std::fmt::Write as _;

impl Gen<'_> {
    pub(super) fn literal(&mut self, lo: f64, hi: f64) -> String {
        let x = self.rng.uniform(lo, hi);
        if x < 0.0 { format!("({x:.2})") } else { format!("{x:.2}") }
    }

    /// An index into a container of `len` elements (whose length the body writes `len_expr`)
    /// that is in bounds whatever the counters in scope hold.
    pub(super) fn index(&mut self, len: usize, len_expr: &str) -> String {
        let indices = self.usize_indices();
        let mut options = vec![self.rng.below(len).to_string()];
        for (i, hi) in &indices {
            if *hi <= len {
                options.push(i.clone());
                options.push(i.clone());
                options.push(format!("{len_expr} - 1 - {i}"));
            } else {
                options.push(format!("{i} % {len_expr}"));
            }
            options.push(format!("({i} + {}) % {len_expr}", self.rng.between(1, 3)));
        }
        if indices.len() >= 2 {
            let (i, j) = (&indices[indices.len() - 2].0, &indices[indices.len() - 1].0);
            options.push(format!("({i} + {j}) % {len_expr}"));
            options.push(format!("({i} * {j} + 1) % {len_expr}"));
        }
        if options.len() > 1 {
            self.note("computed index");
        }
        let index = self.rng.pick(&options).clone();
        let names: Vec<&str> = index.split(|c: char| !c.is_alphanumeric() && c != '_').collect();
        if names.iter().any(|n| self.is_counter(n)) {
            self.note("counter in an index");
        }
        index
    }

    pub(super) fn leaf(&mut self, exclude: Option<&str>) -> Expr {
        let floats: Vec<(String, f64)> = self
            .floats()
            .filter(|f| Some(f.name.as_str()) != exclude)
            .map(|f| (f.name.clone(), self.read_bound(&f.name, f.bound)))
            .collect();
        let arrays: Vec<(String, usize, String, f64, bool)> = self
            .arrays()
            .filter(|a| Some(a.name.as_str()) != exclude)
            .map(|a| (a.name.clone(), a.len, a.len_expr.clone(), self.read_bound(&a.name, a.bound), a.typed))
            .collect();
        let casts = self.indices();
        loop {
            match self.rng.below(10) {
                0..=3 if !floats.is_empty() => {
                    // Half the time one of the two latest: a value computed in a block then
                    // mostly flows into the update that ends the block, rather than dying
                    // unread, and so reaches the result whose gradient is checked.
                    let recent = if self.rng.chance(0.5) { &floats[floats.len().saturating_sub(2)..] } else { &floats };
                    let (name, bound) = self.rng.pick(recent).clone();
                    return Expr::new(name, bound);
                }
                4..=7 if !arrays.is_empty() => {
                    let (name, len, len_expr, bound, typed) = self.rng.pick(&arrays).clone();
                    let i = self.index(len, &len_expr);
                    return Expr { code: format!("{name}[{i}]"), bound, typed };
                }
                8 if !casts.is_empty() => {
                    self.note("cast of a counter");
                    let (i, hi) = self.rng.pick(&casts).clone();
                    self.note_counter_use(&i, "counter in a cast");
                    return Expr::new(format!("({i} as f64 * 0.25)"), hi as f64 * 0.25);
                }
                9 if self.rng.chance(0.1) => {
                    self.note("const path");
                    return Expr::new("std::f64::consts::FRAC_PI_4".into(), 0.8);
                }
                9 => {
                    let code = self.literal(-1.5, 1.5);
                    return Expr { code, bound: 1.5, typed: false };
                }
                _ => {}
            }
        }
    }

    /// A typed expression (one a method can be called on).
    pub(super) fn operand(&mut self, depth: usize, exclude: Option<&str>) -> Expr {
        let e = self.expr(depth, exclude);
        if e.typed { e } else { self.leaf_typed(exclude) }
    }

    pub(super) fn leaf_typed(&mut self, exclude: Option<&str>) -> Expr {
        loop {
            let e = self.leaf(exclude);
            if e.typed {
                return e;
            }
        }
    }

    pub(super) fn squash(&mut self, e: Expr, limit: f64) -> Expr {
        if e.bound <= limit {
            e
        } else if e.typed {
            self.note("squash");
            Expr::new(format!("{}.tanh()", e.code), 1.0)
        } else {
            Expr::new(format!("f64::tanh({})", e.code), 1.0)
        }
    }

    pub(super) fn method(&mut self, m: &'static str, e: Expr, bound: f64) -> Expr {
        self.note(m);
        let code = if self.rng.chance(0.1) { format!("f64::{m}({})", e.code) } else { format!("{}.{m}()", e.code) };
        Expr::new(code, bound)
    }

    pub(super) fn expr(&mut self, depth: usize, exclude: Option<&str>) -> Expr {
        if depth == 0 || self.rng.chance(0.25) {
            return self.leaf(exclude);
        }
        let d = depth - 1;
        let e = match self.rng.below(37) {
            0..=2 => {
                let (a, b) = (self.expr(d, exclude), self.expr(d, exclude));
                Expr { code: format!("({} + {})", a.code, b.code), bound: a.bound + b.bound, typed: a.typed || b.typed }
            }
            3..=4 => {
                let (a, b) = (self.expr(d, exclude), self.expr(d, exclude));
                Expr { code: format!("({} - {})", a.code, b.code), bound: a.bound + b.bound, typed: a.typed || b.typed }
            }
            5..=7 => {
                let a = self.expr(d, exclude);
                let a = self.squash(a, 5.0);
                let b = self.expr(d, exclude);
                let b = self.squash(b, 5.0);
                Expr { code: format!("({} * {})", a.code, b.code), bound: a.bound * b.bound, typed: a.typed || b.typed }
            }
            8 => {
                self.note("/");
                let (a, b) = (self.expr(d, exclude), self.expr(d, exclude));
                Expr {
                    code: format!("({} / ({} * {} + 1.0))", a.code, b.code, b.code),
                    bound: a.bound,
                    typed: a.typed || b.typed,
                }
            }
            9 => {
                let a = self.expr(d, exclude);
                Expr { code: format!("(-{})", a.code), bound: a.bound, typed: a.typed }
            }
            10..=11 => {
                let a = self.operand(d, exclude);
                self.method("sin", a, 1.0)
            }
            12 => {
                let a = self.operand(d, exclude);
                self.method("cos", a, 1.0)
            }
            13..=14 => {
                let a = self.operand(d, exclude);
                self.method("tanh", a, 1.0)
            }
            15 => {
                let a = self.operand(d, exclude);
                let a = self.squash(a, 2.0);
                let bound = a.bound.exp();
                self.method("exp", a, bound)
            }
            16 => {
                let a = self.operand(d, exclude);
                self.note("sqrt");
                Expr::new(format!("({} * {} + 1.0).sqrt()", a.code, a.code), (a.bound * a.bound + 1.0).sqrt())
            }
            17 => {
                let a = self.operand(d, exclude);
                self.note("ln");
                Expr::new(format!("({} * {} + 1.0).ln()", a.code, a.code), (a.bound * a.bound + 1.0).ln())
            }
            18 => {
                let a = self.operand(d, exclude);
                let k = self.rng.between(2, 3) as i32;
                let a = self.squash(a, 3.0);
                self.note("powi");
                Expr::new(format!("{}.powi({k})", a.code), a.bound.powi(k))
            }
            19 => {
                let a = self.operand(d, exclude);
                let bound = a.bound;
                self.method("abs", a, bound)
            }
            20..=21 => {
                let m = if self.rng.chance(0.5) { "max" } else { "min" };
                self.note(m);
                let (a, b) = (self.operand(d, exclude), self.expr(d, exclude));
                Expr::new(format!("{}.{m}({})", a.code, b.code), a.bound.max(b.bound))
            }
            22 => {
                let a = self.operand(d, exclude);
                self.method("atan", a, 1.6)
            }
            23 => {
                let a = self.expr(d, exclude);
                let f = *self.rng.pick(&["sigmoid", "softplus", "softsign"]);
                self.note(f);
                let bound = if f == "softplus" { a.bound + 1.0 } else { 1.0 };
                Expr::new(format!("{f}({})", a.code), bound)
            }
            24 => {
                let (a, b) = (self.expr(d, exclude), self.expr(d, exclude));
                self.called();
                // Or the same through a tuple passed to a call, written out.
                if self.rng.chance(0.3) {
                    self.note("call with a tuple");
                    return Expr::new(format!("bump_pair(({}, {}))", a.code, b.code), 1.5 * b.bound.max(1.0));
                }
                self.note("call bump");
                Expr::new(format!("bump({}, {})", a.code, b.code), b.bound.max(1.0))
            }
            25 => self.slice_call(d, exclude),
            26 => {
                let a = self.operand(d, exclude);
                let b = self.operand(d, exclude);
                let c = self.expr(d, exclude);
                let (a, b) = (self.squash(a, 5.0), self.squash(b, 5.0));
                self.note("mul_add");
                Expr::new(format!("{}.mul_add({}, {})", a.code, b.code, c.code), a.bound * b.bound + c.bound)
            }
            27 => {
                let a = self.operand(d, exclude);
                let b = self.operand(d, exclude);
                self.note("hypot");
                Expr::new(format!("{}.hypot({} * {} + 0.5)", a.code, b.code, b.code), a.bound + b.bound * b.bound + 0.5)
            }
            28 => {
                let a = self.operand(d, exclude);
                let b = self.operand(d, exclude);
                let b = self.squash(b, 2.0);
                self.note("powf");
                let bound = (a.bound * a.bound + 1.0).powf(b.bound);
                Expr::new(format!("({} * {} + 1.0).powf({})", a.code, a.code, b.code), bound)
            }
            29 => {
                let a = self.operand(d, exclude);
                let a = self.squash(a, 2.0);
                let bound = a.bound.cosh();
                let m = *self.rng.pick(&["sinh", "cosh"]);
                self.method(m, a, bound)
            }
            30 => {
                let a = self.operand(d, exclude);
                self.note("clamp");
                Expr::new(format!("{}.clamp(-0.5, 0.5)", a.code), 0.5)
            }
            31 => {
                let a = self.operand(d, exclude);
                self.note("atan2");
                Expr::new(format!("{}.atan2({} * {} + 1.0)", a.code, a.code, a.code), 1.6)
            }
            32 => {
                let a = self.expr(d, exclude);
                let f = *self.rng.pick(&["relu", "leaky_relu", "elu"]);
                self.note(f);
                // The slope and alpha are constant parameters: literals, or any constant.
                let (code, bound) = match f {
                    "relu" => (format!("relu({})", a.code), a.bound),
                    "leaky_relu" if self.rng.chance(0.5) => (format!("leaky_relu({}, 0.1)", a.code), a.bound),
                    "elu" if self.rng.chance(0.5) => (format!("elu({}, 1.0)", a.code), a.bound.max(1.0)),
                    _ => {
                        let c = self.constant_arg(d, exclude);
                        let bound = (a.bound + 1.0) * c.bound.max(1.0);
                        (format!("{f}({}, {})", a.code, c.code), bound)
                    }
                };
                Expr::new(code, bound)
            }
            33 => {
                let a = self.operand(d, exclude);
                self.note("cbrt");
                Expr::new(format!("({} * {} + 1.0).cbrt()", a.code, a.code), (a.bound * a.bound + 1.0).cbrt())
            }
            34 => {
                let a = self.operand(d, exclude);
                self.stop_gradient(a)
            }
            35 => self.damp_call(d, exclude),
            _ => self.counter_power(d, exclude),
        };
        self.squash(e, CAP)
    }

    /// `x.powi(i as i32)` or `x.powf(i as f64)` with an integer that can be 0, `|x| <= 1`.
    pub(super) fn counter_power(&mut self, d: usize, exclude: Option<&str>) -> Expr {
        let indices = self.indices();
        let a = self.operand(d, exclude);
        let a = self.squash(a, 1.0);
        if indices.is_empty() {
            self.note("powi");
            return Expr::new(format!("{}.powi(2)", a.code), a.bound * a.bound);
        }
        let (i, _) = self.rng.pick(&indices).clone();
        self.note_counter_use(&i, "counter in a cast");
        // powf of a negative base is finite only for integer exponents, which these are.
        if self.rng.chance(0.5) {
            self.note("powi of a counter");
            Expr::new(format!("{}.powi({i} as i32)", a.code), 1.0)
        } else {
            self.note("powf of a counter");
            Expr::new(format!("{}.powf({i} as f64)", a.code), 1.0)
        }
    }

    /// A call lending arrays to a differentiable helper for reading: slice parameters by name,
    /// and (deferred calls, which copy what they read) local arrays, `vec!`s, by-value array
    /// parameters and the output parameter as `&a`, `&a[1..]` or `&a[..k]`.
    pub(super) fn slice_call(&mut self, d: usize, exclude: Option<&str>) -> Expr {
        self.called();
        let arrays: Vec<(String, usize, f64, bool, bool)> = self
            .arrays()
            .filter(|a| Some(a.name.as_str()) != exclude)
            .map(|a| {
                (a.name.clone(), a.len, self.read_bound(&a.name, a.bound), a.lendable, a.len_expr.ends_with(".len()"))
            })
            .collect();
        let mut lent: Vec<(String, usize, f64)> = Vec::new();
        for (name, len, bound, lendable, slice) in arrays {
            // A slice parameter is never written: a part of it bound to a name lives safely
            // across the rest of the body.
            if lendable && len > 1 && self.rng.chance(0.2) {
                let view = self.fresh("part");
                let _ = writeln!(self.preamble, "    let {view} = &{name}[1..];");
                self.note("let part of a slice");
                lent.push((view, len - 1, bound));
                continue;
            }
            if lendable {
                lent.push((name, len, bound));
                continue;
            }
            // The output parameter is a `&mut` slice: lent for reading as `&out[..]`.
            let whole = if slice { format!("&{name}[..]") } else { format!("&{name}") };
            match self.rng.below(4) {
                0 if len > 1 => lent.push((format!("&{name}[1..]"), len - 1, bound)),
                1 if len > 1 => {
                    let k = self.rng.between(1, len - 1);
                    lent.push((format!("&{name}[..{k}]"), k, bound));
                }
                _ => lent.push((whole, len, bound)),
            }
        }
        // An array written out, lent for reading: a local array of its own at the call.
        if self.rng.chance(0.1) {
            let elems: Vec<Expr> = (0..self.rng.between(2, 3)).map(|_| self.operand(d, exclude)).collect();
            let bound = elems.iter().map(|e| e.bound).fold(0.0, f64::max);
            let code = elems.iter().map(|e| e.code.as_str()).collect::<Vec<_>>().join(", ");
            self.note("array written out as an argument");
            lent.push((format!("&[{code}]"), elems.len(), bound));
        }
        let (s, len, bound) = self.rng.pick(&lent).clone();
        if s.starts_with('&') {
            self.note("call reading an array of the function's own");
        }
        match self.rng.below(3) {
            0 => {
                // `dot` reads as many of its second argument as its first has.
                let longer: Vec<(String, usize, f64)> = lent.iter().filter(|t| t.1 >= len).cloned().collect();
                let (t, _, bound2) = self.rng.pick(&longer).clone();
                self.note("call dot");
                Expr::new(format!("dot({s}, {t})"), len as f64 * bound * bound2)
            }
            1 => {
                let x = self.operand(d, exclude);
                let x = self.squash(x, 1.0);
                self.note("call horner");
                Expr::new(format!("horner({}, {s})", x.code), len as f64 * bound)
            }
            _ => {
                self.note("call soft_norm");
                Expr::new(format!("soft_norm({s})"), (1.0 + len as f64 * bound * bound).sqrt())
            }
        }
    }

    pub(super) fn condition(&mut self, depth: usize) -> String {
        let indices = self.indices();
        match self.rng.below(14) {
            0 if depth > 0 => {
                self.note("&&");
                format!("{} && {}", self.condition(depth - 1), self.condition(depth - 1))
            }
            1 if depth > 0 => {
                self.note("||");
                format!("{} || {}", self.condition(depth - 1), self.condition(depth - 1))
            }
            2 if depth > 0 => {
                self.note("!");
                format!("!({})", self.condition(depth - 1))
            }
            3..=5 if !indices.is_empty() => {
                self.note("condition on a counter");
                let (i, hi) = self.rng.pick(&indices).clone();
                match self.rng.below(3) {
                    0 => format!("{i} == {}", self.rng.below(hi)),
                    1 => format!("{i} % 2 == 0"),
                    _ => format!("{i} > {}", self.rng.below(hi)),
                }
            }
            6 if self.count.is_some() => {
                let (n, value) = self.count.unwrap();
                format!("{n} > {}", self.rng.below(value + 1))
            }
            7 => self.cfg(),
            8 if !indices.is_empty() => {
                self.note("matches!");
                let (i, _) = self.rng.pick(&indices).clone();
                let pattern = *self.rng.pick(&["1 | 3", "0..=2", "2 | 4..=6", "0"]);
                format!("matches!({i}, {pattern})")
            }
            _ => {
                self.note("condition on an active value");
                let e = self.operand(1, None);
                let op = *self.rng.pick(&[">", "<", ">=", "<="]);
                format!("{} {op} {}", e.code, self.literal(-0.5, 0.5))
            }
        }
    }

    /// A `cfg!` condition: a constant `bool`, the same in the function and its derivatives.
    pub(super) fn cfg(&mut self) -> String {
        self.note("cfg!");
        let cfg = *self.rng.pick(&[
            "cfg!(any())",
            "cfg!(all())",
            "cfg!(debug_assertions)",
            "!cfg!(debug_assertions)",
            "cfg!(not(any()))",
            "cfg!(target_pointer_width = \"64\")",
        ]);
        cfg.to_string()
    }
}
