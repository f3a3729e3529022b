"""capsim.sweep on a real Dask cluster: the scenario and the results travel
between processes, and the numbers are those of a local sweep."""

from __future__ import annotations

import distributed  # requirements-dev.txt: a missing Dask fails, never skips
import pandas as pd
import pytest

import capsim

from conftest import mm1


@pytest.fixture(scope="module")
def client():
    # Worker processes, not threads: a sweep must survive pickling the
    # scenario to another interpreter, as on a real cluster.
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=50)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_a_sweep_on_a_local_cluster_equals_the_local_sweep(client):
    sc = capsim.Scenario(mm1(duration="60s", replications=2))
    grid = {"traffic.clients.rate": ["20/s", "40/s", "60/s", "80/s"]}
    remote = capsim.sweep(sc, grid, executor=client, progress=False)
    local = capsim.sweep(sc, grid, progress=False)
    pd.testing.assert_frame_equal(remote, local)
    assert remote["p99"].is_monotonic_increasing


def test_a_comparison_on_a_local_cluster_equals_the_local_one(client):
    sc = capsim.Scenario(mm1(duration="60s"))
    change = {"services.server.workers": 2, "services.server.cores": 2}
    remote = capsim.compare(sc, change, replications=3, executor=client, progress=False)
    local = capsim.compare(sc, change, replications=3, progress=False)
    pd.testing.assert_frame_equal(remote.table, local.table)
    p50 = remote.table.set_index("metric").loc["p50"]
    assert p50["significant"] and p50["better"]
