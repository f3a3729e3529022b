"""What capsim knows before simulating: demands, bounds and estimates.

The JSON comes from the C++ analytic layer (schema ``capsim.analysis/1``,
docs/analysis.md); this module only reshapes it into DataFrames.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd


def _nan(x: Any) -> float:
    return float("nan") if x is None else x


def rate_words(x: float | None) -> str:
    """1240.3 -> "1,240 req/s"."""
    if x is None:
        return "unbounded"
    return f"{x:,.0f} req/s" if x >= 100 else f"{x:.3g} req/s"


_VERB = {"pool": "pool saturates", "rate_limit": "rate limit is reached"}


def saturates(resource: dict) -> str:
    """"db cores saturate", "api->db pool saturates", "psp rate limit is reached"."""
    kind = resource["resource"]
    return f"{resource['station']} {_VERB.get(kind, kind + ' saturate')}"


class Analysis:
    """Demands, the bottleneck law, bounds and steady-state estimates of a
    scenario, computed in microseconds without running it.

    Rates are per second, demands seconds per request (calls per request for
    a rate limit), utilisations fractions. ``method`` says how the estimates
    were made: ``"open"`` (M/M/c per station), ``"closed"`` (exact MVA) or
    ``"saturated"`` (the offered load exceeds a capacity: bounds only).
    """

    def __init__(self, data: dict, text: str | None = None):
        self.data = data
        self._text = text if text is not None else json.dumps(data, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "Analysis":
        return cls(json.loads(text), text)

    @property
    def method(self) -> str:
        return self.data["method"]

    @property
    def offered(self) -> float:
        """Requests per second offered, mean over the measured window."""
        return _nan(self.data["offered"])

    @property
    def x_max(self) -> float:
        """The bottleneck law's maximum throughput of the workload (req/s)."""
        return _nan(self.data["x_max"])

    @property
    def headroom(self) -> float:
        """x_max / offered: how many times the mean load the system can take."""
        return _nan(self.data["headroom"])

    @property
    def bottleneck(self) -> dict | None:
        """{"station", "resource"} of the resource that saturates first."""
        return self.data["bottleneck"]

    @property
    def resources(self) -> pd.DataFrame:
        """One row per loaded resource, in the order they saturate: capacity,
        demand per request, the throughput at which it saturates (x_max) and
        its utilisation at the mean and at the peak offered load."""
        return pd.DataFrame(self.data["saturation_order"],
                            columns=["station", "resource", "replicas", "per_replica", "capacity",
                                     "demand", "x_max", "utilization", "peak_utilization"])

    @property
    def stations(self) -> pd.DataFrame:
        """Estimated steady state per service (NaN when saturated)."""
        return pd.DataFrame(self.data["stations"]).rename(columns={"name": "station"})

    @property
    def endpoints(self) -> pd.DataFrame:
        """Per endpoint: rates, CPU and delay per execution, response time
        without contention (response0) and estimated at the offered load."""
        return pd.DataFrame(self.data["endpoints"]).rename(columns={"name": "endpoint"})

    @property
    def sources(self) -> pd.DataFrame:
        return pd.DataFrame(self.data["sources"]).rename(columns={"name": "source"})

    @property
    def closed(self) -> dict | None:
        """Bounds for the closed sources (users, N*, throughput and response
        bounds), or None."""
        return self.data["closed"]

    @property
    def notes(self) -> list[str]:
        """Approximations in force for this scenario."""
        return list(self.data["notes"])

    def summary(self) -> str:
        """One sentence: what saturates first, at what load, and what next."""
        order = self.data["saturation_order"]
        if not order:
            return "no resource carries any load"
        first = order[0]
        offered = self.offered
        text = (f"{saturates(first)} at {rate_words(first['x_max'])}"
                f" (offered {rate_words(offered)}, {first['utilization']:.0%}")
        if self.data["peak_offered"] and self.data["peak_offered"] > offered * 1.001:
            text += (f"; peak {rate_words(self.data['peak_offered'])}, "
                     f"{first['peak_utilization']:.0%}")
        text += ")"
        if len(order) > 1:
            nxt = order[1]
            kind = nxt["resource"].replace("_", " ")
            text += f"; next: {nxt['station']} {kind} at {rate_words(nxt['x_max'])}"
        return text

    def to_json(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"<capsim.Analysis {self.data['scenario']!r}: {self.summary()}>"
