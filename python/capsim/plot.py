"""Charts for design docs: each function returns a matplotlib ``Figure``
(save it with :func:`save` as PNG or SVG, or let a notebook show it).

From a run (also as ``result.plot.<name>()``): :func:`timeline`,
:func:`utilization`, :func:`attribution`, :func:`before_after`. From a sweep
DataFrame (:func:`capsim.sweep`): :func:`hockey_stick`, :func:`heatmap`.
Latencies are drawn in milliseconds, rates per second, utilisation and
error rates in percent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from capsim.plot_style import ALERT, BEFORE, PALETTE, figure, save, styled
from capsim.quantity import magnitude

if TYPE_CHECKING:
    from capsim.knee import Knee
    from capsim.capacity import Capacity
    from capsim.result import Result

__all__ = ["hockey_stick", "heatmap", "timeline", "utilization", "attribution",
           "before_after", "save"]

Endpoints = Union["Result", pd.DataFrame]

_PERCENTILE_NAMES = {"mean": "mean", "p50": "p50", "p90": "p90", "p95": "p95", "p99": "p99",
                     "p999": "p99.9", "max": "max"}


def default_endpoint(df: pd.DataFrame) -> str:
    """The endpoint a chart is about when none is named: an entry endpoint
    with SLOs, else the first entry endpoint, else the first."""
    entries = df[df["entry"]] if "entry" in df else df
    if "slo_pass" in df:
        with_slo = entries[entries["slo_pass"].notna()]
        if len(with_slo):
            return str(with_slo["endpoint"].iloc[0])
    return str((entries if len(entries) else df)["endpoint"].iloc[0])


def _slo_endpoint(result: "Result") -> str:
    """The endpoint of the run's first SLO, else its first entry endpoint."""
    slos = result.report["slos"]
    return slos[0]["endpoint"] if slos else default_endpoint(result.endpoints)


def _axis_label(key: str, values: Sequence[Any]) -> str:
    if key == "arrival_rate":
        return "offered load (requests/s)"
    sample = next((v for v in values if isinstance(v, str)), None)
    if sample is None:
        return key
    if "/" in sample:
        return f"{key} (per second)"
    return f"{key} (s)" if not math.isnan(magnitude(sample)) else key


def _numeric(values: pd.Series) -> np.ndarray:
    return np.array([magnitude(v) for v in values], dtype=float)


