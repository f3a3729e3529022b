"""Scenarios: loading, overriding and running."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from capsim import _core
from capsim._toml import tomllib
from capsim.analysis import Analysis
from capsim.errors import ScenarioError
from capsim.graph import Graph
from capsim.progress import ProgressArg
from capsim.result import Result
from capsim.scale import Scaling, run_scaling

Progress = Callable[[int, int], None]


def _checked(loaded: tuple) -> Any:
    model, diagnostics = loaded
    if model is None:
        raise ScenarioError(diagnostics)
    return model


def _run_overrides(replications: int | None, seed: int | None, duration: str | None,
                   warmup: str | None) -> list[str]:
    out = []
    if replications is not None:
        out.append(f"run.replications={int(replications)}")
    if seed is not None:
        out.append(f"run.seed={int(seed)}")
    if duration is not None:
        out.append(f"run.duration={duration}")
    if warmup is not None:
        out.append(f"run.warmup={warmup}")
    return out


class Scenario:
    """A scenario: a TOML file or the same tree as a Python dict.

    Validation happens in the C++ engine (one schema, one validator); a
    problem raises :class:`capsim.ScenarioError` listing every issue with its
    key path (and file:line:column for files).
    """

    def __init__(self, tree: Mapping[str, Any] | None = None, *, path: str | os.PathLike | None = None,
                 overrides: list[str] | None = None, name: str = "scenario",
                 base_dir: str | None = None):
        if (tree is None) == (path is None):
            raise TypeError("give a scenario dict or path=, not both")
        self._tree = copy.deepcopy(dict(tree)) if tree is not None else None
        self._path = Path(path) if path is not None else None
        self._overrides = list(overrides or [])
        self._name = name
        # A dict's relative references (extends, empirical files) resolve
        # where it was made, not wherever the cwd is when a worker reloads it.
        self._base_dir = base_dir if base_dir is not None else os.getcwd()
        self._model = self._load(self._overrides)

    # Sweeps send scenarios to other processes and machines (Dask): the
    # compiled model stays behind and is rebuilt from what made it.
    def __getstate__(self) -> dict:
        return {"tree": self._tree, "path": self._path, "overrides": self._overrides,
                "name": self._name, "base_dir": self._base_dir}

    def __setstate__(self, state: dict) -> None:
        self._tree, self._path = state["tree"], state["path"]
        self._overrides, self._name = state["overrides"], state["name"]
        self._base_dir = state["base_dir"]
        self._model = self._load(self._overrides)

    def _load(self, overrides: list[str]):
        if self._path is not None:
            loaded = _core.load_file(str(self._path), overrides)
        else:
            loaded = _core.load_dict(self._tree, self._name, self._base_dir, overrides)
        self._warnings = [d for d in loaded[1] if d["severity"] == "warning"]
        return _checked(loaded)

    @property
    def warnings(self) -> list[dict]:
        """Warnings from validation (an endpoint no traffic reaches, ...),
        as dicts shaped like :attr:`capsim.ScenarioError.diagnostics`."""
        return list(self._warnings)

    @property
    def name(self) -> str:
        """The scenario's name (its `name` key, or the file's stem)."""
        return self._model.name

    @property
    def endpoints(self) -> list[str]:
        """Every endpoint, as "service.endpoint"."""
        return list(self._model.endpoints)

    @property
    def overrides(self) -> list[str]:
        """The `key.path=value` overrides applied on top of the file or dict."""
        return list(self._overrides)

    def with_(self, overrides: Mapping[str, Any] | list[str]) -> "Scenario":
        """A copy with overrides applied, e.g. ``{"services.api.replicas": 8}``.

        Values are written as in a scenario: numbers, or strings with units
        ("250ms", "5k/s").
        """
        extra = list(overrides) if isinstance(overrides, list) else [
            f"{k}={_toml_value(v)}" for k, v in overrides.items()]
        if self._path is not None:
            return Scenario(path=self._path, overrides=self._overrides + extra)
        return Scenario(self._tree, overrides=self._overrides + extra, name=self._name,
                        base_dir=self._base_dir)

    def to_toml(self) -> str:
        """The scenario fully resolved, as TOML: its bases (``extends``)
        merged in and its overrides applied, as ``capsim show`` prints it."""
        if self._path is not None:
            shown = _core.show_file(str(self._path), self._overrides)
        else:
            shown = _core.show_dict(self._tree, self._name, self._base_dir, self._overrides)
        return _checked(shown)

    def to_dict(self) -> dict[str, Any]:
        """The scenario fully resolved, as a dict: :meth:`to_toml` parsed.
        ``Scenario(sc.to_dict())`` is the same scenario."""
        return tomllib.loads(self.to_toml())

    def get(self, key: str, default: Any = None) -> Any:
        """The resolved value at a dotted key path ("traffic.web.rate",
        "run.seed"), or `default` when the scenario does not set it.
        Defaults the engine fills in (``run.seed`` is 1) are not shown."""
        node: Any = self.to_dict()
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def graph(self) -> Graph:
        """The scenario's topology: DOT text that renders inline in Jupyter,
        with each endpoint's call depth and worst-case fan-out."""
        return Graph(_core.graph_dot(self._model), _core.endpoint_metrics(self._model))

    def analyze(self) -> Analysis:
        """Demands, bottleneck law, bounds and steady-state estimates, without
        simulating (what ``capsim check`` prints; docs/analysis.md)."""
        return Analysis.from_json(_core.analyze(self._model))

    def scale(self, over: str, sizes: list[int], *, progress: ProgressArg = None,
              executor: Any = None, **run_kwargs: Any) -> Scaling:
        """Run at each size of the key `over` (e.g. "services.api.replicas")
        with the same seed and fit Amdahl's law and the USL to the throughput;
        the sizes run in parallel as a :func:`capsim.sweep` does (``executor``,
        ``progress`` alike); ``run_kwargs`` go to :meth:`run` (docs/analysis.md)."""
        return run_scaling(self, over, list(sizes), progress=progress, executor=executor,
                           **run_kwargs)

    def run(self, *, replications: int | None = None, seed: int | None = None,
            duration: str | None = None, warmup: str | None = None, threads: int = 0,
            progress: Progress | None = None) -> Result:
        """Run the scenario and return its :class:`capsim.Result`.

        Args:
            replications: independent replications (``run.replications``);
                2 or more give confidence intervals.
            seed: the root of every random stream (``run.seed``).
            duration: simulated time per replication, e.g. ``"60s"``.
            warmup: initial time not measured, e.g. ``"10s"``.
            threads: threads for the replications (0: all cores). The GIL
                is released while they run and the report is identical for
                any thread count.
            progress: ``progress(done, total)``, called as replications finish.

        Ctrl-C stops the run (``KeyboardInterrupt``). Example::

            res = capsim.load("scenarios/checkout.toml").run(replications=8)
            res.endpoints[["endpoint", "p99", "p99_ci"]]
        """
        extra = _run_overrides(replications, seed, duration, warmup)
        model = self._load(self._overrides + extra) if extra else self._model
        report = _core.run(model, threads, progress)
        return Result(json.loads(report), report)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v) if not isinstance(v, str) else v


