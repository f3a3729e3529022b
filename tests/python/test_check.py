"""`capsim check`, Scenario.analyze() and the report's analytic section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import capsim
from capsim.cli import main

from conftest import mm1

SCENARIO = """
[run]
duration = "50s"
replications = 2
[services.api]
replicas = 2
workers = 16
cores = 2
[services.api.endpoints.get]
steps = [ { cpu = "exp(4ms)" }, { call = "db.q" } ]
[services.db]
workers = 8
cores = 4
[services.db.endpoints.q]
steps = [ { cpu = "exp(5ms)" } ]
[traffic.t]
rate = "300/s"
endpoint = "api.get"
"""


@pytest.fixture
def scenario(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(SCENARIO)
    return str(f)


def test_check_prints_the_bottleneck_and_exits_0(scenario, capsys):
    assert main(["check", scenario]) == 0
    out = capsys.readouterr().out
    # db cores: 4 / 5ms = 800/s; api cores: 4 / 4ms = 1000/s.
    assert "db cores saturate at 800 req/s (offered 300 req/s, 38%)" in out
    assert "next: api cores at 1,000 req/s" in out
    assert "Headroom" in out and "2.67×" in out


def test_check_set_overrides_like_run(scenario, capsys):
    assert main(["check", scenario, "--set", "services.db.cores=8"]) == 0
    assert "api cores saturate at 1,000 req/s" in capsys.readouterr().out


def test_check_bad_input_exits_2_with_the_run_diagnostics(scenario, capsys):
    assert main(["check", scenario, "--set", "services.db.wrokers=3"]) == 2
    check_err = capsys.readouterr().err
    assert main(["run", scenario, "--set", "services.db.wrokers=3"]) == 2
    assert capsys.readouterr().err == check_err
    assert 'did you mean "workers"' in check_err


def test_check_json_is_the_analysis(scenario, capsys):
    assert main(["check", scenario, "--json"]) == 0
    a = json.loads(capsys.readouterr().out)
    assert a["schema"] == "capsim.analysis/1"
    assert a["bottleneck"] == {"station": "db", "resource": "cores"}
    assert a["x_max"] == pytest.approx(800.0)
    assert a["method"] == "open"


def test_check_quiet_prints_nothing(scenario, capsys):
    assert main(["check", scenario, "--quiet"]) == 0
    assert capsys.readouterr().out == ""


SHIPPED = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "scenarios").glob("*.toml"))


# Before-scenarios that declare the cure their fix switches on (the `--set`
# lines in their header): the station is unused until then, and check says so.
EXPECTED_WARNINGS = {
    "cache_aside.toml": ["cache redis is never used"],
    "heavy_work_in_request.toml": ["service mailer is never used", "queue welcome is never used"],
    "reporting_starves_oltp.toml": ["database replica is never used"],
}


@pytest.mark.parametrize("name", SHIPPED)
def test_check_every_shipped_scenario(root, name, capsys):
    assert main(["check", str(root / "scenarios" / name), "--json"]) == 0
    a = json.loads(capsys.readouterr().out)
    assert a["bottleneck"] is not None
    assert [w["message"].split(":")[0] for w in a["warnings"]] == EXPECTED_WARNINGS.get(name, [])


def test_check_prints_topology_warnings(tmp_path, capsys):
    f = tmp_path / "idle.toml"
    f.write_text(SCENARIO + "[services.idle.endpoints.e]\nsteps = [ { cpu = \"1ms\" } ]\n")
    assert main(["check", str(f)]) == 0
    out = capsys.readouterr().out
    assert f"{f}:19:1: warning: service idle is never used" in out
    assert main(["check", str(f), "--json"]) == 0
    a = json.loads(capsys.readouterr().out)
    assert a["file"] == str(f)
    assert [(w["line"], w["path"]) for w in a["warnings"]] == [(19, "services.idle")]


def test_check_takes_several_files_and_reports_every_bad_one(scenario, tmp_path, capsys):
    bad1, bad2 = tmp_path / "bad1.toml", tmp_path / "bad2.toml"
    bad1.write_text(SCENARIO.replace("workers = 8", "wrokers = 8"))
    bad2.write_text(SCENARIO.replace('rate = "300/s"', 'rate = "-3/s"'))
    assert main(["check", str(bad1), scenario, str(bad2)]) == 2
    cap = capsys.readouterr()
    assert f"{bad1}:" in cap.err and 'did you mean "workers"' in cap.err
    assert f"{bad2}:" in cap.err
    assert cap.out.count("Bottleneck:") == 1  # the valid one between them is still checked
    assert main(["check", scenario, scenario, "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["x_max"] for d in docs] == [pytest.approx(800.0)] * 2
    assert main(["check", scenario, str(bad1), "--quiet"]) == 2
    assert capsys.readouterr().out == ""


def test_analyze_gives_dataframes():
    a = capsim.Scenario(mm1("80/s")).analyze()
    assert a.method == "open"
    assert a.x_max == pytest.approx(100.0)
    assert a.headroom == pytest.approx(1.25)
    assert list(a.resources["station"]) == ["server", "server"]
    assert a.endpoints.loc[0, "response"] == pytest.approx(0.05)
    assert a.summary().startswith("server cores saturate at 100 req/s")
    assert "capsim.Analysis" in repr(a)


def test_result_has_the_analytic_table():
    res = capsim.Scenario(mm1("70/s", duration="300s", replications=5)).run()
    df = res.analytic
    assert set(df.columns) >= {"kind", "name", "quantity", "analytic", "simulated", "verdict"}
    assert set(df["verdict"]) == {"agree"}
    assert res.bounds["bottleneck"] == {"station": "server", "resource": "cores"}
    assert res.bounds["x_max"] == pytest.approx(100.0)


def _simulated_utilization(res, station: str, resource: str) -> float | None:
    """The simulated mean utilisation of a bottleneck resource, where the
    report has one (service cores, workers, loops; a replica's cores and
    workers, "feed[3]"; database cores)."""
    key = {"cores": "core_utilization", "workers": "worker_utilization",
           "loops": "loop_utilization"}.get(resource)
    for s in res.report["stations"]:
        if s["name"] == station:
            return None if key is None else s[key]["mean"]
        for r in s.get("per_replica", []):
            if r["name"] == station and key in r:
                return r[key]["mean"]
    for d in res.report.get("databases", []):
        if d["name"] == station and resource == "cores":
            return d["core_utilization"]["mean"]
    return None


@pytest.mark.parametrize("name", SHIPPED)
def test_check_bounds_agree_with_the_simulation_within_their_conditions(root, name):
    """docs/analysis.md: a product-form estimate agrees with the simulation
    inside its 99.9% CI, or the disagreement names what in the model breaks
    the formulas' assumptions; a bottleneck the laws call saturated is
    saturated in the run, unless its demand is an upper bound (an emergent
    cache hit ratio counted as all misses)."""
    res = capsim.load(root / "scenarios" / name).run(replications=5)
    bounds, table = res.bounds, res.analytic
    assert bounds is not None and bounds["bottleneck"] is not None
    unexplained = table[(table["verdict"] == "disagree") & (table["reasons"].str.len() == 0)]
    assert unexplained.empty, unexplained[["name", "quantity", "analytic", "simulated"]]
    bn = bounds["bottleneck"]
    busy = _simulated_utilization(res, bn["station"], bn["resource"])
    if bounds["method"] == "saturated":
        upper_bound = any("counted as a miss" in n for n in bounds["notes"])
        if busy is not None:
            assert busy >= 0.97 or (upper_bound and busy < 1.0), (bn, busy)
    else:
        assert bounds["x_max"] >= bounds["offered"]
        if busy is not None:
            row = table[(table["name"] == bn["station"])
                        & (table["quantity"] == f"{'core' if bn['resource'] == 'cores' else 'worker'}_utilization")]
            if len(row) and row.iloc[0]["verdict"] == "disagree":
                assert len(row.iloc[0]["reasons"]) > 0


def test_a_model_the_formulas_fit_agrees_everywhere(root):
    res = capsim.load(root / "scenarios" / "mm1.toml").run()
    assert set(res.analytic["verdict"]) == {"agree"}
    assert res.analytic["reasons"].str.len().sum() == 0


def test_an_emergent_cache_hit_ratio_is_estimated_like_the_simulation(root):
    """cache_aside with its cure: 200,000 Zipf(0.9) keys, 20,000 entries,
    a 5 min TTL. The laws estimate the hit ratio (Che's approximation, the
    TTL cap) and the cache's load from it."""
    fix = ('services.api.endpoints.product.steps[1]={ cache = "redis", miss = [ '
           '{ query = "db.products", kind = "range", rows = 30 } ] }')
    sc = capsim.load(root / "scenarios" / "cache_aside.toml", [fix])
    a = sc.analyze()
    note = next(n for n in a.data["notes"] if n.startswith("cache redis: hit ratio"))
    estimated = float(note.split("hit ratio ")[1].split("%")[0]) / 100
    res = sc.run(replications=3)
    caches = res.caches.set_index("name")
    assert abs(estimated - caches.loc["redis", "hit_ratio"]) < 0.01  # Che's bar: a point
    # A get per lookup and a set per miss, on the cache's cores.
    predicted = a.resources.set_index(["station", "resource"]).loc[("redis", "cores"),
                                                                  "utilization"]
    assert abs(predicted - caches.loc["redis", "utilization"]) < 0.02