@styled
def hockey_stick(sweep: pd.DataFrame, endpoint: str | None = None, *, x: str = "arrival_rate",
                 percentiles: Sequence[str] = ("p50", "p95", "p99"), slo: Any = None,
                 capacity: "Capacity | None" = None, knee: "Knee | None" = None,
                 logy: bool | None = None, title: str | None = None) -> Figure:
    """Latency percentiles against load from a sweep, with 95% CI bands.

    Args:
        sweep: a :func:`capsim.sweep` DataFrame over one load key.
        endpoint: whose latency (default: an entry endpoint with SLOs).
        x: the x axis: ``"arrival_rate"`` (the measured offered load) or a
            grid key (its values read as numbers: "200/s" is 200).
        percentiles: columns to draw (``mean``, ``p50`` ... ``p999``, ``max``).
        slo: a latency threshold to draw, in seconds or as "300ms".
        capacity: a :class:`capsim.Capacity` to mark (over the same key,
            or a rate when x is the offered load).
        knee: a :class:`capsim.Knee` of the same sweep and x to mark.
        logy: a logarithmic latency axis; by default when the latencies
            span more than 30×, so the knee stays visible next to the
            overload.
    """
    endpoint = endpoint or default_endpoint(sweep)
    df = sweep[sweep["endpoint"] == endpoint].copy()
    if df.empty:
        raise ValueError(f"no rows for endpoint {endpoint!r} in the sweep")
    df["_x"] = _numeric(df[x])
    if df["_x"].duplicated().any():
        raise ValueError(f"several points share the same {x}: a hockey stick is over one key; "
                         "select one value of the other keys first")
    df = df.sort_values("_x")
    values = df[list(percentiles)].to_numpy(float) * 1000
    positive = values[values > 0]
    if logy is None:
        logy = positive.size > 0 and positive.max() > 30 * positive.min()
    floor = positive.min() / 2 if logy and positive.size else -math.inf
    fig = figure(8, 4.8)
    ax = fig.add_subplot()
    for i, p in enumerate(percentiles):
        y = df[p].to_numpy(float) * 1000
        ax.plot(df["_x"], y, marker="o", markersize=4, color=PALETTE[i],
                label=_PERCENTILE_NAMES.get(p, p))
        ci = df.get(f"{p}_ci")
        if ci is not None and ci.notna().any():
            h = ci.to_numpy(float) * 1000
            # A band reaching below zero has no place on a log axis: stop it
            # just under the lowest latency drawn instead.
            ax.fill_between(df["_x"], np.maximum(y - h, floor), y + h, color=PALETTE[i],
                            alpha=0.18, linewidth=0)
    unstable = df[df["unstable"]] if "unstable" in df else df.iloc[0:0]
    if len(unstable):
        ax.axvspan(unstable["_x"].min(), df["_x"].max(), color=BEFORE, alpha=0.15,
                   label="unstable: run stopped, latency understated")
    if slo is not None:
        threshold = magnitude(slo) * 1000
        ax.axhline(threshold, color=ALERT, linestyle="--", linewidth=1.2,
                   label=f"SLO {threshold:g} ms")
    if capacity is not None:
        _mark_capacity(ax, capacity)
    if knee is not None and knee.load is not None:
        if knee.low is not None and knee.high is not None:
            ax.axvspan(knee.low, knee.high, color=PALETTE[2], alpha=0.12, linewidth=0)
        ax.axvline(knee.load, color=PALETTE[2], linestyle=":", linewidth=1.5,
                   label=f"knee: {knee.metric} {knee.factor:g}× its plateau, at {knee.load:.3g}")
    ax.set_xlabel(_axis_label(x, list(df[x])))
    if logy:
        ax.set_yscale("log")
        ax.set_ylabel("latency (ms, log scale)")
    else:
        ax.set_ylim(bottom=0)
        ax.set_ylabel("latency (ms)")
    ax.set_xlim(left=0)
    ax.set_title(title or f"{endpoint}: latency vs load (95% CI bands)")
    ax.legend(loc="upper left")
    return fig


def _mark_capacity(ax: Any, cap: "Capacity") -> None:
    value, low, high = (magnitude(cap.format(v, digits=12))
                        for v in (cap.value, cap.low, cap.high))
    if not math.isnan(low) and not math.isnan(high) and math.isfinite(high):
        ax.axvspan(low, high, color=BEFORE, alpha=0.15, label="capacity 95% CI")
    if not math.isnan(value):
        ax.axvline(value, color="black", linewidth=1.5,
                   label=f"capacity at SLO: {cap.format(cap.value, digits=3)}")


