"""Sweeps: one scenario run at every point of a grid of overrides, on all
local cores or on any ``concurrent.futures``-style executor (a Dask
``Client`` included), gathered into one tidy DataFrame.

Every point runs with the scenario's seed: the engine derives each source's
and station's random stream from (seed, replication, its name), so points
differ by what the grid changes, not by noise (common random numbers), and
curves over a grid come out smooth.
"""

from __future__ import annotations

import itertools
import os
import queue
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Union

import pandas as pd

from capsim.progress import ProgressArg, reporter

if TYPE_CHECKING:
    from capsim.result import Result
    from capsim.scenario import Scenario

#: A grid: ``{key: [values]}`` (every combination, the first key varying
#: slowest) or a list of points, each ``{key: value}`` or ``["key=value"]``.
Grid = Union[Mapping[str, Sequence[Any]], Sequence[Union[Mapping[str, Any], Sequence[str]]]]


def grid_points(grid: Grid) -> list[dict[str, Any]]:
    """The points of a grid, each an ordered ``{key: value}``."""
    if isinstance(grid, Mapping):
        for key, values in grid.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
                raise TypeError(f"grid[{key!r}] must be a list of values, not {values!r}")
            if not values:
                raise ValueError(f"grid[{key!r}] has no values")
        keys = list(grid)
        return [dict(zip(keys, combo)) for combo in itertools.product(*grid.values())]
    points = []
    for p in grid:
        if isinstance(p, Mapping):
            points.append(dict(p))
            continue
        point = {}
        for item in p:
            key, sep, value = str(item).partition("=")
            if not sep or not key:
                raise ValueError(f"an override is KEY=VALUE, not {item!r}")
            point[key] = value
        points.append(point)
    if not points:
        raise ValueError("the grid has no points")
    return points


def local_cores() -> int:
    """Cores this process may run on (its CPU affinity, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _run_one(scenario: "Scenario", run_kwargs: dict, reduce: Callable[["Result"], Any]) -> Any:
    return reduce(scenario.run(**run_kwargs))


def run_many(tasks: Sequence[tuple["Scenario", dict]], reduce: Callable[["Result"], Any], *,
             executor: Any = None, progress: ProgressArg = None,
             description: str = "runs") -> list[Any]:
    """Run each ``(scenario, run kwargs)`` and return ``reduce(result)`` for
    each, in order.

    Without an executor the runs share a thread pool sized to the local
    cores (the engine releases the GIL, so threads run in parallel) and each
    run gets its share of the cores for its replications. With an executor
    (``concurrent.futures``, ``dask.distributed.Client``, ...) each run uses
    one thread unless its kwargs say ``threads``; `reduce` runs where the run
    did, so only its (small, picklable) value travels back.
    """
    own = executor is None
    threads = 1
    if own:
        cores = local_cores()
        workers = max(1, min(len(tasks), cores))
        threads = max(1, cores // workers)
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="capsim-sweep")
    finished: queue.SimpleQueue = queue.SimpleQueue()
    futures = []
    try:
        with reporter(progress, len(tasks), description) as tick:
            for scenario, kwargs in tasks:
                # threads=0 means "all cores" to one run; among many runs
                # that is oversubscription, so it gets the run's share.
                kwargs = {**kwargs, "threads": kwargs.get("threads") or threads}
                future = executor.submit(_run_one, scenario, kwargs, reduce)
                # Both concurrent.futures and Dask futures call back on
                # completion: progress without polling and without knowing
                # which kind of executor this is.
                future.add_done_callback(finished.put)
                futures.append(future)
            for done in range(1, len(futures) + 1):
                future = finished.get()
                if future.exception() is not None:
                    raise future.exception()
                tick(done)
        return [f.result() for f in futures]
    finally:
        for f in futures:
            f.cancel()
        if own:
            executor.shutdown(wait=True, cancel_futures=True)


def _run_kwargs(replications: int | None, seed: int | None, duration: str | None,
                warmup: str | None, threads: int | None) -> dict:
    kwargs = {"replications": replications, "seed": seed, "duration": duration,
              "warmup": warmup, "threads": threads}
    return {k: v for k, v in kwargs.items() if v is not None}


def endpoint_rows(result: "Result") -> list[dict]:
    """One dict per endpoint: its statistics (as :attr:`Result.endpoints`)
    and the run's verdicts, for a row of a sweep."""
    report = result.report
    busiest = report["busiest"]
    slo_pass: dict[str, bool] = {}
    thresholds: dict[str, dict[str, float]] = {}
    for s in report["slos"]:
        slo_pass[s["endpoint"]] = slo_pass.get(s["endpoint"], True) and bool(s["pass"])
        thresholds.setdefault(s["endpoint"], {})[f"slo_{s['metric']}"] = s["threshold"]
    rows = []
    for row in result.endpoints.to_dict(orient="records"):
        row.update(thresholds.get(row["endpoint"], {}))
        row.update({"slo_pass": slo_pass.get(row["endpoint"]), "ok": result.ok,
                    "status": report["status"], "unstable": bool(report["unstable"]),
                    "busiest": busiest["station"], "busiest_resource": busiest["resource"],
                    "busiest_utilization": busiest["utilization"],
                    "replications": report["run"]["replications"],
                    "seed": report["run"]["seed"]})
        rows.append(row)
    return rows


