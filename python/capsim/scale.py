"""Scaling studies: throughput over a sweep of sizes (replicas, cores,
workers, users) and the Amdahl and Universal Scalability Law fits.

`capsim scale FILE --over services.api.replicas=1..32` runs the sweep and
prints the table; `Scenario.scale()` returns the same as DataFrames.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from capsim import _core
from capsim.errors import ScenarioError
from capsim.progress import ProgressArg
from capsim.sweep import run_many

if TYPE_CHECKING:
    from capsim.scenario import Scenario

EXAMPLES = """examples:
  capsim scale scenarios/checkout.toml --over services.api.replicas=1..16
  capsim scale scenarios/checkout.toml --over services.db.cores=2,4,8,16 --replications 3
  capsim scale scenarios/checkout.toml --over services.api.replicas=1..8 --json
"""


def parse_over(text: str) -> tuple[str, list[int]]:
    """"key=1..32" (powers of two from 1, and 32) or "key=1,2,3" -> (key, sizes)."""
    key, sep, spec = text.partition("=")
    if not sep or not key or not spec:
        raise ValueError(f"--over wants KEY=A..B or KEY=A,B,C, not {text!r}")
    try:
        if ".." in spec:
            lo, hi = (int(x) for x in spec.split("..", 1))
            if lo < 1 or hi < lo:
                raise ValueError
            sizes, k = [], lo
            while k < hi:
                sizes.append(k)
                k *= 2
            sizes.append(hi)
        else:
            sizes = sorted({int(x) for x in spec.split(",")})
    except ValueError:
        raise ValueError(f"--over: sizes must be whole numbers >= 1, as A..B or A,B,C, "
                         f"not {spec!r}") from None
    if len(sizes) < 3 or sizes[0] < 1:
        raise ValueError("--over needs at least 3 sizes >= 1 to fit a curve")
    return key, sizes


class Scaling:
    """Throughput at each size of a sweep, with the USL and Amdahl fits.

    ``points``: size, throughput (requests per second completed, all
    sources) and its 95% CI. ``fits``: gamma (throughput at size 1), sigma
    (contention, the serial fraction), kappa (coherency) with standard
    errors, and n_star, the size of peak throughput (USL).
    """

    def __init__(self, key: str, points: pd.DataFrame, usl: dict, amdahl: dict):
        self.key = key
        self.points = points
        self.usl = usl
        self.amdahl = amdahl

    @property
    def fits(self) -> pd.DataFrame:
        """One row per law ("usl", "amdahl") with its parameters and standard errors."""
        return pd.DataFrame([{"law": name, **f}
                             for name, f in (("usl", self.usl), ("amdahl", self.amdahl))])

    def predict(self, sizes: list[float]) -> pd.DataFrame:
        """Fitted throughput at any sizes, simulated or not."""
        def law(f: dict, n: float) -> float:
            return f["gamma"] * n / (1 + f["sigma"] * (n - 1) + f["kappa"] * n * (n - 1))
        return pd.DataFrame({"size": sizes, "usl": [law(self.usl, n) for n in sizes],
                             "amdahl": [law(self.amdahl, n) for n in sizes]})

    def to_dict(self) -> dict:
        return {"over": self.key, "points": self.points.to_dict(orient="records"),
                "usl": self.usl, "amdahl": self.amdahl}


def _throughput(report: dict) -> tuple[float, float]:
    mean = sum(s["throughput"]["mean"] or 0.0 for s in report["sources"])
    cis = [s["throughput"]["ci"] for s in report["sources"]]
    ci = math.sqrt(sum(c * c for c in cis)) if all(c is not None for c in cis) else math.nan
    return mean, ci


def _scaling_point(result) -> dict:
    x, ci = _throughput(result.report)
    return {"throughput": x, "throughput_ci": ci, "status": result.report["status"]}


def run_scaling(scenario: "Scenario", key: str, sizes: list[int],
                progress: ProgressArg = None, executor: Any = None,
                **run_kwargs) -> Scaling:
    """Run `scenario` at each size of `key` (same seed: common random
    numbers, so the sizes differ by the size, not by noise) and fit."""
    tasks = [(scenario.with_({key: n}), run_kwargs) for n in sizes]
    measured = run_many(tasks, _scaling_point, executor=executor, progress=progress,
                        description=f"{key} at {len(sizes)} sizes")
    rows = [{"size": n, **m} for n, m in zip(sizes, measured)]
    points = pd.DataFrame(rows)
    ns = [float(n) for n in points["size"]]
    xs = list(points["throughput"])
    usl = _core.fit_usl(ns, xs)
    amdahl = _core.fit_usl(ns, xs, amdahl=True)
    return Scaling(key, points, usl, amdahl)


def _fmt(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.4g}"


def _pm(v: float, se: float) -> str:
    return f"{v:.4g} ± {se:.2g}" if se == se else f"{v:.4g}"


def print_scaling(s: Scaling, out: Console) -> None:
    t = Table(title=f"Throughput over {s.key} (requests per second, all sources)",
              title_justify="left")
    for c in ("size", "simulated", "USL fit", "Amdahl fit", "status"):
        t.add_column(c, justify="left" if c == "status" else "right")
    pred = s.predict(list(s.points["size"]))
    for (_, p), (_, f) in zip(s.points.iterrows(), pred.iterrows()):
        sim = _fmt(p["throughput"])
        if p["throughput_ci"] == p["throughput_ci"]:
            sim += f" ± {p['throughput_ci']:.3g}"
        t.add_row(str(int(p["size"])), sim, _fmt(f["usl"]), _fmt(f["amdahl"]), p["status"])
    out.print(t)
    u, a = s.usl, s.amdahl
    out.print(f"USL: σ (contention) = {_pm(u['sigma'], u['sigma_se'])}, κ (coherency) = "
              f"{_pm(u['kappa'], u['kappa_se'])}, throughput at size 1 = "
              f"{_pm(u['gamma'], u['gamma_se'])}/s", highlight=False)
    xs = s.points["throughput"]
    if xs.max() < 1.05 * xs.min():
        out.print("[yellow]Note[/]: throughput hardly changes with size: the offered load, not "
                  "the capacity, sets it. Drive the scenario past capacity (a higher rate, or "
                  "closed users) to measure how it scales.", highlight=False)
    if math.isfinite(u["n_star"]) and u["kappa"] > 0 and u["n_star"] >= 1:
        peak = s.predict([u["n_star"]])["usl"][0]
        out.print(f"Peak at N* = √((1−σ)/κ) = {u['n_star']:.3g}: {_fmt(peak)}/s; beyond it "
                  "adding more lowers throughput", highlight=False)
    else:
        out.print("No coherency penalty fitted (κ ≤ 0): throughput keeps rising toward "
                  f"γ/σ = {_fmt(u['gamma'] / u['sigma']) if u['sigma'] > 0 else '∞'}/s",
                  highlight=False)
    out.print(f"Amdahl: serial fraction σ = {_pm(a['sigma'], a['sigma_se'])}, ceiling γ/σ = "
              f"{_fmt(a['gamma'] / a['sigma']) if a['sigma'] > 0 else '∞'}/s", highlight=False)
    largest = int(s.points["size"].max())
    ahead = s.predict([2 * largest, 4 * largest])
    out.print("Predicted, not simulated: " + "; ".join(
        f"size {int(r['size'])}: {_fmt(r['usl'])}/s (USL), {_fmt(r['amdahl'])}/s (Amdahl)"
        for _, r in ahead.iterrows()), highlight=False)


def cmd_scale(args: argparse.Namespace, out: Console, err: Console) -> int:
    from capsim.scenario import load
    try:
        key, sizes = parse_over(args.over)
    except ValueError as e:
        err.print(f"capsim scale: {e}", highlight=False, markup=False)
        return 2
    try:
        sc = load(args.file, list(args.set or []))
        # Validate the largest size up front: a bad key fails before any run.
        sc.with_({key: sizes[-1]})
    except ScenarioError as e:
        err.print(str(e), highlight=False, markup=False)
        return 2
    kwargs = {"threads": args.threads}
    if args.replications is not None:
        kwargs["replications"] = args.replications
    if args.duration is not None:
        kwargs["duration"] = args.duration

    try:
        s = run_scaling(sc, key, sizes, progress=False if args.quiet or args.json else None,
                        **kwargs)
    except ValueError as e:
        err.print(f"capsim scale: cannot fit: {e}", highlight=False, markup=False)
        return 2
    if args.json:
        import json
        sys.stdout.write(json.dumps(s.to_dict(), indent=2) + "\n")
    elif not args.quiet:
        print_scaling(s, out)
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("scale", help="sweep a size, fit Amdahl's law and the USL",
                       description="Run the scenario at each size of one key (replicas, cores, "
                                   "workers, users), with the same seed, and fit Amdahl's law and "
                                   "the Universal Scalability Law to the throughput.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("file", help="scenario TOML file")
    c.add_argument("--over", required=True, metavar="KEY=A..B",
                   help="the key to sweep and its sizes: A..B (powers of two from A, and B) "
                        "or A,B,C")
    c.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a scenario key (repeatable)")
    c.add_argument("--replications", type=int, help="replications per size (run.replications)")
    c.add_argument("--duration", help="simulated time per replication (run.duration)")
    c.add_argument("--threads", type=int, default=0, help="worker threads (default: all cores)")
    c.add_argument("--json", action="store_true", help="print the points and fits as JSON")
    c.add_argument("--quiet", action="store_true", help="print nothing; use the exit code")
    c.set_defaults(func=cmd_scale)
