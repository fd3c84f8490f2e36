#!/usr/bin/env python3
"""Ratios of the `scalar` benchmark's medians, read from criterion's JSON.

    cargo bench --bench scalar -- --warm-up-time 1 --measurement-time 3
    python3 benches/ratios.py

prints, per function, the median times in ns and grad/hand, grad/primal, jvp/primal,
checked against the targets (grad/hand <= 1.10, grad/primal <= 3).

On a shared, noisy machine one run can be off by tens of percent, and the benchmarks of a
group run one after the other, so load that comes and goes skews their ratios. Save
several runs as baselines and pass their names: the script prints each run, then each
benchmark's best (lowest) median over the runs, then the median of the per-run ratios with
their range, which is what the targets are checked against (a ratio within one run compares
two measurements taken minutes apart at most; the best medians may come from different runs):

    for i in 1 2 3 4 5; do cargo bench --bench scalar -- --warm-up-time 1 --measurement-time 3 --save-baseline run$i; done
    python3 benches/ratios.py run1 run2 run3 run4 run5

With `--training` first, the same for the `training` benchmark (issue 4): per network, the
median times of one SGD step in µs, generated/hand (target <= 1.15) and the GFLOP/s of each
step (2·m·n·k per matrix product, forward and backward; the count is the throughput the
benchmark declares), with at least 70 GFLOP/s wanted for the generated 784-128-10 step:

    cargo bench --bench training -- --warm-up-time 1 --measurement-time 3 --save-baseline run1
    python3 benches/ratios.py --training run1 run2

With `--loops` first, the same for the `loops` benchmark (issue 3): per function, primal,
generated vjp and hand-written gradient, with vjp/hand <= 1.20 (1.05 for the dot product):

    cargo bench --bench loops -- --warm-up-time 1 --measurement-time 3 --save-baseline run1
    python3 benches/ratios.py --loops run1 run2

With `--mixed` first, the `mixed` benchmark: per function, the vjp in mixed mode (a scalar
read in a loop differentiated forwards) and in pure reverse mode, and mixed/reverse, which
should be below 1:

    cargo bench --bench mixed -- --warm-up-time 1 --measurement-time 3 --save-baseline run1
    python3 benches/ratios.py --mixed run1 run2

With `--constructs` first, the `constructs` benchmark: per construct (a struct parameter,
iterator reductions, sub-slices passed to a call, a call's tuple result, rows), the vjp of the
computation written with it (natural) and flattened by hand into index loops over slices
(flat), and natural/flat, with natural/flat <= 1.10:

    cargo bench --bench constructs -- --warm-up-time 1 --measurement-time 3 --save-baseline run1
    python3 benches/ratios.py --constructs run1 run2

With `--gmm` first, the `gmm` benchmark (GradBench's GMM objective): per size, the primal and
the generated vjp in µs, and vjp/primal, with vjp/primal <= 4.0:

    cargo bench --bench gmm -- --warm-up-time 1 --measurement-time 3 --save-baseline run1
    python3 benches/ratios.py --gmm run1 run2

With `--threads` first, the `threads` benchmark (issue 15): the 784-128-10 SGD step at batch
256 on one thread over the same on two (`Sequential::set_threads(2)`):

    cargo bench --bench threads -- --warm-up-time 1 --measurement-time 3 --save-baseline run1
    python3 benches/ratios.py --threads run1 run2

With `--higher` first, the `higher` benchmark (issue 12): f_hvp against f_grad on Rosenbrock
(n = 100) and an MLP loss, hvp/grad <= 4; f_jacobian of R^26 -> R^1000 against its primal,
jacobian/primal <= 6, and 26 jvp calls against the primal for comparison:

    cargo bench --bench higher -- --warm-up-time 1 --measurement-time 3 --save-baseline run1
    python3 benches/ratios.py --higher run1 run2

Exits with 1 when a target is missed, 2 when a result is absent.
"""

import json
import os
import sys

TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target")
ROOT = os.path.join(TARGET, "criterion")
GROUPS = ["lecture", "neuron", "rosenbrock", "chain"]
BENCHES = ["primal", "grad", "hand", "jvp"]
RATIOS = [("grad/hand", "grad", "hand"), ("grad/primal", "grad", "primal"), ("jvp/primal", "jvp", "primal")]
TARGETS = {"grad/hand": 1.10, "grad/primal": 3.0}


def median_ns(baseline, group, bench):
    path = os.path.join(ROOT, group, bench, baseline, "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def collect(baselines, groups, benches, bench_name, group_name=lambda g: g):
    """Each benchmark's median per baseline, and the runs to print (each, then the best)."""
    times = {g: {b: [] for b in benches} for g in groups}
    for baseline in baselines:
        for group in groups:
            for bench in benches:
                try:
                    times[group][bench].append(median_ns(baseline, group_name(group), bench))
                except FileNotFoundError as e:
                    print(f"missing {e.filename}: run `cargo bench --bench {bench_name}` first", file=sys.stderr)
                    return None, None
    runs = [(name, i) for i, name in enumerate(baselines)]
    if len(baselines) > 1:
        runs.append((f"best of {len(baselines)}", None))
    return times, runs


def median(ratios):
    """The median of sorted values."""
    n = len(ratios)
    return ratios[n // 2] if n % 2 else (ratios[n // 2 - 1] + ratios[n // 2]) / 2


def spread(times, key, num, den):
    """Per key: the median of the per-run ratios num/den, and their range."""
    out = {}
    for k in key:
        ratios = sorted(a / b for a, b in zip(times[k][num], times[k][den]))
        out[k] = (median(ratios), ratios[0], ratios[-1])
    return out


def print_spread(title, ratios):
    print(f"median of the {title} ratios over the runs (range):")
    table(["benchmark", "median", "range"], [[k, f"{m:.2f}", f"{lo:.2f}-{hi:.2f}"] for k, (m, lo, hi) in ratios.items()])


def table(header, rows):
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths]] + rows:
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
    print()


def main():
    if sys.argv[1:2] == ["--training"]:
        return training(sys.argv[2:] or ["new"])
    if sys.argv[1:2] == ["--loops"]:
        return loops(sys.argv[2:] or ["new"])
    if sys.argv[1:2] == ["--mixed"]:
        return mixed(sys.argv[2:] or ["new"])
    if sys.argv[1:2] == ["--constructs"]:
        return constructs(sys.argv[2:] or ["new"])
    if sys.argv[1:2] == ["--gmm"]:
        return gmm(sys.argv[2:] or ["new"])
    if sys.argv[1:2] == ["--higher"]:
        return higher(sys.argv[2:] or ["new"])
    if sys.argv[1:2] == ["--threads"]:
        return threads(sys.argv[2:] or ["new"])
    if sys.argv[1:2] == ["--activations"]:
        return activations(sys.argv[2:] or ["new"])
    baselines = sys.argv[1:] or ["new"]
    times, runs = collect(baselines, GROUPS, BENCHES, "scalar")
    if times is None:
        return 2

    missed = []
    for name, i in runs:
        rows = []
        for group in GROUPS:
            t = {b: (min(v) if i is None else v[i]) for b, v in times[group].items()}
            r = {ratio: t[a] / t[b] for ratio, a, b in RATIOS}
            rows.append([group] + [f"{t[b]:.2f}" for b in BENCHES] + [f"{x:.2f}" for x in r.values()])
        print(f"{name}: median time per call (ns) and ratios")
        table(["function"] + BENCHES + [ratio for ratio, _, _ in RATIOS], rows)
    for ratio, a, b in RATIOS:
        if ratio in TARGETS:
            spreads = spread(times, GROUPS, a, b)
            print_spread(ratio, spreads)
            missed += [f"{g}: {ratio} = {m:.2f} > {TARGETS[ratio]}" for g, (m, _, _) in spreads.items() if m > TARGETS[ratio]]

    if missed:
        print("targets missed:\n  " + "\n  ".join(missed))
        return 1
    print("targets met: " + ", ".join(f"{k} <= {v}" for k, v in TARGETS.items()))
    return 0