def sweep(scenario: "Scenario", grid: Grid, *, replications: int | None = None,
          seed: int | None = None, duration: str | None = None, warmup: str | None = None,
          threads: int | None = None, executor: Any = None,
          progress: ProgressArg = None) -> pd.DataFrame:
    """Run `scenario` at every point of `grid` and return one DataFrame.

    Args:
        scenario: the base scenario; each point applies its overrides to it.
        grid: ``{"services.api.replicas": [2, 4, 8], "traffic.web.rate":
            ["100/s", "200/s"]}`` runs every combination; a list of points
            (``[{"services.api.replicas": 2}, ...]`` or ``[["key=value", ...],
            ...]``) runs exactly those.
        replications, seed, duration, warmup: override the scenario's ``run``
            settings at every point. The same seed everywhere gives common
            random numbers.
        threads: threads per run (default: the cores shared among the runs
            without an executor, 1 with one).
        executor: anything with ``submit(fn, *args)`` returning a future with
            ``add_done_callback``: a ``concurrent.futures`` executor or a
            ``dask.distributed.Client``. Default: threads on all local cores.
        progress: ``None`` shows a bar when interactive (a terminal or a
            notebook), ``True``/``False`` forces it, a callable gets
            ``(done, total)``.

    Returns:
        One row per grid point × endpoint: ``point`` (its index), one column
        per grid key holding the value as given, then the endpoint's
        columns as in :attr:`Result.endpoints` (rates in 1/s, latencies in
        s, each with its ``*_ci``), the threshold of each of the endpoint's
        SLOs as ``slo_<metric>`` (``slo_p99`` in s, ``slo_error_rate`` a
        fraction; NaN where it has none; :func:`capsim.knee` reads them),
        and the run's verdicts: ``slo_pass``
        (this endpoint's SLOs, None without any), ``ok`` (stable and every
        SLO passed), ``status``, ``unstable``, ``busiest`` /
        ``busiest_resource`` / ``busiest_utilization``, ``replications``,
        ``seed``.

    Every point is validated before anything runs, so a bad key or value
    raises :class:`capsim.ScenarioError` at once. Example::

        df = capsim.sweep(sc, {"traffic.web.rate": ["100/s", "200/s", "400/s"]},
                          replications=5)
        capsim.plot.hockey_stick(df, endpoint="api.checkout")
    """
    points = grid_points(grid)
    variants = [scenario.with_(p) for p in points]
    kwargs = _run_kwargs(replications, seed, duration, warmup, threads)
    per_point = run_many([(v, kwargs) for v in variants], endpoint_rows, executor=executor,
                         progress=progress, description=f"sweep of {len(points)} points")
    keys = list(dict.fromkeys(k for p in points for k in p))
    rows = []
    for i, (point, endpoints) in enumerate(zip(points, per_point)):
        for e in endpoints:
            rows.append({"point": i, **{k: point.get(k) for k in keys}, **e})
    return pd.DataFrame(rows)
