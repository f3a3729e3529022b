"""`capsim scale` and Scenario.scale(): the sweep and the USL / Amdahl fits."""

from __future__ import annotations

import json

import pytest

import capsim
from capsim.cli import main
from capsim.scale import parse_over

# Every replica's single worker holds 9 ms of CPU and 1 ms at a one-worker
# lock: throughput grows with replicas until the lock caps it at 1000/s.
SCENARIO = """
[run]
duration = "40s"
warmup = "10s"
replications = 2
[services.api]
workers = 1
[services.api.endpoints.get]
steps = [ { cpu = "exp(9ms)" }, { call = "lock.take" } ]
[services.lock]
[services.lock.endpoints.take]
steps = [ { cpu = "exp(1ms)" } ]
[traffic.users]
users = 200
think = "exp(100ms)"
endpoint = "api.get"
"""


@pytest.fixture
def scenario(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(SCENARIO)
    return str(f)


def test_parse_over():
    assert parse_over("services.api.replicas=1..32") == ("services.api.replicas",
                                                         [1, 2, 4, 8, 16, 32])
    assert parse_over("k=3..10") == ("k", [3, 6, 10])
    assert parse_over("k=8,2,4") == ("k", [2, 4, 8])
    for bad in ("k", "k=1..2", "k=a..b", "=1,2,3", "k=0..8"):
        with pytest.raises(ValueError):
            parse_over(bad)


def test_scale_prints_the_fit(scenario, capsys):
    assert main(["scale", scenario, "--over", "services.api.replicas=1..16"]) == 0
    out = capsys.readouterr().out
    assert "USL: σ (contention)" in out and "Amdahl: serial fraction" in out
    assert "Predicted, not simulated: size 32" in out


def test_scale_json(scenario, capsys):
    assert main(["scale", scenario, "--over", "services.api.replicas=1,2,4,8", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert [p["size"] for p in s["points"]] == [1, 2, 4, 8]
    # One replica: a worker held 10 ms per request, so 100/s; the requests
    # queued at the warm-up's end are not counted, which costs a few percent.
    assert s["points"][0]["throughput"] == pytest.approx(100, rel=0.1)
    assert s["usl"]["converged"] and s["amdahl"]["sigma"] > 0


def test_scale_bad_key_exits_2(scenario, capsys):
    assert main(["scale", scenario, "--over", "services.api.replicaz=1..4"]) == 2
    assert "replicaz" in capsys.readouterr().err
    assert main(["scale", scenario, "--over", "services.api.replicas=1..2"]) == 2


def test_scenario_scale_gives_dataframes(scenario):
    s = capsim.load(scenario).scale("services.api.replicas", [1, 2, 4, 8])
    assert list(s.points.columns[:3]) == ["size", "throughput", "throughput_ci"]
    assert set(s.fits["law"]) == {"usl", "amdahl"}
    pred = s.predict([16, 64])
    assert list(pred.columns) == ["size", "usl", "amdahl"]
    # Up to 8 replicas the lock is far from full: nearly linear scaling.
    assert 0 <= s.amdahl["sigma"] < 0.1
