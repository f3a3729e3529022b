"""Run results: the JSON report as tidy pandas DataFrames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from capsim.plot import ResultPlots

_LATENCY = ["mean", "p50", "p90", "p95", "p99", "p999", "max"]
_SINGULAR = {"endpoints": "endpoint", "stations": "station", "pools": "pool",
             "databases": "database", "caches": "cache", "externals": "external",
             "queues": "queue", "policies": "policy"}


def _flat(prefix: str, est: dict) -> dict[str, float]:
    """{"mean": m, "ci": h} -> {prefix: m, prefix_ci: h}."""
    return {prefix: est["mean"], f"{prefix}_ci": est["ci"]}


def _nan(x: Any) -> float:
    return float("nan") if x is None else x


class Result:
    """The report of a run (schema ``capsim.report/1``, docs/report.md).

    Every statistic is a mean over replications; its ``*_ci`` column is the
    95% confidence half-width (Student t; NaN with one replication). Times
    are seconds, rates are per second, utilisations and error rates are
    fractions.

    ``report`` is the JSON report as a dict; the properties below are views
    of it as tidy DataFrames; ``plot`` draws it (``res.plot.timeline()``).
    In Jupyter a Result shows as a summary: SLO verdicts, the entry
    endpoints' latency and the busiest station.
    """

    def __init__(self, report: dict, text: str | None = None):
        self.report = report
        self._text = text if text is not None else json.dumps(report, indent=2)

    @classmethod
    def from_json(cls, path_or_text: str | Path) -> "Result":
        """A Result from a saved report (``capsim run --json > r.json`` or
        :meth:`to_json`): a path, or the JSON text itself."""
        text = str(path_or_text)
        if not text.lstrip().startswith("{"):
            text = Path(path_or_text).read_text()
        return cls(json.loads(text), text)

    @property
    def plot(self) -> "ResultPlots":
        """Charts of this run: ``.timeline()``, ``.utilization()``,
        ``.attribution()``, ``.before_after(other)``; each returns a
        matplotlib Figure (see capsim.plot)."""
        from capsim.plot import ResultPlots
        return ResultPlots(self)

    def _repr_html_(self) -> str:
        from capsim.result_html import report_html
        return report_html(self.report)

    @property
    def status(self) -> str:
        """"ok", or "unstable: ..." when the load exceeded capacity."""
        return self.report["status"]

    @property
    def ok(self) -> bool:
        """True when the run was stable and every SLO passed."""
        return not self.report["unstable"] and all(s["pass"] for s in self.report["slos"])

    @property
    def endpoints(self) -> pd.DataFrame:
        """One row per endpoint: rates (1/s), error rate, latency (s) with CIs."""
        rows = []
        for e in self.report["endpoints"]:
            row: dict[str, Any] = {"endpoint": e["name"], "service": e["service"], "entry": e["entry"]}
            row.update(_flat("arrival_rate", e["arrival_rate"]))
            row.update(_flat("throughput", e["throughput"]))
            row.update(_flat("error_rate", e["error_rate"]))
            for cause, est in e["errors_by_cause"].items():
                row.update(_flat(f"errors_{cause}", est))
            for q in _LATENCY:
                row.update(_flat(q, e["latency"][q]))
            rows.append(row)
        return pd.DataFrame(rows).astype({c: float for c in _float_columns(rows)})

    @property
    def sources(self) -> pd.DataFrame:
        """One row per traffic source (client class): end-to-end rates and latency (s)."""
        rows = []
        for s in self.report["sources"]:
            row: dict[str, Any] = {"source": s["name"], "class": s["class"], "kind": s["kind"]}
            for key in ("arrival_rate", "throughput", "error_rate"):
                row.update(_flat(key, s[key]))
            for q in _LATENCY:
                row.update(_flat(q, s["latency"][q]))
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def stations(self) -> pd.DataFrame:
        """One row per station: utilisation, throughput (1/s), queue, waits (s)."""
        rows = []
        for s in self.report["stations"]:
            row: dict[str, Any] = {k: s[k] for k in ("name", "kind", "replicas", "workers", "cores")}
            row["station"] = row.pop("name")
            for key in ("worker_utilization", "core_utilization", "throughput", "waiting",
                        "in_system", "waiting_max", "wait", "rejected", "shed", "concurrency_limited", "concurrency_limit",
                        "rate_limited", "limit_wait"):
                row.update(_flat(key, s[key]))
            rows.append(row)
        df = pd.DataFrame(rows)
        return df[["station"] + [c for c in df.columns if c != "station"]]

    @property
    def replicas(self) -> pd.DataFrame:
        """One row per replica of every service that has several (``api[2]``):
        worker and core utilisation and throughput (1/s) — the hot replica a
        consistent-hash balancer makes, which the station's mean hides."""
        rows = []
        for s in self.report["stations"]:
            for k, r in enumerate(s.get("per_replica", [])):
                row: dict[str, Any] = {"station": s["name"], "replica": k, "name": r["name"]}
                for key in ("worker_utilization", "core_utilization", "throughput"):
                    row.update(_flat(key, r[key]))
                rows.append(row)
        return pd.DataFrame(rows, columns=None if rows else
                            ["station", "replica", "name", "worker_utilization",
                             "core_utilization", "throughput"])

    @property
    def faults(self) -> pd.DataFrame:
        """One row per injected fault: kind, target, occurrences per run, seconds
        on, calls hit per second."""
        rows = []
        for f in self.report.get("faults", []):
            row: dict[str, Any] = {k: f[k] for k in ("name", "kind", "target", "from", "random")}
            row["fault"] = row.pop("name")
            for key in ("occurrences", "active", "hits"):
                row.update(_flat(key, f[key]))
            rows.append(row)
        return pd.DataFrame(rows, columns=None if rows else
                            ["fault", "kind", "target", "from", "random", "occurrences",
                             "active", "hits"])

    @property
    def attribution(self) -> pd.DataFrame:
        """Where the time went: mean seconds per request by component (long form:
        endpoint, component), for all requests (``seconds``) and for those slower
        than the p99 (``tail_seconds``): "is the tail the API or the database?"."""
        rows = []
        for e in self.report["endpoints"]:
            for comp, est in e["attribution"].items():
                tail = e["attribution_tail"][comp]
                rows.append({"endpoint": e["name"], "component": comp,
                             "seconds": _nan(est["mean"]), "seconds_ci": _nan(est["ci"]),
                             "tail_seconds": _nan(tail["mean"]),
                             "tail_seconds_ci": _nan(tail["ci"])})
        return pd.DataFrame(rows)

    def _table(self, key: str, id_keys: tuple[str, ...]) -> pd.DataFrame:
        rows = []
        for x in self.report[key]:
            row: dict[str, Any] = {}
            for k, v in x.items():
                if isinstance(v, dict):
                    row.update(_flat(k, v))
                elif k in id_keys or not isinstance(v, list):
                    row[k] = v
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def pools(self) -> pd.DataFrame:
        """One row per service's way to a database ("api->db"): size (0 = no pool),
        utilisation, waits (s), acquisitions, timeouts and refusals (1/s)."""
        return self._table("pools", ("name",))

    @property
    def databases(self) -> pd.DataFrame:
        """One row per database: core utilisation, queries (1/s), work and wait
        per query (s), open connections, refused connections (1/s)."""
        return self._table("databases", ("name",))

    @property
    def caches(self) -> pd.DataFrame:
        """One row per cache: gets (1/s), hit ratio, coalesced misses, early refreshes,
        evictions (1/s)."""
        return self._table("caches", ("name",))

    @property
    def queues(self) -> pd.DataFrame:
        """One row per message queue: enqueued, acked, retried, dead-lettered and
        rejected (1/s), depth, wait in the queue and end-to-end job latency (s)."""
        rows = []
        for q in self.report.get("queues", []):
            row: dict[str, Any] = {"name": q["name"], "consumer": q["consumer"]}
            for k in ("enqueued", "rejected", "delivered", "acked", "retried", "dead_lettered",
                      "depth", "depth_max", "queue_wait"):
                row.update(_flat(k, q[k]))
            for p in _LATENCY:
                row.update(_flat(f"job_{p}", q["job_latency"][p]))
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def externals(self) -> pd.DataFrame:
        """One row per external dependency: calls (1/s), error rate, 429s, latency."""
        return self._table("externals", ("name",))

    @property
    def policies(self) -> pd.DataFrame:
        """One row per guarded step (timeout, retry, breaker, fallback) and per
        client policy: calls, retries, timeouts, zombies, cancelled,
        short-circuited, fallbacks and failures (1/s), attempts per call,
        breaker openings and open fraction (docs/report.md, policies)."""
        return self._table("policies", ("name", "path"))

    @property
    def recoveries(self) -> pd.DataFrame:
        """One row per failure window: how many replications came back within
        the run's recovery time, late, or not at all, and `flagged` when the
        degradation outlived its trigger (a metastable failure)."""
        return self._table("recoveries", ("trigger",))

    @property
    def timeseries(self) -> pd.DataFrame:
        """Per window (long form): time (window end, s), entity, metric, value."""
        ts = self.report["timeseries"]
        times = ts["window_end"]
        frames = []
        for kind in ("endpoints", "stations", "pools", "databases", "caches", "externals",
                     "queues", "policies"):
            for name, metrics in ts.get(kind, {}).items():
                for metric, values in metrics.items():
                    frames.append(pd.DataFrame({
                        "time": times, "kind": _SINGULAR[kind], "name": name, "metric": metric,
                        "value": [_nan(v) for v in values]}))
        if not frames:
            return pd.DataFrame(columns=["time", "kind", "name", "metric", "value"])
        return pd.concat(frames, ignore_index=True)

    @property
    def slos(self) -> pd.DataFrame:
        """One row per SLO: the value, its CI, pass, and whether the CI is clear of the threshold."""
        rows = [{"slo": s["text"], "endpoint": s["endpoint"], "metric": s["metric"],
                 "threshold": s["threshold"], "value": _nan(s["value"]["mean"]),
                 "value_ci": _nan(s["value"]["ci"]), "pass": s["pass"], "confident": s["confident"]}
                for s in self.report["slos"]]
        return pd.DataFrame(rows, columns=["slo", "endpoint", "metric", "threshold", "value",
                                           "value_ci", "pass", "confident"])

    @property
    def busiest(self) -> dict:
        """The most utilised resource: {"station", "resource", "utilization"}."""
        return dict(self.report["busiest"])

    @property
    def analytic(self) -> pd.DataFrame:
        """Analytic vs simulated (docs/report.md): one row per predicted quantity
        (station throughput, utilisations, requests present, wait; endpoint
        throughput and mean latency) with the simulated mean, its 95% CI, the
        99.9% tolerance, the verdict ("agree", "disagree", "no ci") and, for a
        disagreement, the reasons the model gives for one ("heavy-tailed
        service; nested holding"). Empty when the run had no analysis or the
        offered load exceeded capacity (see :attr:`bounds`)."""
        columns = ["kind", "name", "quantity", "analytic", "simulated", "simulated_ci",
                   "tolerance", "verdict", "reasons"]
        section = self.report.get("analytic") or {}
        rows = [{"kind": r["kind"], "name": r["name"], "quantity": r["quantity"],
                 "analytic": _nan(r["analytic"]), "simulated": _nan(r["simulated"]["mean"]),
                 "simulated_ci": _nan(r["simulated"]["ci"]), "tolerance": _nan(r["tolerance"]),
                 "verdict": r["verdict"], "reasons": "; ".join(r["reasons"])}
                for r in section.get("comparison", [])]
        return pd.DataFrame(rows, columns=columns)

    @property
    def bounds(self) -> dict | None:
        """The analytic summary: {"method", "offered", "x_max", "headroom",
        "bottleneck": {"station", "resource"}, "notes"}; None without analysis."""
        section = self.report.get("analytic")
        if not section:
            return None
        return {k: v for k, v in section.items() if k != "comparison"}

    def to_json(self, path: str | Path | None = None) -> str:
        """The report as JSON text; written to `path` when given."""
        if path is not None:
            Path(path).write_text(self._text)
        return self._text

    def to_csv(self, directory: str | Path) -> None:
        """Write endpoints.csv, stations.csv and timeseries.csv into `directory`."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.endpoints.to_csv(d / "endpoints.csv", index=False)
        self.stations.to_csv(d / "stations.csv", index=False)
        self.timeseries.to_csv(d / "timeseries.csv", index=False)

    def to_parquet(self, directory: str | Path) -> None:
        """Write endpoints/stations/timeseries as Parquet (needs pyarrow)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.endpoints.to_parquet(d / "endpoints.parquet", index=False)
        self.stations.to_parquet(d / "stations.parquet", index=False)
        self.timeseries.to_parquet(d / "timeseries.parquet", index=False)

    def __repr__(self) -> str:
        b = self.report["busiest"]
        return (f"<capsim.Result {self.report['scenario']!r} {self.status}; busiest: "
                f"{b['station']} {b['resource']} at {_nan(b['utilization']):.0%}>")


def _float_columns(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    return [k for k, v in rows[0].items() if k not in ("endpoint", "service", "entry")]
