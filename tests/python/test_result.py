"""capsim.Result: DataFrames, SLO verdicts and exports."""

from __future__ import annotations

import json

import pandas as pd

import capsim


def small(tree):
    tree["slo"] = [{"endpoint": "server.work", "p99": "1s", "error_rate": "1%"},
                   {"endpoint": "server.work", "p50": "1ms"}]
    return capsim.Scenario(tree).run()


def test_endpoint_frame_has_latencies_with_cis(mm1_tree):
    df = small(mm1_tree).endpoints
    for col in ("p50", "p50_ci", "p99", "p99_ci", "p999", "max", "throughput", "error_rate",
                "errors_queue_full"):
        assert col in df.columns
    row = df.iloc[0]
    assert row["p50"] < row["p99"] < row["max"]
    assert 45 < row["throughput"] < 55


def test_station_frame_reports_utilisation(mm1_tree):
    st = small(mm1_tree).stations.set_index("station").loc["server"]
    assert 0.4 < st["worker_utilization"] < 0.6
    assert st["worker_utilization"] == st["core_utilization"]


def test_replica_frame_lists_each_replica_and_sums_to_the_station(mm1_tree):
    mm1_tree["services"]["server"]["replicas"] = 3
    res = capsim.Scenario(mm1_tree).run()
    df = res.replicas
    assert list(df["name"]) == ["server[0]", "server[1]", "server[2]"]
    # Round robin: a third of the throughput each, and the station's
    # utilisation is the replicas' mean.
    st = res.stations.set_index("station").loc["server"]
    assert abs(df["throughput"].sum() - st["throughput"]) < 1e-9 * st["throughput"]
    assert abs(df["worker_utilization"].mean() - st["worker_utilization"]) < 1e-9
    mm1_tree["services"]["server"]["replicas"] = 1
    assert capsim.Scenario(mm1_tree).run().replicas.empty


def test_slo_verdicts(mm1_tree):
    res = small(mm1_tree)
    slos = res.slos.set_index("slo")
    assert slos.loc["server.work p99 < 1s", "pass"]
    assert not slos.loc["server.work p50 < 1ms", "pass"]
    assert slos.loc["server.work p50 < 1ms", "confident"]
    assert not res.ok


def test_timeseries_is_long_form_with_one_row_per_window(mm1_tree):
    res = small(mm1_tree)
    ts = res.timeseries
    assert set(ts.columns) == {"time", "kind", "name", "metric", "value"}
    thr = ts[(ts.name == "server.work") & (ts.metric == "throughput")]
    assert len(thr) == 200  # 200 s at the default 1 s window
    assert thr.value.iloc[20:].mean() > 40


def test_attribution_sums_to_the_mean_latency(mm1_tree):
    res = small(mm1_tree)
    att = res.attribution
    total = att[att.endpoint == "server.work"].seconds.sum()
    mean = res.endpoints.loc[0, "mean"]
    assert abs(total - mean) < 1e-3 * mean


def test_exports_round_trip(mm1_tree, tmp_path):
    res = small(mm1_tree)
    assert json.loads(res.to_json(tmp_path / "r.json"))["schema"] == "capsim.report/1"
    res.to_csv(tmp_path / "csv")
    back = pd.read_csv(tmp_path / "csv" / "endpoints.csv")
    assert list(back.endpoint) == ["server.work"]
    res.to_parquet(tmp_path / "pq")
    assert len(pd.read_parquet(tmp_path / "pq" / "timeseries.parquet")) == len(res.timeseries)


def test_sources_frame_splits_client_classes():
    tree = {
        "run": {"duration": "100s", "replications": 2, "seed": 3},
        "services": {"s": {"workers": 4, "cores": 4, "endpoints": {
            "fast": {"steps": [{"cpu": "exp(1ms)"}]},
            "slow": {"steps": [{"cpu": "exp(20ms)"}]}}}},
        "traffic": {"people": {"rate": "50/s", "endpoint": "s.fast", "class": "web"},
                    "bots": {"rate": "20/s", "endpoint": "s.slow"}},
    }
    df = capsim.Scenario(tree).run().sources.set_index("source")
    assert df.loc["people", "class"] == "web"
    assert df.loc["bots", "class"] == "bots"
    assert df.loc["bots", "p50"] > 5 * df.loc["people", "p50"]
    assert abs(df.loc["people", "arrival_rate"] - 50) < 5


def test_source_latency_is_its_own_when_sources_share_an_endpoint():
    # Two classes on one endpoint of a priority queue: each source's latency
    # is measured per source, not copied from the shared endpoint.
    tree = {
        "run": {"duration": "200s", "replications": 2, "seed": 4},
        "services": {"s": {"workers": 1, "cores": 1, "queue_discipline": "priority",
                           "endpoints": {"e": {"steps": [{"cpu": "exp(10ms)"}]}}}},
        "traffic": {"vip": {"rate": "30/s", "endpoint": "s.e", "priority": 0},
                    "bulk": {"rate": "50/s", "endpoint": "s.e", "priority": 1}},
    }
    res = capsim.Scenario(tree).run()
    src = res.sources.set_index("source")
    assert src.loc["bulk", "mean"] > 2 * src.loc["vip", "mean"]
    ep = res.endpoints.set_index("endpoint").loc["s.e"]
    assert src.loc["vip", "mean"] < ep["mean"] < src.loc["bulk", "mean"]


def test_single_endpoint_source_reports_its_endpoints_latency(mm1_tree):
    res = capsim.Scenario(mm1_tree).run()
    src = res.sources.iloc[0]
    ep = res.endpoints.iloc[0]
    for q in ("mean", "p50", "p99", "max"):
        assert src[q] == ep[q]


def test_notebook_summary_shows_verdicts_endpoints_and_busiest(mm1_tree):
    res = small(mm1_tree)
    html = res._repr_html_()
    assert "server.work p99 &lt; 1s" in html or "server.work p99 < 1s" in html
    assert 'class="fail">FAIL' in html and 'class="pass">pass' in html
    assert "Busiest</b>: server" in html
    assert "server.work" in html and "p99.9" in html


def test_a_saved_report_loads_back(mm1_tree, tmp_path):
    res = small(mm1_tree)
    res.to_json(tmp_path / "r.json")
    back = capsim.Result.from_json(tmp_path / "r.json")
    assert back.report == res.report
    pd.testing.assert_frame_equal(back.endpoints, res.endpoints)
