"""Before/after comparisons, paired replication by replication.

The report gives means over replications, not each replication's values,
so a comparison runs every replication as a run of its own: replication r
of both variants runs with ``run.seed = seed + r`` and one replication. The
engine derives every random stream from (seed, replication, entity name),
so the two variants of a pair see the same arrivals and the same service
draws wherever the change does not reach (common random numbers), and the
per-pair differences carry far less noise than two independent runs. A
difference is significant when its 95% t-interval over the pairs excludes 0.

Replication 0 of a comparison is the engine's replication 0 of ``seed``;
replication r > 0 is the engine's replication 0 of ``seed + r`` (equally
independent, but not the same draws as replication r of ``capsim run``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from capsim.progress import ProgressArg
from capsim.student_t import mean_ci
from capsim.sweep import run_many

if TYPE_CHECKING:
    from capsim.result import Result
    from capsim.scenario import Scenario

#: Metrics in the comparison table, and whether lower is better.
TABLE_METRICS = {"p50": True, "p95": True, "p99": True, "error_rate": True, "throughput": False}
#: Relative changes below this are never called significant.
NEGLIGIBLE = 1e-3
_LATENCY = ("mean", "p50", "p90", "p95", "p99", "p999", "max")
_RATES = ("arrival_rate", "throughput", "error_rate")


def _replicate(result: "Result") -> dict:
    """What one replication contributes to a comparison: small and picklable."""
    report = result.report
    endpoints = {}
    for e in report["endpoints"]:
        values = {k: e["latency"][k]["mean"] for k in _LATENCY}
        values.update({k: e[k]["mean"] for k in _RATES})
        endpoints[e["name"]] = {"entry": e["entry"], "values": values}
    slos = [{"slo": s["text"], "endpoint": s["endpoint"], "metric": s["metric"],
             "threshold": s["threshold"], "value": s["value"]["mean"]} for s in report["slos"]]
    return {"endpoints": endpoints, "slos": slos, "unstable": bool(report["unstable"])}


def _nan(x: Any) -> float:
    return math.nan if x is None else float(x)


class Comparison:
    """A paired before/after comparison (see :func:`compare`).

    Attributes:
        table: one row per endpoint × metric (p50, p95, p99 in s; error_rate
            a fraction; throughput in 1/s): ``before`` and ``after`` (means
            over replications), ``delta`` (after − before, the mean of the
            paired differences), ``delta_ci`` (its 95% t half-width),
            ``relative`` (delta / before), ``significant`` (the interval
            excludes 0 and the change is at least 0.1% of the value) and
            ``better`` (True/False when significant, else None).
        replicates: every replication's values, long form: variant,
            replication, seed, endpoint, metric, value.
        slos: each variant's SLO verdicts: variant, slo, endpoint, metric,
            threshold, value, value_ci, pass.
    """

    def __init__(self, replicates: list[dict], seeds: list[int], labels: tuple[str, str]):
        self.labels = labels
        self.seeds = seeds
        self._raw = replicates
        self.replicates = self._long()
        self.slos = self._slos()
        self.table = self._table()

    @property
    def replications(self) -> int:
        return len(self.seeds)

    def _variant(self, v: int) -> list[dict]:
        return [r for (variant, _), r in self._raw if variant == v]

    def _long(self) -> pd.DataFrame:
        rows = []
        for (variant, rep), r in self._raw:
            for name, e in r["endpoints"].items():
                for metric, value in e["values"].items():
                    rows.append({"variant": self.labels[variant], "replication": rep,
                                 "seed": self.seeds[rep], "endpoint": name, "entry": e["entry"],
                                 "metric": metric, "value": _nan(value)})
        return pd.DataFrame(rows)

    def _slos(self) -> pd.DataFrame:
        rows = []
        for v, label in enumerate(self.labels):
            reps = self._variant(v)
            for i, s in enumerate(reps[0]["slos"] if reps else []):
                mean, ci = mean_ci([_nan(r["slos"][i]["value"]) for r in reps])
                rows.append({"variant": label, "slo": s["slo"], "endpoint": s["endpoint"],
                             "metric": s["metric"], "threshold": s["threshold"], "value": mean,
                             "value_ci": ci, "pass": bool(mean < s["threshold"])})
        return pd.DataFrame(rows, columns=["variant", "slo", "endpoint", "metric", "threshold",
                                           "value", "value_ci", "pass"])

    def _table(self) -> pd.DataFrame:
        before, after = self._variant(0), self._variant(1)
        rows = []
        for name, e in before[0]["endpoints"].items():
            if not all(name in r["endpoints"] for r in after):
                continue
            for metric, lower_better in TABLE_METRICS.items():
                b = [_nan(r["endpoints"][name]["values"][metric]) for r in before]
                a = [_nan(r["endpoints"][name]["values"][metric]) for r in after]
                diffs = [y - x for x, y in zip(b, a)]
                delta, half = mean_ci(diffs)
                mb, ma = mean_ci(b)[0], mean_ci(a)[0]
                # Identical pairs give a zero-width interval; a difference of
                # floating-point dust is then "significant" without meaning
                # anything, so changes under NEGLIGIBLE of the value are not.
                significant = bool(half == half and abs(delta) > half
                                   and abs(delta) > NEGLIGIBLE * max(abs(mb), abs(ma)))
                rows.append({"endpoint": name, "entry": e["entry"], "metric": metric,
                             "before": mb, "after": ma, "delta": delta, "delta_ci": half,
                             "relative": delta / mb if mb else math.nan,
                             "significant": significant,
                             "better": ((delta < 0) == lower_better) if significant else None})
        return pd.DataFrame(rows)

    def endpoints(self, variant: int | str) -> pd.DataFrame:
        """One variant's endpoints as :attr:`Result.endpoints` shapes them
        (each metric's mean over replications and its ``*_ci``): what the
        charts take."""
        label = self.labels[variant] if isinstance(variant, int) else variant
        df = self.replicates[self.replicates.variant == label]
        rows = []
        for name, g in df.groupby("endpoint", sort=False):
            row: dict[str, Any] = {"endpoint": name, "entry": bool(g["entry"].iloc[0])}
            for metric, values in g.groupby("metric", sort=False)["value"]:
                row[metric], row[f"{metric}_ci"] = mean_ci(list(values))
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def unstable(self) -> bool:
        """True when any replication of the "after" variant was stopped as unstable."""
        return any(r["unstable"] for r in self._variant(1))

    @property
    def ok(self) -> bool:
        """The "after" variant was stable and met every SLO."""
        after = self.slos[self.slos.variant == self.labels[1]]
        return not self.unstable and bool(after["pass"].all())

    def plot(self, endpoint: str | None = None, **kwargs: Any):
        """Before/after latency percentiles of `endpoint` (see
        :func:`capsim.plot.before_after`)."""
        from capsim import plot
        return plot.before_after(self.endpoints(0), self.endpoints(1), endpoint=endpoint,
                                 labels=self.labels, **kwargs)

    def to_dict(self) -> dict:
        """JSON-ready: labels, seeds, the table and the SLO verdicts."""
        def records(df: pd.DataFrame) -> list[dict]:
            return [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                     for k, v in r.items()} for r in df.to_dict(orient="records")]
        return {"labels": list(self.labels), "replications": self.replications,
                "seeds": self.seeds, "ok": self.ok, "unstable_after": self.unstable,
                "table": records(self.table), "slos": records(self.slos)}

    def __repr__(self) -> str:
        sig = self.table[self.table.significant]
        return (f"<capsim.Comparison {self.labels[0]} vs {self.labels[1]}: "
                f"{self.replications} paired replications, {len(sig)} significant "
                f"difference(s), after {'meets' if self.ok else 'FAILS'} its SLOs>")


def compare(before: "Scenario", after: "Scenario | Mapping[str, Any] | list[str]", *,
            replications: int | None = None, seed: int | None = None,
            duration: str | None = None, warmup: str | None = None, executor: Any = None,
            progress: ProgressArg = None,
            labels: tuple[str, str] = ("before", "after")) -> Comparison:
    """Compare two variants of a scenario, paired under common random numbers.

    Args:
        before: the baseline scenario.
        after: the changed scenario, or overrides applied to `before`
            (``{"services.api.replicas": 8}`` or ``["key=value"]``).
        replications: pairs to run (default: `before`'s ``run.replications``,
            at least 3: fewer leave the t-interval too wide to say anything).
        seed: replication r of both variants runs with ``seed + r`` (default:
            `before`'s ``run.seed``), so `after`'s own seed is not used.
        duration, warmup: override both variants' run settings.
        executor, progress: as for :func:`capsim.sweep`.

    Returns:
        A :class:`Comparison`; ``.ok`` is False when the after variant fails
        an SLO or is unstable. Example::

            cmp = capsim.compare(sc, {"services.db.cores": 16}, replications=5)
            cmp.table[cmp.table.significant]
    """
    if not hasattr(after, "run"):
        after = before.with_(after)
    if replications is None:
        replications = max(3, int(before.get("run.replications", 1)))
    if replications < 2:
        raise ValueError("a paired comparison needs at least 2 replications")
    base_seed = int(before.get("run.seed", 1)) if seed is None else int(seed)
    seeds = [base_seed + r for r in range(replications)]
    kwargs = {k: v for k, v in (("duration", duration), ("warmup", warmup)) if v is not None}
    keys, tasks = [], []
    for variant, sc in enumerate((before, after)):
        for r, s in enumerate(seeds):
            keys.append((variant, r))
            tasks.append((sc, {"replications": 1, "seed": s, **kwargs}))
    results = run_many(tasks, _replicate, executor=executor, progress=progress,
                       description=f"{replications} paired replications")
    return Comparison(list(zip(keys, results)), seeds, labels)
