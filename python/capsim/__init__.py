"""capsim: a capacity-planning simulator for backend systems.

Load a scenario, run it, read the report::

    import capsim
    sc = capsim.load("scenarios/checkout.toml")
    res = sc.run(replications=5)
    res.endpoints          # one row per endpoint, with confidence intervals
"""

from capsim._core import __version__
from capsim.errors import ScenarioError
from capsim.graph import Graph
from capsim.result import Result
from capsim.scenario import Scenario, load, run

__all__ = ["Scenario", "Result", "ScenarioError", "Graph", "load", "run", "__version__"]