@styled
def heatmap(sweep: pd.DataFrame, x: str, y: str, *, metric: str = "p99",
            endpoint: str | None = None, title: str | None = None) -> Figure:
    """A metric over a 2-D sweep (``x`` × ``y`` grid keys), one annotated
    cell per point; cells whose SLOs fail are outlined, unstable ones hatched.

    `metric` is any column of the sweep: latencies are shown in ms, error
    rates and utilisations in %, rates per second."""
    endpoint = endpoint or default_endpoint(sweep)
    df = sweep[sweep["endpoint"] == endpoint]
    xs = sorted(df[x].unique(), key=magnitude)
    ys = sorted(df[y].unique(), key=magnitude)
    scale, unit = _metric_scale(metric)
    grid = np.full((len(ys), len(xs)), np.nan)
    fails, unstable = [], []
    for _, r in df.iterrows():
        i, j = ys.index(r[y]), xs.index(r[x])
        grid[i, j] = r[metric] * scale
        passed = r.get("slo_pass")
        if passed is not None and pd.notna(passed) and not bool(passed):
            fails.append((i, j))
        if r.get("unstable"):
            unstable.append((i, j))
    fig = figure(max(6.0, 1.6 + 1.1 * len(xs)), 1.6 + 0.75 * len(ys))
    ax = fig.add_subplot()
    ax.grid(False)
    finite = grid[np.isfinite(grid)]
    # Latency over a grid spans orders of magnitude: a log scale keeps the
    # good cells apart instead of one dark block beside the overloaded ones.
    norm = (LogNorm() if finite.size and finite.min() > 0 and finite.max() > 20 * finite.min()
            else None)
    image = ax.imshow(grid, cmap="viridis", origin="lower", aspect="auto", norm=norm)
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(f"{endpoint} {_PERCENTILE_NAMES.get(metric, metric)} ({unit})")
    for i in range(len(ys)):
        for j in range(len(xs)):
            v = grid[i, j]
            if math.isnan(v):
                continue
            ax.text(j, i, f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}", ha="center",
                    va="center", fontsize=9, color="white" if image.norm(v) < 0.5 else "black")
    for i, j in fails:
        ax.add_patch(_cell(i, j, edgecolor=ALERT, linewidth=2.5, fill=False))
    for i, j in unstable:
        ax.add_patch(_cell(i, j, edgecolor="white", hatch="//", fill=False, linewidth=0))
    ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [str(v) for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(title or f"{endpoint}: {_PERCENTILE_NAMES.get(metric, metric)}")
    if fails:
        ax.set_title("outlined: SLOs fail", loc="right", fontsize=9, fontweight="normal")
    return fig


def _cell(i: int, j: int, **kwargs: Any) -> Any:
    from matplotlib.patches import Rectangle
    # Inset, so the outlines of neighbouring cells stay two outlines.
    return Rectangle((j - 0.46, i - 0.46), 0.92, 0.92, **kwargs)


def _metric_scale(metric: str) -> tuple[float, str]:
    if metric in _PERCENTILE_NAMES or metric.startswith(("wait", "job_")):
        return 1000.0, "ms"
    if "utilization" in metric or metric in ("error_rate",) or metric.endswith("_ratio"):
        return 100.0, "%"
    if metric in ("arrival_rate", "throughput") or metric.startswith("errors_"):
        return 1.0, "1/s"
    return 1.0, ""


def duration_text(seconds: float) -> str:
    """A latency as a person writes it: 0.0657 -> "65.7 ms", 9.41 -> "9.41 s"."""
    if math.isnan(seconds):
        return ""
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def _endpoints_frame(x: Endpoints) -> pd.DataFrame:
    return x.endpoints if hasattr(x, "endpoints") and not isinstance(x, pd.DataFrame) else x


@styled
def before_after(before: Endpoints, after: Endpoints, endpoint: str | None = None, *,
                 labels: Sequence[str] = ("before", "after"),
                 percentiles: Sequence[str] = ("p50", "p90", "p95", "p99", "p999"),
                 title: str | None = None) -> Figure:
    """Latency percentiles of one endpoint before and after a change, side
    by side with 95% CI whiskers and the relative change above each pair.

    `before` and `after` are :class:`capsim.Result` objects or DataFrames
    shaped like :attr:`Result.endpoints` (``Comparison.endpoints(i)``)."""
    b, a = _endpoints_frame(before), _endpoints_frame(after)
    if endpoint is None:
        endpoint = (_slo_endpoint(before) if not isinstance(before, pd.DataFrame)
                    else default_endpoint(b))
    rb, ra = (d.set_index("endpoint").loc[endpoint] for d in (b, a))
    fig = figure(8, 4.6)
    ax = fig.add_subplot()
    pos = np.arange(len(percentiles))
    width = 0.38
    top = np.nanmax([row[p] for row in (rb, ra) for p in percentiles] + [0.0])
    scale, unit = (1.0, "s") if top >= 2.0 else (1000.0, "ms")
    for k, (row, label, colour) in enumerate(((rb, labels[0], BEFORE), (ra, labels[1], PALETTE[0]))):
        secs = np.array([row[p] for p in percentiles], dtype=float)
        err = np.array([row.get(f"{p}_ci", np.nan) for p in percentiles], dtype=float) * scale
        offset = (k - 0.5) * width
        bars = ax.bar(pos + offset, secs * scale, width, label=label, color=colour,
                      yerr=None if np.isnan(err).all() else np.nan_to_num(err), capsize=3,
                      error_kw={"elinewidth": 1, "ecolor": "#333333"})
        ax.bar_label(bars, labels=[duration_text(v) for v in secs], padding=2, fontsize=8)
    ticks = []
    for p in percentiles:
        name = _PERCENTILE_NAMES.get(p, p)
        ok = rb[p] and not math.isnan(rb[p]) and not math.isnan(ra[p])
        ticks.append(f"{name}\n{ra[p] / rb[p] - 1:+.0%}" if ok else name)
    ax.set_xticks(pos, ticks)
    ax.set_ylabel(f"latency ({unit})")
    ax.set_xlabel(f"percentile, and the change from {labels[0]} to {labels[1]}")
    ax.margins(y=0.12)
    ax.set_title(title or f"{endpoint}: latency {labels[0]} and {labels[1]}")
    ax.legend(loc="upper left")
    return fig


# Colours per component, so "db" is the same colour in every chart.
_COMPONENT_COLOURS = dict(zip(
    ["cpu", "cpu_wait", "worker_wait", "db", "db_wait", "pool_wait", "connect", "network",
     "lock_wait", "cache", "external", "delay", "loop_wait", "executor_wait", "broker_wait"],
    PALETTE[:7] + ["#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#C7C7C7", "#AEC7E8", "#FFBB78",
                   "#98DF8A"]))


@styled
def attribution(result: "Result", endpoints: Sequence[str] | None = None, *,
                title: str | None = None) -> Figure:
    """Where the time went, per entry endpoint: mean milliseconds in each
    component (waiting for a worker, CPU, pool wait, database, ...), for all
    requests and for the slowest 1% (above p99), as stacked bars."""
    att = result.attribution
    eps = list(endpoints) if endpoints else [
        e for e in result.endpoints.query("entry")["endpoint"]]
    att = att[att["endpoint"].isin(eps)]
    used = att.groupby("component")[["seconds", "tail_seconds"]].sum().max(axis=1)
    components = [c for c in _COMPONENT_COLOURS if used.get(c, 0) > 0] + sorted(
        c for c in used.index if c not in _COMPONENT_COLOURS and used[c] > 0)
    fig = figure(10, 1.6 + 0.55 * len(eps))
    axes = fig.subplots(1, 2)
    for ax, column, what in ((axes[0], "seconds", "all requests (mean)"),
                             (axes[1], "tail_seconds", "slowest 1% (above p99)")):
        left = np.zeros(len(eps))
        for c in components:
            rows = att[att["component"] == c].set_index("endpoint")
            widths = np.array([rows[column].get(e, 0.0) for e in eps], dtype=float) * 1000
            widths = np.nan_to_num(widths)
            ax.barh(eps, widths, left=left, label=c, color=_COMPONENT_COLOURS.get(c, "#BBBBBB"))
            left += widths
        ax.set_xlabel("mean time per request (ms)")
        ax.set_title(what, fontsize=10, fontweight="normal")
        ax.invert_yaxis()
        ax.grid(axis="y", visible=False)
    axes[1].set_yticklabels([])
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 7))
    fig.suptitle(title or f"{result.report['scenario']}: where the time went",
                 fontweight="bold", x=0.01, ha="left")
    return fig