LOOPS = ["dot", "horner", "softmax_cross_entropy", "dense", "recurrence", "rosenbrock", "det_minors"]
LOOPS_BENCHES = ["primal", "vjp", "hand"]
# det_minors (a recursion that branches, re-run in the adjoint sweep) has no target: its hand
# gradient knows the seed before the recursion and needs one pass.
LOOPS_TARGETS = {"dot": 1.05, "rosenbrock": 1.10, "det_minors": None}
LOOPS_TARGET = 1.20


def loops(baselines):
    """The `loops` benchmark (issue 3): vjp/hand <= 1.20, and <= 1.05 for the dot product."""
    times, runs = collect(baselines, LOOPS, LOOPS_BENCHES, "loops")
    if times is None:
        return 2
    missed = []
    for name, i in runs:
        rows = []
        for group in LOOPS:
            t = {b: (min(v) if i is None else v[i]) for b, v in times[group].items()}
            ratio = t["vjp"] / t["hand"]
            rows.append([group] + [f"{t[b]:.1f}" for b in LOOPS_BENCHES] + [f"{ratio:.2f}", f"{t['vjp'] / t['primal']:.2f}"])
        print(f"{name}: median time per call (ns) and ratios")
        table(["function"] + LOOPS_BENCHES + ["vjp/hand", "vjp/primal"], rows)
    spreads = spread(times, LOOPS, "vjp", "hand")
    print_spread("vjp/hand", spreads)
    for group, (m, _, _) in spreads.items():
        target = LOOPS_TARGETS.get(group, LOOPS_TARGET)
        if target is not None and m > target:
            missed.append(f"{group}: vjp/hand = {m:.2f} > {target}")
    if missed:
        print("targets missed:\n  " + "\n  ".join(missed))
        return 1
    print("targets met: vjp/hand <= 1.20 (dot <= 1.05)")
    return 0


MIXED = ["horner", "scaled_sum", "squares"]
MIXED_BENCHES = ["mixed", "reverse"]


def mixed(baselines):
    """The `mixed` benchmark: mixed mode against pure reverse mode, mixed/reverse < 1."""
    times, runs = collect(baselines, MIXED, MIXED_BENCHES, "mixed", lambda f: f"mixed_{f}")
    if times is None:
        return 2
    for name, i in runs:
        rows = []
        for f in MIXED:
            t = {b: (min(v) if i is None else v[i]) for b, v in times[f].items()}
            rows.append([f] + [f"{t[b]:.1f}" for b in MIXED_BENCHES] + [f"{t['mixed'] / t['reverse']:.2f}"])
        print(f"{name}: median time per vjp (ns) and ratio")
        table(["function"] + MIXED_BENCHES + ["mixed/reverse"], rows)
    spreads = spread(times, MIXED, "mixed", "reverse")
    print_spread("mixed/reverse", spreads)
    missed = [f"{f}: mixed/reverse = {m:.2f} >= 1" for f, (m, _, _) in spreads.items() if m >= 1.0]
    if missed:
        print("targets missed:\n  " + "\n  ".join(missed))
        return 1
    print("targets met: mixed/reverse < 1")
    return 0


CONSTRUCTS = ["struct", "iter", "subslice", "tuple", "rows"]
CONSTRUCTS_BENCHES = ["natural", "flat"]
CONSTRUCTS_TARGET = 1.10


