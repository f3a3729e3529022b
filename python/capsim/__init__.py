"""capsim: a capacity-planning simulator for backend systems.

Load a scenario, run it, read the report::

    import capsim
    sc = capsim.load("scenarios/checkout.toml")
    res = sc.run(replications=5)
    res.endpoints          # one row per endpoint, with confidence intervals
    res.plot.timeline()    # the spike: rates, latency, errors, queues, utilisation

Sweep a grid of what-ifs, find the capacity at the SLOs, compare a fix::

    df = capsim.sweep(sc, {"services.api.replicas": [2, 4, 8]})
    cap = capsim.capacity(sc, over="traffic.shoppers.shape.peak")
    cmp = capsim.compare(sc, {"services.db.cores": 16})
    capsim.knee(df_load).summary()   # where p99 leaves its plateau; where SLOs fail

See docs/python.md.
"""

from capsim._core import __version__
from capsim.capacity import Capacity, capacity
from capsim.compare import Comparison, compare
from capsim.errors import ScenarioError
from capsim.graph import Graph
from capsim.knee import Knee, knee
from capsim.result import Result
from capsim.scenario import Scenario, load, run
from capsim.sweep import sweep



def __getattr__(name: str):
    # capsim.plot imports matplotlib: only when a chart is wanted, so the
    # command line and worker processes start quickly.
    if name == "plot":
        import importlib
        return importlib.import_module("capsim.plot")
    raise AttributeError(f"module 'capsim' has no attribute {name!r}")


__all__ = ["Scenario", "Result", "ScenarioError", "Graph", "Capacity", "Comparison", "Knee",
           "load", "run", "sweep", "knee", "capacity", "compare", "__version__"]
