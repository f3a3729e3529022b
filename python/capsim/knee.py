"""The knee of a latency curve and the load at which each SLO is first
violated, read from a load sweep (docs/analysis.md, "Knee").

The knee is where a percentile leaves its low-load plateau: the offered
load at which it first reaches ``factor`` times (default 2×) its value at
the sweep's lowest load, by linear interpolation between grid points. Its
interval comes from the same crossing on the curves of the percentile
plus and minus its 95% CI. For an M/M/1 queue the p99 is ln(100)/(μ − λ),
so with the plateau measured at λ₀ the knee is at λ = (μ + λ₀)/2: at
utilisation 0.5 when λ₀ → 0, where queueing has doubled every response.

The doubling rule is used rather than a geometric one (the point of the
curve farthest from its chord, "Kneedle"), because the farthest point
moves with the range swept: a knee should depend on the system, not on
where the sweep stops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from capsim.quantity import magnitude, split

_SLO_METRICS = ("mean", "p50", "p90", "p95", "p99", "p999", "max", "error_rate")


def _crossing(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float | None, int | None]:
    """The first x at which y reaches `level` (interpolated), and the index
    of the first point at or past it; (None, None) if it never does."""
    for i, v in enumerate(y):
        if np.isfinite(v) and v >= level:
            if i == 0:
                return float(x[0]), 0
            x0, y0 = x[i - 1], y[i - 1]
            if not np.isfinite(y0) or v == y0:
                return float(x[i]), i
            return float(x0 + (level - y0) * (x[i] - x0) / (v - y0)), i
    return None, None


def _unit(values: pd.Series, x: str) -> str:
    """The base unit of a load column, for printing: "/s" for rates."""
    if x in ("arrival_rate", "throughput"):
        return "/s"
    try:
        _, unit = split(values.iloc[0])
    except ValueError:
        return ""
    if unit.endswith(("/s", "/min", "/h")):
        return "/s"
    return "s" if unit in ("ns", "us", "µs", "ms", "s", "sec", "m", "min", "h") else ""


def _curve(sweep: pd.DataFrame, endpoint: str, x: str) -> pd.DataFrame:
    rows = sweep[sweep["endpoint"] == endpoint].copy()
    if rows.empty:
        raise ValueError(f"the sweep has no endpoint {endpoint!r}; it has "
                         f"{sorted(sweep['endpoint'].unique())}")
    if x not in rows.columns:
        raise ValueError(f"the sweep has no column {x!r}")
    rows["_x"] = [magnitude(v) for v in rows[x]]
    if rows["_x"].isna().any():
        raise ValueError(f"column {x!r} must hold numbers or values with units, as a load does")
    return rows.sort_values("_x")


@dataclass
class Knee:
    """Where latency leaves its plateau and where each SLO first fails.

    Loads are in the units of the `x` column (requests/s for the default
    ``arrival_rate``), latencies in seconds. ``load`` is None when the
    percentile never reaches ``factor`` × ``plateau`` in the sweep.
    """

    endpoint: str
    metric: str
    x: str
    factor: float
    plateau: float
    plateau_at: float
    unit: str
    load: float | None
    low: float | None
    high: float | None
    slos: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """One line, e.g. "api.get p99 leaves its 46 ms plateau (at 10/s) at 55/s (52..58)"."""
        from capsim.plot import duration_text
        u = self.unit
        head = (f"{self.endpoint} {self.metric} leaves its {duration_text(self.plateau)} plateau "
                f"(at {self.plateau_at:.4g}{u})")
        if self.load is None:
            return head + f": not within the sweep (it stays under {self.factor:g}×)"
        band = ""
        if self.low is not None and self.high is not None:
            band = f" (95% CI {self.low:.4g}..{self.high:.4g}{u})"
        elif self.low is not None:
            band = f" (from {self.low:.4g}{u})"
        return head + f" at {self.load:.4g}{u}{band}, where it is {self.factor:g}× the plateau"

    def to_dict(self) -> dict[str, Any]:
        """The knee as plain data (for JSON)."""
        return {"endpoint": self.endpoint, "metric": self.metric, "x": self.x, "unit": self.unit,
                "factor": self.factor, "plateau": self.plateau, "plateau_at": self.plateau_at,
                "load": self.load, "low": self.low, "high": self.high,
                "slos": self.slos.astype(object).where(self.slos.notna(), None)
                .to_dict(orient="records")}


def slo_rows(sweep: pd.DataFrame, x: str = "arrival_rate") -> pd.DataFrame:
    """Per SLO in the sweep (its ``slo_<metric>`` threshold columns): the
    last load that met it, the first that violated it, and the load at which
    its metric crosses the threshold (interpolated; ``low``/``high`` from
    the metric ± its CI). A violation is the engine's: the mean over
    replications at or above the threshold."""
    rows = []
    for endpoint in sweep["endpoint"].unique():
        curve = _curve(sweep, endpoint, x)
        xs = curve["_x"].to_numpy(dtype=float)
        for metric in _SLO_METRICS:
            col = f"slo_{metric}"
            if col not in curve.columns or curve[col].isna().all():
                continue
            threshold = float(curve[col].dropna().iloc[0])
            y = curve[metric].to_numpy(dtype=float)
            ci = curve.get(f"{metric}_ci", pd.Series(np.zeros(len(curve)))).to_numpy(dtype=float)
            ci = np.nan_to_num(ci)
            at, i = _crossing(xs, y, threshold)
            low, _ = _crossing(xs, y + ci, threshold)
            high, _ = _crossing(xs, y - ci, threshold)
            rows.append({
                "endpoint": endpoint, "metric": metric, "threshold": threshold,
                "last_met": None if i is None or i == 0 else float(xs[i - 1]),
                "first_violated": None if i is None else float(xs[i]),
                "violated_at": at, "low": low, "high": high})
    return pd.DataFrame(rows, columns=["endpoint", "metric", "threshold", "last_met",
                                       "first_violated", "violated_at", "low", "high"])


def knee(sweep: pd.DataFrame, endpoint: str | None = None, *, x: str = "arrival_rate",
         metric: str = "p99", factor: float = 2.0) -> Knee:
    """The knee of `metric` against `x` in a load sweep, and where each SLO
    is first violated.

    Args:
        sweep: a :func:`capsim.sweep` DataFrame over a load (one key).
        endpoint: the endpoint whose curve to read (default: the entry
            endpoint with an SLO, else the busiest entry endpoint).
        x: the load axis: ``"arrival_rate"`` (measured, requests/s) or the
            swept key, e.g. ``"traffic.web.rate"``.
        metric: the latency percentile (``"p99"``, ``"p95"``, ``"mean"``, ...).
        factor: how many times its plateau the metric must reach.

    Example::

        df = capsim.sweep(sc, {"traffic.web.rate": ["50/s", "100/s", ..., "900/s"]})
        k = capsim.knee(df)
        k.summary()     # "api.get p99 leaves its 46 ms plateau (at 50) at 610 (590..625) ..."
        k.slos          # per SLO: last met, first violated, interpolated crossing
    """
    if factor <= 1:
        raise ValueError(f"factor must be above 1, not {factor}")
    if endpoint is None:
        from capsim.plot import default_endpoint
        endpoint = default_endpoint(sweep)
    curve = _curve(sweep, endpoint, x)
    if len(curve) < 2:
        raise ValueError("a knee needs a sweep of at least 2 loads")
    xs = curve["_x"].to_numpy(dtype=float)
    y = curve[metric].to_numpy(dtype=float)
    ci = np.nan_to_num(curve.get(f"{metric}_ci", pd.Series(np.zeros(len(curve))))
                       .to_numpy(dtype=float))
    plateau = float(y[0])
    if not math.isfinite(plateau) or plateau <= 0:
        raise ValueError(f"{endpoint} {metric} at the lowest load is {plateau}: no plateau")
    level = factor * plateau
    at, _ = _crossing(xs, y, level)
    # The plateau's own noise moves the level too: the band uses its CI.
    low, _ = _crossing(xs, y + ci, factor * max(plateau - ci[0], 0.0))
    high, _ = _crossing(xs, y - ci, factor * (plateau + ci[0]))
    return Knee(endpoint=endpoint, metric=metric, x=x, factor=factor, plateau=plateau,
                plateau_at=float(xs[0]), unit=_unit(curve[x], x), load=at, low=low, high=high,
                slos=slo_rows(sweep, x))