def constructs(baselines):
    """The `constructs` benchmark: each construct against the same code flattened, natural/flat <= 1.10."""
    times, runs = collect(baselines, CONSTRUCTS, CONSTRUCTS_BENCHES, "constructs", lambda c: f"construct_{c}")
    if times is None:
        return 2
    for name, i in runs:
        rows = []
        for c in CONSTRUCTS:
            t = {b: (min(v) if i is None else v[i]) for b, v in times[c].items()}
            rows.append([c] + [f"{t[b]:.1f}" for b in CONSTRUCTS_BENCHES] + [f"{t['natural'] / t['flat']:.2f}"])
        print(f"{name}: median time per vjp (ns) and ratio")
        table(["construct"] + CONSTRUCTS_BENCHES + ["natural/flat"], rows)
    spreads = spread(times, CONSTRUCTS, "natural", "flat")
    print_spread("natural/flat", spreads)
    missed = [f"{c}: natural/flat = {m:.2f} > {CONSTRUCTS_TARGET}" for c, (m, _, _) in spreads.items() if m > CONSTRUCTS_TARGET]
    if missed:
        print("targets missed:\n  " + "\n  ".join(missed))
        return 1
    print(f"targets met: natural/flat <= {CONSTRUCTS_TARGET}")
    return 0


GMM = ["d2_k5", "d10_k5", "d20_k10"]
GMM_BENCHES = ["primal", "vjp"]
GMM_TARGET = 4.0


def gmm(baselines):
    """The `gmm` benchmark: GradBench's GMM objective, vjp/primal <= 4.0 per size."""
    times, runs = collect(baselines, GMM, GMM_BENCHES, "gmm", lambda g: f"gmm_{g}")
    if times is None:
        return 2
    for name, i in runs:
        rows = []
        for g in GMM:
            t = {b: (min(v) if i is None else v[i]) for b, v in times[g].items()}
            rows.append([g] + [f"{t[b] / 1000:.2f}" for b in GMM_BENCHES] + [f"{t['vjp'] / t['primal']:.2f}"])
        print(f"{name}: median time per call (µs) and ratio")
        table(["size"] + [f"{b} µs" for b in GMM_BENCHES] + ["vjp/primal"], rows)
    spreads = spread(times, GMM, "vjp", "primal")
    print_spread("vjp/primal", spreads)
    missed = [f"{g}: vjp/primal = {m:.2f} > {GMM_TARGET}" for g, (m, _, _) in spreads.items() if m > GMM_TARGET]
    if missed:
        print("targets missed:\n  " + "\n  ".join(missed))
        return 1
    print(f"targets met: vjp/primal <= {GMM_TARGET}")
    return 0


TRAINING = ["2-4-1", "64-32-10", "784-128-10"]
TRAINING_BENCHES = ["generated", "hand"]
TRAINING_RATIO = 1.15
TRAINING_GFLOPS = {"784-128-10": 70.0}


def flops(group, bench, baseline):
    path = os.path.join(ROOT, group, bench, baseline, "benchmark.json")
    with open(path) as f:
        return json.load(f)["throughput"]["Elements"]


def activations(baselines):
    """The runtime's sigmoid over 1024 f32 inputs against the plain formula and the
    two-branch form (benches/activations.rs), per run."""
    benches = ["runtime", "plain", "two_branch"]
    times, runs = collect(baselines, ["sigmoid_1024"], benches, "activations")
    if times is None:
        return 2
    t = times["sigmoid_1024"]
    rows = []
    for name, i in runs:
        at = {b: (min(v) if i is None else v[i]) for b, v in t.items()}
        rows.append([name] + [f"{at[b]:.0f}" for b in benches] + [f"{at['runtime'] / at['plain']:.2f}", f"{at['two_branch'] / at['plain']:.2f}"])
    print("sigmoid over 1024 f32 inputs: median ns")
    table(["run"] + [f"{b} ns" for b in benches] + ["runtime/plain", "two_branch/plain"], rows)
    return 0