def test_a_per_client_rate_limit_is_seen_by_the_laws(root):
    """bots_no_rate_limit with its cure (10/s per client): the laws see 20
    bot clients capped at 10/s each and every person under their own limit,
    so what is admitted (200/s of bots, 200/s of people) loads the API's
    cores 60%, as in the run. The bots' admitted streams are about one
    request per token, smoother than Poisson, so the run's waits are
    shorter than M/M/c says, and the table names that reason."""
    fix = 'services.api.rate_limit={ rate = "10/s", burst = 20, per = "client" }'
    sc = capsim.load(root / "scenarios" / "bots_no_rate_limit.toml", [fix])
    a = sc.analyze()
    sources = {s["name"]: s for s in a.data["sources"]}
    assert sources["bots"]["admitted"] == pytest.approx(200.0)
    assert sources["people"]["admitted"] == pytest.approx(sources["people"]["rate"])
    assert a.data["method"] != "saturated"
    res = sc.run(replications=5)
    table = res.analytic.set_index(["name", "quantity"])
    for row in [("api", "throughput"), ("api", "core_utilization"),
                ("api.search", "throughput"), ("api.product", "throughput")]:
        assert table.loc[row, "verdict"] == "agree", table.loc[row]
    for _, row in table[table["verdict"] == "disagree"].iterrows():
        assert "smoothed by a rate limit" in row["reasons"]
        assert row["simulated"] < row["analytic"]
    admitted = sum(s["throughput"]["mean"] for s in res.report["sources"])
    assert admitted == pytest.approx(400.0, rel=0.02)
