"""Capacity at SLO: the highest load that still meets the SLOs, found by
search, with a confidence interval.

Each load tried is a run with replications, so each SLO metric comes with
its 95% confidence interval. At every load one of three things holds:
every SLO passes with its whole interval below the threshold (a *sure
pass*), some SLO fails with its whole interval above (a *sure fail*), or the
replications cannot tell. Under a metric that grows with load, the loads
that cannot be told apart are the ones not excluded by a 95% test of
"the metric equals the threshold here": inverting that test gives the
interval. Its low end is the highest load found to pass surely, its high
end the lowest load found to fail surely; the estimate is the highest load
whose mean meets every SLO (what ``capsim run`` would call a pass). All
loads run with the same seed (common random numbers), so the metric moves
smoothly with the load and the search does not chase noise.

The search doubles (or halves) from the scenario's own value until it has a
sure pass below and a sure fail above, then bisects the three boundaries at
once, running their midpoints in parallel, until each is known to within
`rel_tol`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

import pandas as pd

from capsim.progress import ProgressArg
from capsim.quantity import join, split
from capsim.sweep import run_many

if TYPE_CHECKING:
    from capsim.result import Result
    from capsim.scenario import Scenario

#: "api.checkout p99 < 300ms", {"endpoint": "api.checkout", "p99": "300ms"}, or a list.
SloSpec = Union[str, Mapping[str, Any], Sequence[Union[str, Mapping[str, Any]]]]

_SLO_TEXT = re.compile(r"^\s*(\S+)\s+(\S+)\s*<\s*(.+?)\s*$")


def _slo_table(slo: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(slo, Mapping):
        return dict(slo)
    m = _SLO_TEXT.match(slo)
    if m is None:
        raise ValueError(f"an SLO is 'service.endpoint metric < threshold', not {slo!r}")
    endpoint, metric, threshold = m.groups()
    return {"endpoint": endpoint, "p999" if metric == "p99.9" else metric: threshold}


def slo_override(slo: SloSpec) -> str:
    """The ``slo=[...]`` override (TOML) that replaces a scenario's SLOs."""
    items = [slo] if isinstance(slo, (str, Mapping)) else list(slo)
    tables = []
    for item in items:
        fields = ", ".join(f"{k} = {json.dumps(v)}" for k, v in _slo_table(item).items())
        tables.append("{ " + fields + " }")
    return "slo=[" + ", ".join(tables) + "]"


def _verdict(result: "Result") -> dict:
    """Where one load stands against the SLOs: worst value / threshold, with
    the CI's low and high ends (ratio < 1 passes)."""
    report = result.report
    ratios, lows, highs = [], [], []
    for s in report["slos"]:
        v, h, thr = s["value"]["mean"], s["value"]["ci"], s["threshold"]
        if v is None:  # nothing completed at all: as bad as it gets
            v, h = math.inf, 0.0
        h = math.nan if h is None else h
        ratios.append(v / thr if thr > 0 else (math.inf if v > 0 else 0.0))
        lows.append((v - h) / thr if thr > 0 else math.nan)
        highs.append((v + h) / thr if thr > 0 else math.nan)
    return {"ratio": max(ratios), "ratio_low": max(lows), "ratio_high": max(highs),
            "unstable": bool(report["unstable"]), "slos": len(ratios)}


def _criteria(v: dict) -> tuple[bool, bool, bool]:
    """(sure pass, pass, not a sure fail): each implies the next."""
    if v["unstable"]:
        return False, False, False
    sure_pass = v["ratio_high"] < 1  # NaN (one replication) is never sure
    passes = v["ratio"] < 1
    not_sure_fail = not (v["ratio_low"] >= 1)
    return sure_pass, passes, not_sure_fail


@dataclass
class Capacity:
    """The result of :func:`capacity`.

    ``value`` is the highest load found to meet every SLO (in the unit of
    ``over``, e.g. requests per second for a rate), ``low``..``high`` its 95%
    confidence interval (see the module's documentation), ``points`` every
    load run: ``load`` (number), ``value`` (as written), ``ratio`` (worst
    SLO value / threshold: below 1 passes) with ``ratio_low`` /
    ``ratio_high`` (its CI), ``unstable``, ``sure_pass``, ``passes``,
    ``sure_fail``.
    """

    over: str
    unit: str
    value: float
    low: float
    high: float
    replications: int
    points: pd.DataFrame = field(repr=False)
    note: str = ""

    def format(self, x: float, digits: int = 4) -> str:
        """A load written as the scenario writes it, to `digits` significant digits."""
        if x != x:
            return "-"
        if math.isinf(x):
            return "∞"
        return f"{x:.{digits}g}{self.unit}"

    def __str__(self) -> str:
        return (f"{self.over}: {self.format(self.value)} (95% CI {self.format(self.low)} .. "
                f"{self.format(self.high)}, {self.replications} replications per load)"
                + (f"; {self.note}" if self.note else ""))

    def to_dict(self) -> dict:
        def clean(x: float) -> float | None:
            return None if x != x or math.isinf(x) else x
        return {"over": self.over, "unit": self.unit, "value": clean(self.value),
                "low": clean(self.low), "high": clean(self.high),
                "replications": self.replications, "note": self.note,
                "points": json.loads(self.points.to_json(orient="records"))}