def training(baselines):
    times, runs = collect(baselines, TRAINING, TRAINING_BENCHES, "training", lambda net: f"training_{net}")
    if times is None:
        return 2
    work = {net: flops(f"training_{net}", "generated", baselines[0]) for net in TRAINING}

    missed = []
    for name, i in runs:
        rows = []
        for net in TRAINING:
            t = {b: (min(v) if i is None else v[i]) for b, v in times[net].items()}
            ratio = t["generated"] / t["hand"]
            gflops = {b: work[net] / t[b] for b in TRAINING_BENCHES}  # flop per ns = GFLOP/s
            if name == runs[-1][0]:
                if gflops["generated"] < TRAINING_GFLOPS.get(net, 0.0):
                    missed.append(f"{net}: {gflops['generated']:.1f} GFLOP/s < {TRAINING_GFLOPS[net]}")
            rows.append(
                [net]
                + [f"{t[b] / 1000:.2f}" for b in TRAINING_BENCHES]
                + [f"{ratio:.2f}"]
                + [f"{gflops[b]:.1f}" for b in TRAINING_BENCHES]
            )
        print(f"{name}: median time per SGD step (µs), ratio and GFLOP/s")
        table(["network"] + [f"{b} µs" for b in TRAINING_BENCHES] + ["generated/hand"] + [f"{b} GFLOP/s" for b in TRAINING_BENCHES], rows)
    spreads = spread(times, TRAINING, "generated", "hand")
    print_spread("generated/hand", spreads)
    missed += [f"{net}: generated/hand = {m:.2f} > {TRAINING_RATIO}" for net, (m, _, _) in spreads.items() if m > TRAINING_RATIO]

    if missed:
        print("targets missed:\n  " + "\n  ".join(missed))
        return 1
    print(f"targets met: generated/hand <= {TRAINING_RATIO}, 784-128-10 >= {TRAINING_GFLOPS['784-128-10']} GFLOP/s")
    return 0


HIGHER = [("hvp_rosenbrock", "hvp", "grad", 4.0), ("hvp_mlp", "hvp", "grad", 4.0),
          ("jacobian", "jacobian", "primal", 6.0), ("jacobian", "jvps", "primal", None),
          ("hvp_kmeans", "grad", "primal", None), ("hvp_kmeans", "hvp", "primal", None)]


def higher(baselines):
    """The `higher` benchmark (issue 12): hvp/grad <= 4, jacobian/primal <= 6."""
    missed = []
    for group, num, den, target in HIGHER:
        ratios = []
        for b in baselines:
            try:
                ratios.append(median_ns(b, group, num) / median_ns(b, group, den))
            except FileNotFoundError as e:
                print(f"missing {e.filename}: run `cargo bench --bench higher` first", file=sys.stderr)
                return 2
        ratios.sort()
        middle = median(ratios)
        runs = ", ".join(f"{r:.2f}" for r in ratios)
        goal = f"(target <= {target})" if target else ""
        print(f"{group:15} {num}/{den}: median {middle:.2f} over runs [{runs}] {goal}")
        if target and middle > target:
            missed.append(f"{group}: {num}/{den} = {middle:.2f} > {target}")
    if missed:
        print("targets missed:\n  " + "\n  ".join(missed))
        return 1
    print("targets met")
    return 0


def threads(baselines):
    """The `threads` benchmark (issue 15): one thread's step over two threads' >= 1.6."""
    ratios = []
    for b in baselines:
        try:
            one, two = (median_ns(b, "threads_784-128-10", n) for n in ("one", "two"))
        except FileNotFoundError as e:
            print(f"missing {e.filename}: run `cargo bench --bench threads` first", file=sys.stderr)
            return 2
        try:
            ceiling = median_ns(b, "threads_784-128-10", "ceiling")
            bound = f", ceiling {ceiling / 1e3:.0f} µs (best speed-up here {one / ceiling:.2f})"
        except FileNotFoundError:
            bound = ""
        print(f"{b}: one thread {one / 1e3:.0f} µs, two {two / 1e3:.0f} µs, speed-up {one / two:.2f}{bound}")
        ratios.append(one / two)
    ratios.sort()
    middle = median(ratios)
    print(f"median speed-up {middle:.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f}) (target >= 1.6)")
    return 0 if middle >= 1.6 else 1


if __name__ == "__main__":
    sys.exit(main())
