//! Integer counters the body updates: `usize` locals and the `mut n: usize` parameter, in
//! index expressions, `as f64` casts, conditions and `match`.

use super::{Gen, Index};

/// Increments (times they run) a local counter may take.
const LOCAL_SPARE: usize = 10;

impl Gen<'_> {
    /// `let mut c = K;`, a `usize` whose range leaves room for `LOCAL_SPARE` increments.
    pub(super) fn let_counter(&mut self) {
        self.note("usize counter");
        let name = self.fresh("c");
        let start = self.rng.below(3);
        // Unannotated, it is a `usize` because it indexes (or an `i32` if it never does).
        if self.rng.chance(0.5) {
            self.line(&format!("let mut {name}: usize = {start};"));
        } else {
            self.line(&format!("let mut {name} = {start};"));
        }
        let level = self.loops.len();
        let hi = start + LOCAL_SPARE + 1;
        self.scope().indices.push(Index { name, hi, usize: true, counter: true, spare: LOCAL_SPARE, level });
    }

    /// `c += 1` while the budget lasts, or `c = (c + k) % hi`, which keeps it in range however
    /// often it runs.
    pub(super) fn counter_update(&mut self) {
        let counters: Vec<(String, usize, usize, usize)> = self
            .scopes
            .iter()
            .flat_map(|s| &s.indices)
            .filter(|i| i.counter)
            .map(|i| (i.name.clone(), i.hi, i.spare, i.level))
            .collect();
        let (name, hi, spare, level) = self.rng.pick(&counters).clone();
        let repeats = self.repeats(level) as usize;
        let is_param = self.count.is_some_and(|(n, _)| n == name);
        if spare >= repeats && (is_param || self.rng.chance(0.5)) {
            self.note("counter += 1");
            if is_param {
                self.note("param mut usize += 1");
            }
            self.line(&format!("{name} += 1;"));
            self.index_mut(&name).spare -= repeats;
        } else {
            self.note("counter update % hi");
            let k = self.rng.between(1, 3);
            self.line(&format!("{name} = ({name} + {k}) % {hi};"));
        }
    }

    /// Notes `feature` if `name` is a counter the body updates.
    pub(super) fn note_counter_use(&mut self, name: &str, feature: &'static str) {
        if self.is_counter(name) {
            self.note(feature);
        }
    }

    /// The parameters a `while` loop here can count down.
    pub(super) fn countdowns(&self) -> Vec<&'static str> {
        let mut options: Vec<&'static str> = self.countdown.into_iter().collect();
        options.extend(self.count.map(|(n, _)| n).filter(|n| self.is_counter(n)));
        options.retain(|q| !self.counting.contains(q));
        options
    }

    pub(super) fn has_countdown(&self) -> bool {
        !self.countdowns().is_empty()
    }

    pub(super) fn has_counter(&self) -> bool {
        self.scopes.iter().flat_map(|s| &s.indices).any(|i| i.counter)
    }
}