def capacity(scenario: "Scenario", over: str, *, slo: SloSpec | None = None,
             lo: Any = None, hi: Any = None, rel_tol: float = 0.02,
             replications: int | None = None, seed: int | None = None,
             duration: str | None = None, warmup: str | None = None, executor: Any = None,
             progress: ProgressArg = None, max_runs: int = 40) -> Capacity:
    """The highest value of `over` (a load: ``"traffic.web.rate"``, users,
    a spike's peak) at which every SLO still passes, with its 95% CI.

    Args:
        scenario: the scenario; its own ``[[slo]]`` unless `slo` is given.
        over: the key to search, whose value is a number with a unit
            ("200/s") or a plain number (users).
        slo: SLOs replacing the scenario's: ``"api.checkout p99 < 300ms"``,
            ``{"endpoint": "api.checkout", "p99": "300ms"}`` or a list.
        lo, hi: where to start looking (default: the scenario's value; the
            search doubles or halves from there until the SLOs surely pass
            below and surely fail above).
        rel_tol: stop when each boundary is known within this fraction.
        replications: per load (default: the scenario's, at least 3; the
            interval needs at least 2).
        seed, duration, warmup: override the run settings of every load.
        executor, progress: as for :func:`capsim.sweep`.
        max_runs: give up after this many loads (``note`` says so).

    Example::

        cap = capsim.capacity(sc, over="traffic.web.rate", slo="api.get p99 < 50ms")
        print(cap)   # traffic.web.rate: 812/s (95% CI 790/s .. 830/s, ...)
    """
    if slo is not None:
        scenario = scenario.with_([slo_override(slo)])
    if not scenario.get("slo"):
        raise ValueError("capacity needs SLOs: give slo=... or write [[slo]] in the scenario")
    start = lo if lo is not None else hi if hi is not None else scenario.get(over)
    if start is None:
        raise ValueError(f"the scenario does not set {over}: give lo= and hi=")
    x0, unit = split(start)
    for other in (lo, hi):
        if other is not None and split(other)[1] != unit:
            raise ValueError(f"lo and hi need the same unit ({lo!r}, {hi!r})")
    if replications is None:
        replications = max(3, int(scenario.get("run.replications", 1)))
    kwargs = {"replications": replications, "seed": seed, "duration": duration,
              "warmup": warmup}
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    seen: dict[float, dict] = {}

    def evaluate(xs: list[float]) -> None:
        xs = [x for x in dict.fromkeys(xs) if x not in seen]
        if not xs:
            return
        tasks = [(scenario.with_({over: join(x, unit)}), kwargs) for x in xs]
        for x, v in zip(xs, run_many(tasks, _verdict, executor=executor, progress=progress,
                                     description=f"{over}: {len(seen) + len(xs)} loads")):
            seen[x] = v

    evaluate([split(v)[0] for v in (lo, hi) if v is not None] or [x0])
    note = ""
    # Widen until something surely passes below and surely fails above.
    while not any(_criteria(v)[0] for v in seen.values()) and len(seen) < max_runs:
        low = min(seen)
        if low <= abs(x0) / 1024:  # ten halvings: the SLOs are out of reach
            note = "the SLOs fail even at the lowest load tried"
            break
        evaluate([low / 2])
    while all(_criteria(v)[2] for v in seen.values()) and len(seen) < max_runs:
        evaluate([max(seen) * 2])
    # Bisect the three boundaries (sure pass, pass, not a sure fail).
    while len(seen) < max_runs:
        mids = []
        for c in range(3):
            a, b = _bracket(seen, c)
            if a is not None and b is not None and b - a > rel_tol * max(abs(a), 1e-12):
                mids.append(a + (b - a) / 2)
        if not mids:
            break
        evaluate(mids[: max(1, max_runs - len(seen))])
    else:
        note = note or f"stopped after {max_runs} loads before the bounds converged"
    brackets = [_bracket(seen, c) for c in range(3)]
    value = brackets[1][0] if brackets[1][0] is not None else math.nan
    low = brackets[0][0] if brackets[0][0] is not None else math.nan
    high = brackets[2][1] if brackets[2][1] is not None else math.inf
    if math.isinf(high) and not note:
        note = "the SLOs held at every load tried"
    return Capacity(over, unit, value, low, high, replications, _points(seen, unit), note)


def _bracket(seen: dict[float, dict], c: int) -> tuple[float | None, float | None]:
    """(highest load meeting criterion c below the lowest that misses it,
    that lowest load): where its boundary lies."""
    misses = [x for x, v in seen.items() if not _criteria(v)[c]]
    b = min(misses) if misses else None
    meets = [x for x, v in seen.items() if _criteria(v)[c] and (b is None or x < b)]
    return (max(meets) if meets else None), b


def _points(seen: dict[float, dict], unit: str) -> pd.DataFrame:
    rows = []
    for x in sorted(seen):
        v = seen[x]
        sure_pass, passes, not_sure_fail = _criteria(v)
        rows.append({"load": x, "value": join(x, unit), "ratio": v["ratio"],
                     "ratio_low": v["ratio_low"], "ratio_high": v["ratio_high"],
                     "unstable": v["unstable"], "sure_pass": sure_pass, "passes": passes,
                     "sure_fail": not not_sure_fail})
    return pd.DataFrame(rows)