def load(path: str | os.PathLike, overrides: list[str] | None = None) -> Scenario:
    """Load and validate a scenario file.

    Args:
        path: a TOML scenario (docs/scenarios.md); ``extends`` and CSV files
            resolve relative to it.
        overrides: ``"key.path=value"`` strings, as ``--set`` takes them,
            e.g. ``["services.api.replicas=8", "traffic.web.rate=2k/s"]``.

    Raises :class:`capsim.ScenarioError` with every problem found (file,
    line, column, what was expected, a did-you-mean). Example::

        sc = capsim.load("scenarios/checkout.toml", ["services.db.cores=16"])
        sc.analyze().summary()   # the bottleneck, without simulating
    """
    return Scenario(path=path, overrides=overrides)


def run(scenario: Scenario | Mapping[str, Any] | str | os.PathLike, *,
        overrides: Mapping[str, Any] | list[str] | None = None,
        replications: int | None = None, seed: int | None = None,
        duration: str | None = None, warmup: str | None = None, threads: int = 0,
        progress: Progress | None = None) -> Result:
    """Simulate a scenario and return its :class:`capsim.Result`.

    Args:
        scenario: a :class:`Scenario`, a scenario file's path, or a dict
            shaped like the TOML (docs/scenarios.md).
        overrides: what-if changes, ``{"services.api.replicas": 8}`` or
            ``["services.api.replicas=8"]`` (see :meth:`Scenario.with_`).
        replications: independent replications (``run.replications``);
            2 or more give confidence intervals.
        seed: the root of every random stream (``run.seed``); the same
            scenario and seed give the same report, bit for bit.
        duration: simulated time per replication, e.g. ``"60s"``.
        warmup: initial time not measured, e.g. ``"10s"``.
        threads: threads for the replications (0: all cores).
        progress: ``progress(done, total)``, called as replications finish.

    The result holds tidy DataFrames (units in docs/python.md):
    ``.endpoints`` (latency percentiles, throughput, errors by cause, each
    with its CI), ``.stations`` (utilisation, queues), ``.slos`` (verdicts),
    ``.timeseries``, ``.attribution`` (where the time went), ``.analytic``
    (the operational laws beside the simulation); ``.busiest`` names the
    bottleneck, ``.ok`` is True when every SLO is met, ``.plot.<chart>()``
    draws them and ``.to_json/.to_csv/.to_parquet`` save them.
    Raises :class:`capsim.ScenarioError` on bad input. Example::

        res = capsim.run("scenarios/checkout.toml", replications=5,
                         overrides={"traffic.web.rate": "2k/s"})
        res.endpoints[["endpoint", "p50", "p99", "p99_ci", "error_rate"]]
        res.plot.attribution()
    """
    if not isinstance(scenario, Scenario):
        scenario = Scenario(scenario) if isinstance(scenario, Mapping) else load(scenario)
    if overrides:
        scenario = scenario.with_(overrides)
    return scenario.run(replications=replications, seed=seed, duration=duration,
                        warmup=warmup, threads=threads, progress=progress)