def _utilization_rows(report: dict) -> list[dict]:
    rows = []
    for s in report["stations"]:
        resources = [("loops", "loop_utilization", None)] if s.get("mode") == "async" else [
            ("workers", "worker_utilization", "peak_worker_utilization")]
        resources.append(("cores", "core_utilization", "peak_core_utilization"))
        for resource, key, peak in resources:
            rows.append({"station": s["name"], "resource": resource,
                         "mean": s[key]["mean"], "peak": s.get(peak) if peak else None})
    for d in report.get("databases", []):
        rows.append({"station": d["name"], "resource": "cores", "mean":
                     d["core_utilization"]["mean"], "peak": d["peak_core_utilization"]})
    for p in report.get("pools", []):
        if p["size"]:
            rows.append({"station": p["name"], "resource": "connections",
                         "mean": p["utilization"]["mean"], "peak": p["peak_utilization"]})
    for c in report.get("caches", []):
        rows.append({"station": c["name"], "resource": "cores",
                     "mean": c["utilization"]["mean"], "peak": None})
    return rows


@styled
def utilization(result: "Result", *, title: str | None = None) -> Figure:
    """Utilisation of every station's resources (workers, cores, pool
    connections, database cores): the mean as a bar, the busiest window as
    a tick, the bottleneck (the busiest resource) in red."""
    report = result.report
    rows = _utilization_rows(report)
    busiest = report["busiest"]
    fig = figure(8, 1.2 + 0.42 * len(rows))
    ax = fig.add_subplot()
    names = [f"{r['station']} {r['resource']}" for r in rows]
    pos = np.arange(len(rows))
    means = np.array([r["mean"] or 0.0 for r in rows]) * 100
    hot = [r["station"] == busiest["station"] and r["resource"] == busiest["resource"]
           for r in rows]
    ax.barh(pos, means, color=[ALERT if h else PALETTE[0] for h in hot], height=0.6,
            label="mean over the run")
    peaks = [(i, r["peak"] * 100) for i, r in enumerate(rows) if r["peak"] is not None]
    if peaks:
        ax.scatter([p for _, p in peaks], [i for i, _ in peaks], marker="|", s=220,
                   color="black", linewidths=2, label="busiest window", zorder=3)
    for i, (m, h) in enumerate(zip(means, hot)):
        ax.text(m + 1, i, f"{m:.0f}%" + ("  bottleneck" if h else ""), va="center",
                fontsize=9, color=ALERT if h else "black",
                fontweight="bold" if h else "normal")
    ax.axvline(100, color="black", linewidth=0.8)
    ax.set_yticks(pos, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    ax.set_xlabel("utilisation (%)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    ax.set_title(title or f"{report['scenario']}: utilisation per station")
    return fig


def _series(ts: pd.DataFrame, kind: str, name: str, metric: str) -> pd.DataFrame:
    return ts[(ts["kind"] == kind) & (ts["name"] == name) & (ts["metric"] == metric)]


def _busiest_series(ts: pd.DataFrame, n: int) -> list[tuple[str, str, str]]:
    """The n (kind, name, metric) utilisation series with the highest peaks,
    one per station."""
    util = ts[ts["metric"].str.endswith("utilization")]
    util = util[util["kind"].isin(["station", "pool", "database"])]
    peaks = util.groupby(["kind", "name", "metric"])["value"].max().sort_values(ascending=False)
    chosen, names = [], set()
    for (kind, name, metric), _ in peaks.items():
        if name not in names:
            chosen.append((kind, name, metric))
            names.add(name)
        if len(chosen) == n:
            break
    return chosen


_RESOURCE = {"worker_utilization": "workers", "core_utilization": "cores",
             "loop_utilization": "loops", "utilization": "connections"}


@styled
def timeline(result: "Result", endpoint: str | None = None, *, other: "Result | None" = None,
             labels: Sequence[str] = ("before", "after"), stations: int = 3,
             title: str | None = None) -> Figure:
    """A spike, window by window, on one time axis: arrival rate and
    throughput, p50 and p99, error rate, queue length and utilisation of
    the `stations` busiest stations. The warm-up is shaded.

    With `other`, `result` is drawn as "before" (dashed, faded) under
    `other` as "after" (solid), each series in one colour in both: the same
    spike before and after a fix. Latency goes on a log scale when the
    highest latency is over 30x the lowest run's median p50.
    """
    runs = [(result, labels[0] if other is not None else None)]
    if other is not None:
        runs.append((other, labels[1]))
    endpoint = endpoint or _slo_endpoint(result)
    series = _busiest_series(result.timeseries, stations)
    fig = figure(9, 10)
    axes = fig.subplots(5, 1, sharex=True)
    peak, typical = 0.0, math.inf  # highest latency drawn; lowest run's median p50
    for k, (res, label) in enumerate(runs):
        ts = res.timeseries
        # Before and after share a series' colour, so each pair reads as one
        # thing changed; the line style tells them apart, in the legend once.
        faded = other is not None and k == 0
        style = {"linestyle": "--", "alpha": 0.6, "linewidth": 1.4} if faded else {}

        def name(text: str) -> str:
            return "_nolegend_" if faded else text

        for i, metric in enumerate(("arrival_rate", "throughput")):
            s = _series(ts, "endpoint", endpoint, metric)
            axes[0].plot(s["time"], s["value"], color=PALETTE[i],
                         label=name(metric.replace("_", " ")), **style)
        for i, metric in enumerate(("p50", "p99")):
            s = _series(ts, "endpoint", endpoint, metric)
            axes[1].plot(s["time"], s["value"] * 1000, color=PALETTE[i], label=name(metric),
                         **style)
            ms = s["value"].to_numpy(dtype=float) * 1000
            ms = ms[np.isfinite(ms) & (ms > 0)]
            if len(ms):
                peak = max(peak, ms.max())
                if metric == "p50":
                    typical = min(typical, float(np.median(ms)))
        s = _series(ts, "endpoint", endpoint, "error_rate")
        axes[2].plot(s["time"], s["value"] * 100, color=PALETTE[1], label=name("errors"),
                     **style)
        for i, (kind, station, metric) in enumerate(series):
            s = _series(ts, kind, station, metric)
            axes[4].plot(s["time"], s["value"] * 100, color=PALETTE[i],
                         label=name(f"{station} {_RESOURCE.get(metric, metric)}"), **style)
            q = _series(ts, kind, station, "waiting")
            if len(q):
                axes[3].plot(q["time"], q["value"], color=PALETTE[i], label=name(station),
                             **style)
    # A fleet that changes size (an autoscaler, crashes) explains the
    # utilisation it sits beside: its replica count on a right-hand axis.
    fleet = [st["name"] for st in result.report["stations"]
             if st.get("autoscaled") or (st.get("crashes") or {}).get("mean")]
    if fleet:
        right = axes[4].twinx()
        right.set_ylabel("replicas up")
        for k, (res, label) in enumerate(runs):
            faded = other is not None and k == 0
            style = {"linestyle": "--", "alpha": 0.6} if faded else {}
            for j, station in enumerate(fleet):
                s = _series(res.timeseries, "station", station, "replicas_up")
                if len(s):
                    right.step(s["time"], s["value"], where="pre", color="#333333",
                               linewidth=1.2 + 0.6 * j,
                               label="_nolegend_" if faded else f"{station} replicas", **style)
        right.set_ylim(bottom=0)
        right.legend(loc="upper right")
    # Seconds of queueing in a spike would flatten a run's typical
    # milliseconds onto the axis: past a 30x spread, latency goes on a log scale.
    log_latency = peak > 30 * typical
    ylabels = ("requests/s", "latency (ms, log scale)" if log_latency else "latency (ms)",
               "errors (%)", "queued requests", "utilisation (%)")
    titles = ("traffic", "latency", "error rate", "queue length", "utilisation")
    warmup = result.report["run"]["warmup"]
    styles = []
    if other is not None:
        from matplotlib.lines import Line2D
        styles = [Line2D([], [], color="#555555", linestyle="--", alpha=0.6, label=labels[0]),
                  Line2D([], [], color="#555555", label=labels[1])]
    for ax, ylabel, what in zip(axes, ylabels, titles):
        ax.set_ylabel(ylabel)
        ax.set_title(what, fontsize=10, fontweight="normal")
        if ax is axes[1] and log_latency:
            ax.set_yscale("log")
        else:
            ax.set_ylim(bottom=0)
        if warmup > 0:
            ax.axvspan(0, warmup, color=BEFORE, alpha=0.12, linewidth=0)
        handles, _ = ax.get_legend_handles_labels()
        if handles:
            # Series in the first column, the before/after key in the next.
            ncols = 1 if not styles else (3 if len(handles) == 1 else 2)
            ax.legend(handles=handles + styles, loc="upper left", ncols=ncols)
    axes[4].axhline(100, color="black", linewidth=0.8)
    axes[2].set_ylim(top=max(1.0, axes[2].get_ylim()[1]))
    axes[-1].set_xlabel("time (s)" + (" — shaded: warm-up, not measured" if warmup > 0 else ""))
    axes[-1].set_xlim(0, result.report["run"]["duration"])
    fig.suptitle(title or f"{result.report['scenario']}: {endpoint}, window by window",
                 fontweight="bold", x=0.01, ha="left")
    return fig


class ResultPlots:
    """``result.plot.<name>()``: the charts of one run. Each returns a Figure."""

    def __init__(self, result: "Result"):
        self._result = result

    def timeline(self, endpoint: str | None = None, **kwargs: Any) -> Figure:
        """See :func:`capsim.plot.timeline`."""
        return timeline(self._result, endpoint, **kwargs)

    def utilization(self, **kwargs: Any) -> Figure:
        """See :func:`capsim.plot.utilization`."""
        return utilization(self._result, **kwargs)

    def attribution(self, endpoints: Sequence[str] | None = None, **kwargs: Any) -> Figure:
        """See :func:`capsim.plot.attribution`."""
        return attribution(self._result, endpoints, **kwargs)

    def before_after(self, after: "Result", endpoint: str | None = None,
                     **kwargs: Any) -> Figure:
        """This run as "before" and `after`: see :func:`capsim.plot.before_after`."""
        return before_after(self._result, after, endpoint, **kwargs)

    def __dir__(self) -> list[str]:
        return ["timeline", "utilization", "attribution", "before_after"]
